/** What the compare view can plot: a stored metric (name, split) per step or per epoch, and how its x axis is built. */
import type { MetricPoint, MetricSplit } from '../../../../src-main/contract/workbench-api'
import type { XY } from '../charts/line-series'

export type CompareMetricId =
  | 'val_accuracy'
  | 'val_loss'
  | 'train_epoch_accuracy'
  | 'train_epoch_loss'
  | 'train_loss'
  | 'train_accuracy'
  | 'lr'
  | 'images_per_second'

export interface CompareMetric {
  id: CompareMetricId
  label: string
  name: string
  split: MetricSplit
  /** One point per epoch (else one per step). */
  perEpoch: boolean
  /** Higher is better (accuracy): the best marker is the maximum, else the minimum. */
  higherIsBetter: boolean
}

export const COMPARE_METRICS: readonly CompareMetric[] = [
  { id: 'val_accuracy', label: 'Validation accuracy', name: 'accuracy', split: 'val', perEpoch: true, higherIsBetter: true },
  { id: 'val_loss', label: 'Validation loss', name: 'loss', split: 'val', perEpoch: true, higherIsBetter: false },
  { id: 'train_epoch_accuracy', label: 'Training accuracy (per epoch)', name: 'epoch_accuracy', split: 'train', perEpoch: true, higherIsBetter: true },
  { id: 'train_epoch_loss', label: 'Training loss (per epoch)', name: 'epoch_loss', split: 'train', perEpoch: true, higherIsBetter: false },
  { id: 'train_loss', label: 'Training loss (per step)', name: 'loss', split: 'train', perEpoch: false, higherIsBetter: false },
  { id: 'train_accuracy', label: 'Training accuracy (per step)', name: 'accuracy', split: 'train', perEpoch: false, higherIsBetter: true },
  { id: 'lr', label: 'Learning rate (per step)', name: 'lr', split: 'train', perEpoch: false, higherIsBetter: false },
  { id: 'images_per_second', label: 'Throughput (images/s)', name: 'images_per_second', split: 'train', perEpoch: false, higherIsBetter: true }
]

export function compareMetric(id: CompareMetricId): CompareMetric {
  return COMPARE_METRICS.find((m) => m.id === id)!
}

export type XAxis = 'epoch' | 'step'

/**
 * Chart points. Epochs are shown 1-based, an epoch's point at its end: x = epoch + 1 (the engine counts
 * from 0). A step on the epoch axis is x = step / stepsPerEpoch, so step curves and epoch points line up.
 * Null values (a diverged run) are dropped.
 */
export function toXY(points: readonly MetricPoint[], axis: XAxis, perEpoch: boolean, stepsPerEpoch: number | null | undefined): XY[] {
  const out: XY[] = []
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue
    let x: number
    if (axis === 'step') x = p.step
    else if (perEpoch) x = p.epoch + 1
    else x = stepsPerEpoch ? p.step / stepsPerEpoch : p.epoch + 1
    out.push({ x, y: p.value })
  }
  return out
}

/** The best point of a series (max or min value; the earliest on ties), or null when it has no values. */
export function bestPoint(points: readonly MetricPoint[], higherIsBetter: boolean): MetricPoint | null {
  let best: MetricPoint | null = null
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue
    if (best === null || (higherIsBetter ? p.value > best.value! : p.value < best.value!)) best = p
  }
  return best
}

/**
 * Exponential moving average for noisy per-step curves (TensorBoard's smoothing, debiased so the first
 * points are not pulled toward 0): s_t = w·s_{t−1} + (1−w)·y_t, divided by 1 − w^t. weight 0 returns a copy.
 */
export function smooth(points: readonly XY[], weight: number): XY[] {
  if (weight <= 0) return points.map((p) => ({ ...p }))
  const w = Math.min(weight, 0.999)
  let acc = 0
  let norm = 0
  return points.map((p) => {
    acc = w * acc + (1 - w) * p.y
    norm = w * norm + (1 - w)
    return { x: p.x, y: acc / norm }
  })
}
