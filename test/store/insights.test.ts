import { afterEach, describe, expect, it } from 'vitest'
import { RunStore } from '../../src-main/store/run-store'
import type { InsightRecord } from '../../src-main/store/types'
import { newRun, tempDbPath } from './fixtures'

let stores: RunStore[] = []
afterEach(() => {
  for (const s of stores) s.close()
  stores = []
})

function open(path = tempDbPath()): RunStore {
  const s = RunStore.open(path)
  stores.push(s)
  return s
}

function insight(epoch: number, fill: number): InsightRecord {
  return {
    epoch,
    classes: 2,
    scoreKind: 'probability',
    k: 2,
    confusion: Int32Array.from([3 + fill, 1, 0, 2]),
    labels: Uint16Array.from([0, 0, 0, 0, 1, 1]),
    topLabels: Uint16Array.from([0, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0]),
    topScores: Float32Array.from([0.9, 0.1, 0.8, 0.2, 0.7, 0.3, 0.6, 0.4, 0.55, 0.45, 0.99, 0.01]),
    histograms: [{ name: '0.weight', layer: 0, weights: { min: -1, max: 1, mean: 0, std: 0.5, counts: [1, 2, fill] }, gradients: { min: 0, max: 0, mean: 0, std: 0, counts: [0, 3, 0] } }],
    weights: Uint8Array.from([1, 2, 3, fill])
  }
}

describe('epoch insights in the store', () => {
  it('round-trips every column, replaces a replayed epoch and lists epochs in order', () => {
    const path = tempDbPath()
    const store = open(path)
    const id = store.createRun(newRun('r'))
    store.saveInsight(id, insight(1, 5))
    store.saveInsight(id, insight(0, 1))
    store.saveInsight(id, insight(1, 7))
    store.close()
    stores = []
    const again = open(path)
    expect(again.insightEpochs(id)).toEqual([0, 1])
    const got = again.loadInsight(id, 1)!
    const { createdAt, ...rest } = got
    expect(rest).toEqual(insight(1, 7))
    expect(createdAt).toBeTypeOf('number')
    expect(again.weightsStamp(id, { epoch: 1 })).toBe(createdAt)
    expect(again.weightsStamp(id, { epoch: 4 })).toBeNull()
    expect(again.weightsStamp(id, { artifact: 'final' })).toBeNull()
    expect(again.insightHistograms(id).map((h) => [h.epoch, h.histograms[0].weights.counts[2]])).toEqual([
      [0, 1],
      [1, 7]
    ])
    expect(again.loadInsight(id, 3)).toBeNull()
  })

  it('refuses an insight for a run that does not exist, and deleting a run deletes its insights', () => {
    const store = open()
    expect(() => store.saveInsight(42, insight(0, 0))).toThrow(/run 42/)
    const id = store.createRun(newRun('r'))
    store.saveInsight(id, insight(0, 0))
    store.deleteRun(id)
    expect(store.insightEpochs(id)).toEqual([])
  })
})
