import { afterEach, describe, expect, it } from 'vitest'
import { RunStore } from '../../src-main/store/run-store'
import { openDatabase } from '../../src-main/store/database'
import { MIGRATIONS } from '../../src-main/store/migrations'
import type { InsightRecord } from '../../src-main/store/types'
import { MAX_WEIGHT_SNAPSHOTS, snapshotCap, snapshotStride, snapshotsToDrop } from '../../src-main/store/weight-snapshots'
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
    histograms: [{ name: '0.weight', layer: 0, weights: { min: -1, max: 1, mean: 0, std: 0.5, counts: [1, 2, fill] }, gradients: { min: 0, max: 0, mean: 0, std: 0, counts: [0, 3, 0] } }]
  }
}
const weights = (fill: number) => Uint8Array.from([1, 2, 3, fill])

describe('epoch insights in the store', () => {
  it('round-trips every column, replaces a replayed epoch and lists epochs in order', () => {
    const path = tempDbPath()
    const store = open(path)
    const id = store.createRun(newRun('r'))
    store.saveInsight(id, insight(1, 5), weights(5))
    store.saveInsight(id, insight(0, 1), weights(1))
    store.saveInsight(id, insight(1, 7), weights(7))
    store.close()
    stores = []
    const again = open(path)
    expect(again.insightEpochs(id)).toEqual([0, 1])
    const got = again.loadInsight(id, 1)!
    const { createdAt, ...rest } = got
    expect(rest).toEqual(insight(1, 7))
    expect(createdAt).toBeTypeOf('number')
    expect(again.weightEpochs(id)).toEqual([0, 1])
    expect(again.loadEpochWeights(id, 1)).toEqual(weights(7))
    expect(again.loadEpochWeights(id, 2)).toBeNull()
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
    expect(() => store.saveInsight(42, insight(0, 0), weights(0))).toThrow(/run 42/)
    expect(store.insightEpochs(42)).toEqual([])
    const id = store.createRun(newRun('r'))
    store.saveInsight(id, insight(0, 0), weights(0))
    store.deleteRun(id)
    expect(store.insightEpochs(id)).toEqual([])
    expect(store.weightEpochs(id)).toEqual([])
  })

  it('keeps every epoch’s insight but thins a long run’s weights to evenly spaced epochs plus the newest', () => {
    const store = open()
    const id = store.createRun(newRun('long'))
    const epochs = 150
    for (let e = 0; e < epochs; e++) {
      store.saveInsight(id, insight(e, e % 200), weights(e % 200))
      const kept = store.weightEpochs(id)
      expect(kept.length).toBeLessThanOrEqual(MAX_WEIGHT_SNAPSHOTS)
      expect(kept.at(-1)).toBe(e)
      expect(kept[0]).toBe(0)
      // Evenly spaced: every kept epoch but the newest is a multiple of one stride, and all of them are there.
      const stride = snapshotStride(e)
      expect(kept.filter((k) => k !== e)).toEqual(Array.from({ length: Math.ceil(e / stride) }, (_, i) => i * stride))
    }
    expect(store.insightEpochs(id)).toHaveLength(epochs)
    expect(store.weightEpochs(id)).toEqual([...Array.from({ length: 19 }, (_, i) => i * 8), 149])
    expect(store.loadEpochWeights(id, 144)).toEqual(weights(144))
    expect(store.loadEpochWeights(id, 145)).toBeNull()
    expect(store.weightsStamp(id, { epoch: 145 })).toBeNull()
    expect(store.loadInsight(id, 145)?.confusion[0]).toBe(3 + 145)
  })

  it('moves the weights of insights stored before they had their own table', () => {
    const path = tempDbPath()
    const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 5) })
    const id = Number(
      old
        .prepare(`INSERT INTO runs (name, status, created_at, network, training, seed, dataset, notes, tags) VALUES ('old', 'completed', 0, '{}', '{}', 1, 'shapes', '', '[]')`)
        .run().lastInsertRowid
    )
    const row = insight(3, 2)
    old
      .prepare(
        `INSERT INTO epoch_insights (run_id, epoch, classes, score_kind, k, confusion, labels, top_labels, top_scores, histograms, weights, created_at)
         VALUES (?, 3, 2, 'probability', 2, ?, ?, ?, ?, ?, ?, 1234)`
      )
      .run(id, ...[row.confusion, row.labels, row.topLabels, row.topScores].map((a) => Buffer.from(a.buffer)), JSON.stringify(row.histograms), Buffer.from(weights(2)))
    old.close()
    const store = open(path)
    expect(store.loadInsight(id, 3)).toEqual({ ...row, createdAt: 1234 })
    expect(store.weightEpochs(id)).toEqual([3])
    expect(store.loadEpochWeights(id, 3)).toEqual(weights(2))
    expect(store.weightsStamp(id, { epoch: 3 })).toBe(1234)
  })
})

describe('which epochs keep their weights', () => {
  it('keeps everything up to the cap, then multiples of a power-of-two stride plus the newest', () => {
    const all = (n: number) => Array.from({ length: n }, (_, i) => i)
    expect(snapshotsToDrop([])).toEqual([])
    expect(snapshotsToDrop(all(32))).toEqual([])
    expect(snapshotStride(31)).toBe(1)
    expect(snapshotStride(32)).toBe(2)
    expect(snapshotsToDrop(all(33)).length).toBe(16)
    expect(snapshotsToDrop(all(34))).toEqual(all(34).filter((e) => e % 2 === 1 && e !== 33))
    expect(snapshotsToDrop(all(10), 4)).toEqual([1, 2, 3, 5, 6, 7])
    // Only the newest epoch sets the stride: what is left of earlier thinning is not thinned again sooner.
    expect(snapshotsToDrop([0, 4, 8, 9, 10], 4)).toEqual([9])
    expect(() => snapshotsToDrop(all(3), 1)).toThrow(/at least 2/)
  })

  it('keeps fewer snapshots of a big model: 128 MiB at most, never fewer than 4', () => {
    const MiB = 1024 * 1024
    expect(snapshotCap(242 * 1024)).toBe(32) // LeNet-5
    expect(snapshotCap(1.8 * MiB)).toBe(32) // small VGG
    expect(snapshotCap(4 * MiB)).toBe(32)
    expect(snapshotCap(12.8 * MiB)).toBe(10) // "Overfit me", 3.2 M parameters
    expect(snapshotCap(100 * MiB)).toBe(4)
    expect(snapshotCap(0)).toBe(32)
    // 60 epochs of "Overfit me" keep 0, 8, …, 56 and 59: 9 snapshots, 115 MiB.
    expect(60 - snapshotsToDrop(Array.from({ length: 60 }, (_, i) => i), snapshotCap(12.8 * MiB)).length).toBe(9)
  })
})
