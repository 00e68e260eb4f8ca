/**
 * A StudyReport turned into what the study view draws: per-variant train/validation curves (means over
 * seeds) on one shared y range, best-epoch and early-stop markers, the generalization-gap overlay with
 * mean ± std bands, and the ranking rows. Pure; epochs are shown 1-based (the engine counts from 0).
 */
import type { StudyReport, StudyRun, VariantResult } from '../../../../src-main/studies/study-types'
import { seriesColor } from '../charts/chart-setup'
import type { LineSeries, XY } from '../charts/line-series'
import { mean, runEnded, std } from '../../../../src-main/studies/study-report'

export type CurveMetric = 'accuracy' | 'loss'

const TRAIN_COLOR = '#2563eb'
const VAL_COLOR = '#dc2626'
const BEST_COLOR = '#16a34a'
const STOP_COLOR = '#ca8a04'

export function runsOf(report: StudyReport, label: string): StudyRun[] {
  return report.runs.filter((r) => r.variant === label)
}

type Pick = (e: StudyRun['epochs'][number]) => number | null

function train(metric: CurveMetric): Pick {
  return metric === 'accuracy' ? (e) => (e.trainAccuracy === null ? null : e.trainAccuracy * 100) : (e) => e.trainLoss
}
function val(metric: CurveMetric): Pick {
  return metric === 'accuracy' ? (e) => (e.valAccuracy === null ? null : e.valAccuracy * 100) : (e) => e.valLoss
}
/** Generalization gap: train − validation accuracy in points; validation − train loss (both grow with overfitting). */
function gap(metric: CurveMetric): Pick {
  return metric === 'accuracy'
    ? (e) => (e.trainAccuracy !== null && e.valAccuracy !== null ? (e.trainAccuracy - e.valAccuracy) * 100 : null)
    : (e) => (e.trainLoss !== null && e.valLoss !== null ? e.valLoss - e.trainLoss : null)
}

/** Per epoch, the values of every run that reached it (finite ones only). */
function perEpoch(runs: StudyRun[], pick: Pick): Map<number, number[]> {
  const out = new Map<number, number[]>()
  for (const run of runs) {
    for (const e of run.epochs) {
      const v = pick(e)
      if (v === null || !Number.isFinite(v)) continue
      const list = out.get(e.epoch) ?? []
      list.push(v)
      out.set(e.epoch, list)
    }
  }
  return new Map([...out.entries()].sort((a, b) => a[0] - b[0]))
}

/** Mean per epoch, with std where at least two seeds reached the epoch. */
export function epochStats(runs: StudyRun[], pick: Pick): { x: number; mean: number; std: number | null }[] {
  return [...perEpoch(runs, pick).entries()].map(([epoch, xs]) => ({ x: epoch + 1, mean: mean(xs)!, std: std(xs) }))
}

/** A small multiple: train and validation (means over seeds), best-epoch and early-stop markers. */
export function variantCurves(report: StudyReport, result: VariantResult, metric: CurveMetric): LineSeries[] {
  const runs = runsOf(report, result.label)
  const t = epochStats(runs, train(metric)).map((p) => ({ x: p.x, y: p.mean }))
  const v = epochStats(runs, val(metric)).map((p) => ({ x: p.x, y: p.mean }))
  const series: LineSeries[] = [
    { label: 'train', points: t, color: TRAIN_COLOR },
    { label: 'validation', points: v, color: VAL_COLOR, dashed: true }
  ]
  if (result.bestEpoch !== null) {
    const at = v.find((p) => p.x === result.bestEpoch! + 1)
    if (at) series.push({ label: `best epoch ${at.x}`, points: [at], color: BEST_COLOR, markersOnly: true })
  }
  if (result.stoppedEarlyAt !== null) {
    const at = v.find((p) => p.x === result.stoppedEarlyAt! + 1) ?? v.at(-1)
    if (at) series.push({ label: `stopped early (epoch ${at.x})`, points: [at], color: STOP_COLOR, markersOnly: true, pointRadius: 6 })
  }
  return series
}

