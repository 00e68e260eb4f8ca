/**
 * The generalization gap per epoch: the training metric minus the validation metric at the same epoch.
 * An overfitting run's accuracy gap grows above 0 and its loss gap falls below 0.
 */
import type { MetricPoint } from '../../../../src-main/contract/workbench-api'

export interface GapPoint {
  epoch: number
  step: number
  value: number
}

/** Epochs present in both series with a finite value in each, in epoch order. */
export function gapSeries(train: readonly MetricPoint[], val: readonly MetricPoint[]): GapPoint[] {
  const byEpoch = new Map<number, MetricPoint>()
  for (const p of val) if (p.value !== null && Number.isFinite(p.value)) byEpoch.set(p.epoch, p)
  const out: GapPoint[] = []
  for (const t of train) {
    const v = byEpoch.get(t.epoch)
    if (!v || t.value === null || !Number.isFinite(t.value)) continue
    out.push({ epoch: t.epoch, step: t.step, value: t.value - v.value! })
  }
  return out.sort((a, b) => a.epoch - b.epoch)
}
