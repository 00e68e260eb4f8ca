/** The compared runs' metrics as one long CSV table: one row per (run, metric, split, step). */
import type { MetricPoint, MetricSplit } from '../../../src-main/contract/workbench-api'
import { toCsv, type CsvCell } from './csv'

export interface MetricsCsvSeries {
  runId: number
  runName: string
  /** The store's metric name, e.g. 'loss', 'epoch_accuracy'. */
  metric: string
  split: MetricSplit
  points: readonly MetricPoint[]
}

export const METRICS_CSV_HEADER = ['run_id', 'run_name', 'epoch', 'step', 'metric', 'split', 'value'] as const

/**
 * Epochs are written 1-based, as the app shows them (the engine counts from 0): a step row's epoch is the
 * epoch it trained in, an epoch row's is the epoch it ends. A diverged run's null values stay empty cells.
 */
export function metricsCsv(series: readonly MetricsCsvSeries[]): string {
  const rows: CsvCell[][] = [[...METRICS_CSV_HEADER]]
  for (const s of series) for (const p of s.points) rows.push([s.runId, s.runName, p.epoch + 1, p.step, s.metric, s.split, p.value])
  return toCsv(rows)
}
