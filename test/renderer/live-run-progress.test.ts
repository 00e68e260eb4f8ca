import { describe, expect, it } from 'vitest'
import { computeProgress, extendSmoothed, formatDuration, newSmoother, recentMean, smooth } from '../../src-renderer/src/components/run/progress'
import { bestFromHistory, type EpochRow } from '../../src-renderer/src/stores/live-runs'

describe('run progress and ETA', () => {
  const base = { epochs: 4, stepsPerEpoch: 10, trainSize: 300, batchSize: 32, lastStep: 0, epochsCompleted: 0, imagesPerSecond: null }

  it('is unknown until the engine reported its steps per epoch', () => {
    expect(computeProgress({ ...base, stepsPerEpoch: null, lastStep: 3 })).toEqual({ fraction: null, currentEpoch: 1, totalSteps: null, etaSeconds: null })
  })

  it('counts steps over all epochs and names the epoch being trained (1-based, capped)', () => {
    expect(computeProgress({ ...base, lastStep: 15, epochsCompleted: 1 })).toMatchObject({ fraction: 15 / 40, currentEpoch: 2, totalSteps: 40 })
    expect(computeProgress({ ...base, lastStep: 40, epochsCompleted: 4 })).toMatchObject({ fraction: 1, currentEpoch: 4 })
    // Epoch done (validation included) but no step of the next one yet.
    expect(computeProgress({ ...base, lastStep: 10, epochsCompleted: 1 })).toMatchObject({ fraction: 0.25, currentEpoch: 2 })
  })

  it('estimates the time left from the images still to train at the recent throughput', () => {
    // 15 of 40 steps done: 5 steps left in epoch 2 (5·32 = 160 images) + 2 full epochs of 300 → 760 images.
    expect(computeProgress({ ...base, lastStep: 15, epochsCompleted: 1, imagesPerSecond: 100 }).etaSeconds).toBeCloseTo(7.6)
    // The last batch of an epoch is partial: steps left × batch never exceeds the split.
    expect(computeProgress({ ...base, lastStep: 0, imagesPerSecond: 300 }).etaSeconds).toBeCloseTo(4)
    expect(computeProgress({ ...base, lastStep: 40, epochsCompleted: 4, imagesPerSecond: 300 }).etaSeconds).toBe(0)
    expect(computeProgress({ ...base, lastStep: 15, imagesPerSecond: 0 }).etaSeconds).toBeNull()
  })

  it('averages the recent throughput over finite values only', () => {
    const pts = [1, 2, 3, NaN, 5].map((y, x) => ({ x, y }))
    expect(recentMean(pts, 2)).toBe(4)
    expect(recentMean(pts, 10)).toBe(11 / 4)
    expect(recentMean([])).toBeNull()
  })

  it('formats durations as h:mm:ss / m:ss', () => {
    expect(formatDuration(7)).toBe('0:07')
    expect(formatDuration(245)).toBe('4:05')
    expect(formatDuration(3723)).toBe('1:02:03')
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(-1)).toBe('—')
  })
})

describe('curve smoothing', () => {
  it('is the bias-corrected EMA (first point unchanged, constant curves stay constant)', () => {
    const pts = [4, 4, 4].map((y, x) => ({ x, y }))
    expect(smooth(pts, 0.9).map((p) => p.y)).toEqual([4, 4, 4].map(() => expect.closeTo(4, 10)))
    const s = smooth([{ x: 1, y: 1 }, { x: 2, y: 3 }], 0.5)
    // avg = 0.5, then 0.5·0.5 + 0.5·3 = 1.75; corrections 0.5 and 0.75.
    expect(s).toEqual([{ x: 1, y: 1 }, { x: 2, y: 1.75 / 0.75 }])
    expect(smooth(pts, 0)).toEqual(pts)
  })

  it('extends incrementally exactly as a full recomputation, skipping non-finite points', () => {
    const src = Array.from({ length: 50 }, (_, i) => ({ x: i + 1, y: i === 20 ? NaN : Math.sin(i) + i / 10 }))
    const out: { x: number; y: number }[] = []
    const state = newSmoother()
    extendSmoothed(src.slice(0, 17), out, 0.8, state)
    extendSmoothed(src.slice(0, 33), out, 0.8, state)
    extendSmoothed(src, out, 0.8, state)
    expect(out).toEqual(smooth(src, 0.8))
    expect(out).toHaveLength(49)
  })
})

describe('best epoch from history', () => {
  const row = (epoch: number, valLoss: number | null, valAccuracy: number | null): EpochRow => ({ epoch, step: (epoch + 1) * 10, trainLoss: 1, trainAccuracy: 0.5, valLoss, valAccuracy, lr: 0.1, elapsedMs: 0 })
  const rows = [row(0, 0.9, 0.7), row(1, 0.5, 0.8), row(2, 0.6, 0.85), row(3, null, null)]
  it('takes the lowest validation loss by default and the highest accuracy when early stopping watches it', () => {
    expect(bestFromHistory(rows, undefined)).toBe(1)
    expect(bestFromHistory(rows, 'val_loss')).toBe(1)
    expect(bestFromHistory(rows, 'val_accuracy')).toBe(2)
    expect(bestFromHistory([row(0, null, null)], undefined)).toBeNull()
  })
})
