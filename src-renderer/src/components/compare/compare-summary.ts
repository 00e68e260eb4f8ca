/** One line per compared run: its best validation accuracy (and epoch), final accuracies, final gaps, duration. */
import type { MetricPoint, RunRecord } from '../../../../src-main/contract/workbench-api'
import { runDurationMs } from '../runs/run-format'
import { bestPoint } from './compare-metrics'
import { gapSeries } from './generalization-gap'

export interface EpochSeries {
  trainLoss: readonly MetricPoint[]
  trainAccuracy: readonly MetricPoint[]
  valLoss: readonly MetricPoint[]
  valAccuracy: readonly MetricPoint[]
}

export interface CompareSummaryRow {
  runId: number
  bestValAccuracy: number | null
  /** 1-based, as shown. */
  bestValAccuracyEpoch: number | null
  finalTrainAccuracy: number | null
  finalValAccuracy: number | null
  finalAccuracyGap: number | null
  finalLossGap: number | null
  epochs: number
  durationMs: number | null
}

function lastValue(points: readonly MetricPoint[]): number | null {
  for (let i = points.length - 1; i >= 0; i--) {
    const v = points[i]!.value
    if (v !== null && Number.isFinite(v)) return v
  }
  return null
}

export function compareSummaryRow(run: RunRecord, s: EpochSeries, now = Date.now()): CompareSummaryRow {
  const best = bestPoint(s.valAccuracy, true)
  const accGap = gapSeries(s.trainAccuracy, s.valAccuracy)
  const lossGap = gapSeries(s.trainLoss, s.valLoss)
  return {
    runId: run.id,
    bestValAccuracy: best?.value ?? null,
    bestValAccuracyEpoch: best ? best.epoch + 1 : null,
    finalTrainAccuracy: lastValue(s.trainAccuracy),
    finalValAccuracy: lastValue(s.valAccuracy),
    finalAccuracyGap: accGap.at(-1)?.value ?? null,
    finalLossGap: lossGap.at(-1)?.value ?? null,
    epochs: s.trainLoss.length,
    durationMs: runDurationMs(run, now)
  }
}
