import { describe, expect, it } from 'vitest'
import type { EpochPoint, StudyReport, StudyRun } from '../../src-main/studies/study-types'
import { rankVariants, summarizeStudy, variantResult } from '../../src-main/studies/study-report'
import {
  gapOverlay,
  niceCeil,
  rankingRows,
  sharedYRange,
  studyUnfinished,
  variantCurves
} from '../../src-renderer/src/components/studies/study-series'

/** Epochs from (train, val) accuracy pairs; losses are 1 − accuracy so they move with them. */
function epochs(pairs: [number, number][]): EpochPoint[] {
  return pairs.map(([t, v], epoch) => ({ epoch, trainAccuracy: t, valAccuracy: v, trainLoss: 1 - t, valLoss: 1 - v }))
}

/** A study of two variants × two seeds, built the way the service builds one (real ranking and summary). */
function makeReport(runsIn: { variant: string; status: string; epochs: EpochPoint[]; outcome?: string }[]): StudyReport {
  const labels = [...new Set(runsIn.map((r) => r.variant))]
  const runs: StudyRun[] = runsIn.map((r, i) => ({ runId: i + 1, variant: r.variant, seed: 1 + (i % 2), status: r.status, bestEpoch: null, epochs: r.epochs }))
  const definition = {
    kind: 'regularization' as const,
    factor: 'regularization',
    repeats: 2,
    variants: labels.map((label) => ({ label, changes: [`${label} changes`], runIds: runs.filter((r) => r.variant === label).map((r) => r.runId) }))
  }
  const results = labels.map((label) =>
    variantResult(
      label,
      runsIn.flatMap((r, i) => (r.variant === label ? [{ runId: i + 1, status: r.status, outcome: r.outcome ?? null, epochs: r.epochs, seconds: 10 }] : []))
    )
  )
  return { experimentId: 7, name: 'test study', definition, runs, results, ranking: rankVariants(results).map((r) => r.label), summary: summarizeStudy(definition, results) }
}

const report = makeReport([
  { variant: 'none', status: 'completed', epochs: epochs([[0.8, 0.7], [0.95, 0.72], [1.0, 0.7]]) },
  { variant: 'none', status: 'completed', epochs: epochs([[0.82, 0.7], [0.97, 0.74], [1.0, 0.72]]) },
  { variant: 'dropout 0.5', status: 'completed', epochs: epochs([[0.7, 0.68], [0.8, 0.76], [0.85, 0.8]]), outcome: 'early_stopped' },
  { variant: 'dropout 0.5', status: 'running', epochs: epochs([[0.72, 0.7], [0.82, 0.8]]) }
])

describe('a study report as charts', () => {
  it('draws each variant as mean train and validation curves, 1-based epochs, with the best-epoch and early-stop markers', () => {
    const none = report.results.find((r) => r.label === 'none')!
    const [train, val, best, ...rest] = variantCurves(report, none, 'accuracy')
    expect(train!.points.map((p) => p.x)).toEqual([1, 2, 3])
    expect(train!.points[0]!.y).toBeCloseTo(81)
    expect(val!.points[1]!.y).toBeCloseTo(73)
    expect(val!.dashed).toBe(true)
    // best epochs 1 and 1 (0-based) → shown at epoch 2, on the validation curve
    expect(best).toMatchObject({ markersOnly: true, points: [{ x: 2, y: val!.points[1]!.y }] })
    expect(rest).toEqual([])

    const dropout = report.results.find((r) => r.label === 'dropout 0.5')!
    const curves = variantCurves(report, dropout, 'loss')
    const stop = curves.find((s) => s.label.startsWith('stopped early'))!
    expect(stop.markersOnly).toBe(true)
    expect(stop.points).toEqual([{ x: 3, y: curves[1]!.points[2]!.y }])
    // epoch 3 reached by one seed only: its mean is that seed's value
    expect(curves[1]!.points[2]!.y).toBeCloseTo(0.2)
  })

  it('gives every small multiple the same y range', () => {
    expect(sharedYRange(report, 'accuracy')).toEqual({ yMin: 60, yMax: 100 })
    // highest loss 1 − 0.68 = 0.32 → 0.5
    expect(sharedYRange(report, 'loss')).toEqual({ yMin: 0, yMax: 0.5 })
    expect(niceCeil(0.32)).toBe(0.5)
    expect(niceCeil(2.1)).toBe(2.5)
    expect(niceCeil(7)).toBe(10)
  })

  it('overlays the gap with mean ± std bands where two seeds reached an epoch', () => {
    const series = gapOverlay(report, 'accuracy')
    expect(series.map((s) => s.label)).toEqual(['none − std', 'none + std', 'none', 'dropout 0.5 − std', 'dropout 0.5 + std', 'dropout 0.5'])
    const [lo, hi, mean, dlo, dhi, dmean] = series
    expect(lo!.hideInLegend && hi!.hideInLegend).toBe(true)
    expect([lo!.markersOnly, lo!.pointRadius, hi!.markersOnly, hi!.pointRadius]).toEqual([true, 0, true, 0])
    expect(hi!.fillTo).toBe(0)
    expect(dhi!.fillTo).toBe(3)
    expect(mean!.fillTo).toBeUndefined()
    // epoch 1 of "none": gaps 10 and 12 points → mean 11, sample std √2
    expect(mean!.points[0]).toEqual({ x: 1, y: expect.closeTo(11, 9) })
    expect(hi!.points[0]!.y).toBeCloseTo(11 + Math.SQRT2)
    expect(lo!.points[0]!.y).toBeCloseTo(11 - Math.SQRT2)
    // "dropout 0.5" epoch 3 has one seed: a mean point but no band point
    expect(dmean!.points.map((p) => p.x)).toEqual([1, 2, 3])
    expect(dlo!.points.map((p) => p.x)).toEqual([1, 2])
    expect(dmean!.color).toBe(dhi!.color)
    expect(dmean!.color).not.toBe(mean!.color)
    // loss gap: validation − train loss, the same numbers as fractions here
    expect(gapOverlay(report, 'loss')[2]!.points[0]!.y).toBeCloseTo(0.11)
  })

  it('draws no bands without repeats', () => {
    const single = makeReport([
      { variant: 'a', status: 'completed', epochs: epochs([[0.9, 0.8]]) },
      { variant: 'b', status: 'completed', epochs: epochs([[0.9, 0.85]]) }
    ])
    expect(gapOverlay(single, 'accuracy').map((s) => s.label)).toEqual(['a', 'b'])
  })

  it('lists ranking rows in the report order with progress, status and the final spread', () => {
    const rows = rankingRows(report)
    expect(rows.map((r) => r.result.label)).toEqual(report.ranking)
    const dropout = rows.find((r) => r.result.label === 'dropout 0.5')!
    expect(dropout.progress).toBe('1/2')
    expect(dropout.status).toBe('running')
    expect(dropout.epochsDone).toBe(3)
    expect(dropout.changes).toEqual(['dropout 0.5 changes'])
    const none = rows.find((r) => r.result.label === 'none')!
    expect(none.status).toBe('completed')
    expect(none.finalValStd).toBeCloseTo(Math.SQRT2 / 100)
    expect(studyUnfinished(report)).toBe(true)
  })
})