/**
 * One y range for every small multiple, so they compare at a glance. Accuracy in percent: from the lowest
 * value (rounded down to 10) to 100. Loss: from 0 to the highest value (rounded up to a tidy step).
 */
export function sharedYRange(report: StudyReport, metric: CurveMetric): { yMin: number; yMax: number } {
  const values: number[] = []
  for (const run of report.runs) {
    for (const e of run.epochs) {
      for (const v of [train(metric)(e), val(metric)(e)]) if (v !== null && Number.isFinite(v)) values.push(v)
    }
  }
  if (metric === 'accuracy') {
    const lo = values.length === 0 ? 0 : Math.min(...values)
    return { yMin: Math.max(0, Math.floor(lo / 10) * 10), yMax: 100 }
  }
  const hi = values.length === 0 ? 1 : Math.max(...values)
  return { yMin: 0, yMax: niceCeil(hi) }
}

/** The smallest of 1, 2, 2.5, 5 × 10^k at or above x. */
export function niceCeil(x: number): number {
  if (!(x > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(x))
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= x - 1e-12) return m * p
  return 10 * p
}

/**
 * The gap overlay: per variant its mean gap per epoch; where seeds repeat, a band of mean ± std drawn as
 * two hidden-from-legend edges, the upper one filled down to the lower one.
 */
export function gapOverlay(report: StudyReport, metric: CurveMetric): LineSeries[] {
  const series: LineSeries[] = []
  report.definition.variants.forEach((variant, i) => {
    const color = seriesColor(i)
    const stats = epochStats(runsOf(report, variant.label), gap(metric))
    const banded = stats.filter((p) => p.std !== null)
    if (banded.length > 0) {
      const lower: XY[] = banded.map((p) => ({ x: p.x, y: p.mean - p.std! }))
      const upper: XY[] = banded.map((p) => ({ x: p.x, y: p.mean + p.std! }))
      // Edges as invisible "marker" series (no line, no dots): only the fill between them shows.
      series.push({ label: `${variant.label} − std`, points: lower, color, hideInLegend: true, markersOnly: true, pointRadius: 0 })
      series.push({ label: `${variant.label} + std`, points: upper, color, hideInLegend: true, markersOnly: true, pointRadius: 0, fillTo: series.length - 1 })
    }
    series.push({ label: variant.label, points: stats.map((p) => ({ x: p.x, y: p.mean })), color })
  })
  return series
}

/** A ranking-table row: the variant's result plus what the table shows beside it. */
export interface RankingRow {
  rank: number
  result: VariantResult
  changes: string[]
  runIds: number[]
  finalValStd: number | null
  /** Runs finished / all runs of the variant. */
  progress: string
  status: string
  /** Epochs done / planned of the furthest run, when known. */
  epochsDone: number
}

/** Rows in the report's ranking order. */
export function rankingRows(report: StudyReport): RankingRow[] {
  return report.ranking.flatMap((label, i) => {
    const result = report.results.find((r) => r.label === label)
    if (!result) return []
    const variant = report.definition.variants.find((v) => v.label === label)
    const runs = runsOf(report, label)
    const finals = runs.map((r) => r.epochs.at(-1)?.valAccuracy ?? null).filter((x): x is number => x !== null)
    return [
      {
        rank: i + 1,
        result,
        changes: variant?.changes ?? [],
        runIds: result.runIds,
        finalValStd: std(finals),
        progress: `${result.finished}/${result.runIds.length}`,
        status: variantStatus(runs),
        epochsDone: Math.max(0, ...runs.map((r) => r.epochs.length))
      }
    ]
  })
}

/** One word for a variant's runs: the shared status, or 'running' while any runs, else 'mixed'. */
export function variantStatus(runs: StudyRun[]): string {
  if (runs.length === 0) return 'deleted'
  const statuses = new Set(runs.map((r) => r.status))
  if (statuses.size === 1) return runs[0]!.status
  if (statuses.has('running')) return 'running'
  if (statuses.has('queued')) return 'queued'
  return 'mixed'
}

/** True while any run of the study can still change. */
export function studyUnfinished(report: StudyReport): boolean {
  return report.runs.some((r) => !runEnded(r.status))
}
