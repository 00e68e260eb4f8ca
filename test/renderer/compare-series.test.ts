import { describe, expect, it } from 'vitest'
import type { MetricPoint } from '../../src-main/contract/workbench-api'
import { gapSeries } from '../../src-renderer/src/components/compare/generalization-gap'
import { bestPoint, smooth, toXY } from '../../src-renderer/src/components/compare/compare-metrics'
import { hyperparameterTable, SUMMARY_KEY, visibleRows } from '../../src-renderer/src/components/compare/hyperparameter-table'
import { compareSummaryRow } from '../../src-renderer/src/components/compare/compare-summary'
import type { NetworkSpec, RunRecord, TrainConfig } from '../../src-main/contract/workbench-api'

const pt = (epoch: number, step: number, value: number | null): MetricPoint => ({ epoch, step, value, elapsedMs: 0 })

describe('generalization gap', () => {
  it('is train − validation at each epoch present in both, skipping missing or null values', () => {
    const train = [pt(0, 10, 0.6), pt(1, 20, 0.8), pt(2, 30, 0.95), pt(3, 40, null)]
    const val = [pt(2, 30, 0.85), pt(0, 10, 0.65), pt(3, 40, 0.9)]
    const gap = gapSeries(train, val)
    expect(gap.map((g) => [g.epoch, g.step])).toEqual([
      [0, 10],
      [2, 30]
    ])
    expect(gap[0]!.value).toBeCloseTo(-0.05, 12)
    expect(gap[1]!.value).toBeCloseTo(0.1, 12)
  })
})

describe('chart points', () => {
  const epochs = [pt(0, 50, 0.5), pt(1, 100, 0.7)]
  const steps = [pt(0, 25, 1.2), pt(0, 50, 0.9), pt(1, 75, null), pt(1, 100, 0.6)]
  it('puts an epoch point at its end (1-based) and a step at step / stepsPerEpoch on the epoch axis', () => {
    expect(toXY(epochs, 'epoch', true, 50)).toEqual([
      { x: 1, y: 0.5 },
      { x: 2, y: 0.7 }
    ])
    expect(toXY(steps, 'epoch', false, 50)).toEqual([
      { x: 0.5, y: 1.2 },
      { x: 1, y: 0.9 },
      { x: 2, y: 0.6 }
    ])
    expect(toXY(epochs, 'step', true, 50).map((p) => p.x)).toEqual([50, 100])
  })
  it('smooths with a debiased exponential moving average', () => {
    const raw = [
      { x: 1, y: 1 },
      { x: 2, y: 0 },
      { x: 3, y: 1 }
    ]
    expect(smooth(raw, 0)).toEqual(raw)
    const s = smooth(raw, 0.5)
    expect(s.map((p) => p.x)).toEqual([1, 2, 3])
    // s1 = 1 (debiased); s2 = (0.25·1 + 0.5·0) / 0.75 = 1/3; s3 = (0.125 + 0.5) / 0.875 = 5/7
    expect(s[0]!.y).toBeCloseTo(1, 12)
    expect(s[1]!.y).toBeCloseTo(1 / 3, 12)
    expect(s[2]!.y).toBeCloseTo(5 / 7, 12)
  })
  it('finds the best point (earliest on ties) for max and min metrics', () => {
    expect(bestPoint([pt(0, 1, 0.5), pt(1, 2, 0.9), pt(2, 3, 0.9), pt(3, 4, null)], true)?.epoch).toBe(1)
    expect(bestPoint([pt(0, 1, 0.5), pt(1, 2, 0.3), pt(2, 3, 0.4)], false)?.epoch).toBe(1)
    expect(bestPoint([pt(0, 1, null)], true)).toBeNull()
  })
})

const network: NetworkSpec = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}
const withDropout: NetworkSpec = { ...network, layers: [...network.layers.slice(0, 3), { type: 'dropout', rate: 0.5 }, ...network.layers.slice(3)] }
const training = (lr: number, seed = 1): TrainConfig => ({
  version: 1,
  dataset: { id: 'shapes', validationSize: 200 },
  epochs: 2,
  batchSize: 32,
  optimizer: { type: 'adam', lr },
  loss: 'cross_entropy',
  seed
})

describe('hyperparameter table', () => {
  const rows = hyperparameterTable([
    { network, training: training(0.01) },
    { network: withDropout, training: training(0.001) }
  ])
  it('has a row per key with one value per run, the network summary first, layers in index order', () => {
    expect(rows[0]).toEqual({ key: SUMMARY_KEY, values: ['conv dense', 'conv dropout dense'], differs: true })
    const lr = rows.find((r) => r.key === 'optimizer.lr')!
    expect(lr).toEqual({ key: 'optimizer.lr', values: ['0.01', '0.001'], differs: true })
    expect(rows.find((r) => r.key === 'batchSize')).toEqual({ key: 'batchSize', values: ['32', '32'], differs: false })
    const layerKeys = rows.filter((r) => r.key.startsWith('network.layer.')).map((r) => r.key)
    expect(layerKeys.indexOf('network.layer.3.type')).toBeLessThan(layerKeys.indexOf('network.layer.4.type'))
    // The dropout run has a 6th layer the other lacks: missing counts as different.
    expect(rows.find((r) => r.key === 'network.layer.5.type')).toEqual({ key: 'network.layer.5.type', values: [null, 'softmax'], differs: true })
    expect(rows.find((r) => r.key === 'network.layers')!.values).toEqual(['5', '6'])
  })
  it('"differences only" keeps exactly the differing rows', () => {
    const diff = visibleRows(rows, true)
    expect(diff.every((r) => r.differs)).toBe(true)
    expect(diff.map((r) => r.key)).toContain('optimizer.lr')
    expect(diff.map((r) => r.key)).not.toContain('batchSize')
    expect(visibleRows(rows, false)).toHaveLength(rows.length)
    expect(diff.length).toBeLessThan(rows.length)
  })
  it('finds no differences between identical configs (except the summary row is equal too)', () => {
    const same = hyperparameterTable([
      { network, training: training(0.01) },
      { network, training: training(0.01) }
    ])
    expect(visibleRows(same, true)).toEqual([])
  })
})

describe('summary row', () => {
  it('takes the best validation accuracy and its 1-based epoch, final values and final gaps', () => {
    const run = { id: 7, startedAt: 1000, finishedAt: 61_000, status: 'completed' } as RunRecord
    const row = compareSummaryRow(run, {
      trainLoss: [pt(0, 10, 1.0), pt(1, 20, 0.5), pt(2, 30, 0.2)],
      trainAccuracy: [pt(0, 10, 0.5), pt(1, 20, 0.8), pt(2, 30, 0.95)],
      valLoss: [pt(0, 10, 1.1), pt(1, 20, 0.6), pt(2, 30, 0.7)],
      valAccuracy: [pt(0, 10, 0.45), pt(1, 20, 0.82), pt(2, 30, 0.8)]
    })
    expect(row).toMatchObject({ runId: 7, bestValAccuracy: 0.82, bestValAccuracyEpoch: 2, finalTrainAccuracy: 0.95, finalValAccuracy: 0.8, epochs: 3, durationMs: 60_000 })
    expect(row.finalAccuracyGap).toBeCloseTo(0.15, 12)
    expect(row.finalLossGap).toBeCloseTo(-0.5, 12)
  })
})
