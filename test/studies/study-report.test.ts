import { describe, expect, it } from 'vitest'
import { gapSeries, rankVariants, summarizeStudy, variantResult, type RunOutcome } from '../../src-main/studies/study-report'
import { estimateSeconds, measuredMacsPerSecond, runMacs, runShape } from '../../src-main/studies/estimate'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import lenet5 from '../../examples/lenet5.json'

/** A run whose training accuracy climbs to `train` and validation to `val` over 3 epochs. */
function run(runId: number, train: number, val: number, outcome = 'completed'): RunOutcome {
  const epochs = [0, 1, 2].map((epoch) => ({
    epoch,
    trainLoss: 1 / (epoch + 1),
    trainAccuracy: train - (2 - epoch) * 0.05,
    valLoss: 1.2 / (epoch + 1) + 0.1,
    valAccuracy: epoch === 1 ? val + 0.01 : val - (2 - epoch) * 0.02
  }))
  return { runId, status: 'completed', outcome, epochs, seconds: 30 }
}

describe('study results and summary', () => {
  it('averages a variant over its seeds: final and best accuracies, final gap in points with its spread, best epoch', () => {
    const r = variantResult('none', [run(1, 1.0, 0.9), run(2, 0.98, 0.9)])
    expect(r.finished).toBe(2)
    expect(r.finalTrainAccuracy).toBeCloseTo(0.99, 12)
    expect(r.finalValAccuracy).toBeCloseTo(0.9, 12)
    expect(r.bestValAccuracy).toBeCloseTo(0.91, 12)
    expect(r.bestEpoch).toBe(1)
    expect(r.finalGapPoints).toBeCloseTo(9, 9)
    expect(r.finalGapPointsStd).toBeCloseTo(Math.SQRT2, 9)
    expect(r.finalLossGap).toBeCloseTo(1.2 / 3 + 0.1 - 1 / 3, 12)
    expect(r.stoppedEarlyAt).toBeNull()
  })

  it('gapSeries gives train − validation accuracy in points and validation − training loss per epoch', () => {
    const g = gapSeries(run(1, 1, 0.9).epochs)
    expect(g.map((p) => p.accuracyPoints!.toFixed(1))).toEqual(['4.0', '4.0', '10.0'])
    expect(g[0]!.loss).toBeCloseTo(0.3, 12)
  })

  it('says in words what each variant did against the baseline, with the numbers', () => {
    const results = [variantResult('none', [run(1, 1.0, 0.9)]), variantResult('dropout 0.5', [run(2, 0.95, 0.92)]), variantResult('early stopping', [run(3, 0.99, 0.9, 'early_stopped')])]
    const summary = summarizeStudy({ factor: 'regularization', repeats: 1 }, results)
    expect(summary[0]).toBe('None: training accuracy ended at 100.0% and validation at 90.0%, a gap of 10.0 points.')
    expect(summary[1]).toBe('Dropout 0.5 cut the final gap from 10.0 to 3.0 points and raised best validation accuracy by 2.0 points (91.0% → 93.0%).')
    expect(summary[2]).toBe('Early stopping cut the final gap from 10.0 to 9.0 points and matched best validation accuracy (91.0% → 91.0%); early stopping ended it at epoch 3.')
    expect(summary[3]).toBe('Best validation accuracy: dropout 0.5 (93.0%). Smallest final gap: dropout 0.5 (3.0 points).')
    expect(rankVariants(results).map((r) => r.label)).toEqual(['dropout 0.5', 'none', 'early stopping'])
  })

  it('judges the size of the gap: a gap far below zero (validation above training) is wide, not cut', () => {
    const under = { ...run(2, 0.6, 0.9) }
    const s = summarizeStudy({ factor: 'x', repeats: 1 }, [variantResult('none', [run(1, 0.95, 0.9)]), variantResult('dropout 0.5', [under])])
    expect(s[1]).toMatch(/^Dropout 0\.5 widened the final gap from 5\.0 to -30\.0 points \(validation above training\)/)
    expect(s.at(-1)).toMatch(/Smallest final gap: none \(5\.0 points\)\.$/)
  })

  it('says when nothing has finished, and when variants are still training', () => {
    expect(summarizeStudy({ factor: 'x', repeats: 1 }, [variantResult('a', [])])).toEqual(['No variant has finished yet.'])
    const training = { ...run(2, 0.9, 0.8), status: 'running' }
    const s = summarizeStudy({ factor: 'x', repeats: 1 }, [variantResult('a', [run(1, 1, 0.9)]), variantResult('b', [training])])
    expect(s.at(-1)).toBe('1 variant is still training; these numbers will change.')
  })
})

describe('study time estimate', () => {
  const shape = runShape({ network: lenet5.network as NetworkSpec, training: lenet5.training as TrainConfig }, 10_000)
  it('counts the images each run sees from the split', () => {
    expect(shape).toMatchObject({ trainImages: 8000, validationImages: 2000, epochs: 10 })
    expect(shape.macsPerImage).toBeGreaterThan(200_000)
    expect(runMacs(shape)).toBe(10 * shape.macsPerImage * (3 * 8000 + 2000))
  })
  it('spreads runs over the concurrent slots, longest first', () => {
    const s = (m: number) => ({ macsPerImage: m, trainImages: 1, validationImages: 0, epochs: 1 })
    // 3 MAC per unit: runs of 3, 2, 2, 1 seconds at 3 MAC/s on 2 slots → 4 s; on 1 slot → 8 s.
    const runs = [s(3), s(2), s(2), s(1)]
    expect(estimateSeconds(runs, 3, 2)).toBe(4)
    expect(estimateSeconds(runs, 3, 1)).toBe(8)
  })
  it('measures throughput from finished runs, ignoring runs too short to time', () => {
    expect(measuredMacsPerSecond([])).toBeNull()
    expect(measuredMacsPerSecond([{ shape, seconds: 100 }, { shape, seconds: 0.5 }])).toEqual({ macsPerSecond: runMacs(shape) / 100, runs: 1 })
    expect(measuredMacsPerSecond([{ shape, seconds: 0.5 }])).toBeNull()
  })
})
