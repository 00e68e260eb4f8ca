import { describe, it, expect } from 'vitest'
import { classCounts, splitDataset, type Dataset } from '../../src-engine/data/dataset'
import { makeShapesDataset, SHAPE_CLASSES } from '../../src-engine/data/shapes'

/**
 * Crops image i to its ink bounding box and resamples it to k×k (nearest pixel), removing position
 * and scale so a plain nearest-neighbour classifier can show the classes are separable.
 */
function canonical(ds: Dataset, i: number, k = 8): Float64Array {
  const [, h, w] = ds.inputShape
  const img = ds.images.subarray(i * h * w, (i + 1) * h * w)
  let x0 = w
  let x1 = -1
  let y0 = h
  let y1 = -1
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (img[y * w + x] > 60) {
        x0 = Math.min(x0, x)
        x1 = Math.max(x1, x)
        y0 = Math.min(y0, y)
        y1 = Math.max(y1, y)
      }
    }
  }
  const out = new Float64Array(k * k)
  if (x1 < 0) return out
  let max = 0
  for (let v = 0; v < k; v++) {
    for (let u = 0; u < k; u++) {
      const x = Math.min(x1, x0 + Math.floor(((u + 0.5) * (x1 - x0 + 1)) / k))
      const y = Math.min(y1, y0 + Math.floor(((v + 0.5) * (y1 - y0 + 1)) / k))
      out[v * k + u] = img[y * w + x]
      max = Math.max(max, out[v * k + u])
    }
  }
  return out.map((v) => v / max)
}

function nearestNeighbourAccuracy(train: Dataset, test: Dataset): number {
  const trainFeatures = Array.from({ length: train.size }, (_, i) => canonical(train, i))
  let correct = 0
  for (let t = 0; t < test.size; t++) {
    const f = canonical(test, t)
    let best = Infinity
    let label = -1
    trainFeatures.forEach((g, i) => {
      let d = 0
      for (let j = 0; j < f.length; j++) d += (f[j] - g[j]) ** 2
      if (d < best) {
        best = d
        label = train.labels[i]
      }
    })
    if (label === test.labels[t]) correct++
  }
  return correct / test.size
}

describe('makeShapesDataset', () => {
  it('has the documented shape, classes and pixel range', () => {
    const ds = makeShapesDataset({ count: 200, seed: 1 })
    expect(ds.inputShape).toEqual([1, 16, 16])
    expect(ds.size).toBe(200)
    expect(ds.images.length).toBe(200 * 256)
    expect(ds.numClasses).toBe(4)
    expect(ds.classNames).toEqual([...SHAPE_CLASSES])
    let min = Infinity
    let max = -Infinity
    let nonInteger = 0
    for (const v of ds.images) {
      min = Math.min(min, v)
      max = Math.max(max, v)
      if (!Number.isInteger(v)) nonInteger++
    }
    expect(nonInteger).toBe(0)
    expect(min).toBe(0)
    expect(max).toBeLessThanOrEqual(255)
    expect(max).toBeGreaterThan(150)
  })

  it('has balanced classes in shuffled order', () => {
    const ds = makeShapesDataset({ count: 402, seed: 2 })
    expect(classCounts(ds)).toEqual([101, 101, 100, 100])
    expect(Array.from(ds.labels.subarray(0, 8))).not.toEqual([0, 1, 2, 3, 0, 1, 2, 3])
  })

  it('every image has a visible shape', () => {
    const ds = makeShapesDataset({ count: 100, size: 12, seed: 3 })
    for (let i = 0; i < ds.size; i++) {
      const ink = ds.images.subarray(i * 144, (i + 1) * 144).filter((v) => v > 100).length
      expect(ink).toBeGreaterThan(4)
    }
  })

  it('is deterministic for a seed, and the seed matters', () => {
    const a = makeShapesDataset({ count: 50, seed: 7, noise: 10 })
    const b = makeShapesDataset({ count: 50, seed: 7, noise: 10 })
    const c = makeShapesDataset({ count: 50, seed: 8, noise: 10 })
    expect(Array.from(a.images)).toEqual(Array.from(b.images))
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels))
    expect(Array.from(a.images)).not.toEqual(Array.from(c.images))
  })

  it('noise adds grey levels to the background, clamped to 0..255', () => {
    const ds = makeShapesDataset({ count: 20, seed: 4, noise: 20 })
    const background = Array.from(ds.images).filter((v) => v > 0 && v < 40).length
    expect(background).toBeGreaterThan(1000)
    expect(Math.min(...ds.images)).toBe(0)
    expect(Math.max(...ds.images)).toBeLessThanOrEqual(255)
  })

  it('classes are separable (nearest neighbour on position- and scale-normalized crops)', () => {
    const ds = makeShapesDataset({ count: 600, seed: 5 })
    const { train, validation } = splitDataset(ds, { validationSize: 200, seed: 1 })
    expect(nearestNeighbourAccuracy(train, validation)).toBeGreaterThan(0.9)
  })

  it('validates options', () => {
    expect(() => makeShapesDataset({ count: 0, seed: 1 })).toThrow('count must be an integer >= 1')
    expect(() => makeShapesDataset({ count: 4, size: 4, seed: 1 })).toThrow('size must be an integer >= 8')
    expect(() => makeShapesDataset({ count: 4, seed: 1, noise: -1 })).toThrow('noise must be >= 0')
  })
})
