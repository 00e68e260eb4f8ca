import { describe, it, expect } from 'vitest'
import { createRng } from '../../src-engine/core/rng'
import {
  balancedQuotas,
  classCounts,
  datasetFromIdx,
  DatasetError,
  proportionalQuotas,
  splitDataset,
  subset,
  type Dataset
} from '../../src-engine/data/dataset'
import type { IdxArray } from '../../src-engine/data/idx'

function images(n: number, h = 2, w = 2): IdxArray {
  return { type: 'uint8', dims: [n, h, w], data: Uint8Array.from({ length: n * h * w }, (_, i) => i % 256) }
}

function labels(values: number[]): IdxArray {
  return { type: 'uint8', dims: [values.length], data: Uint8Array.from(values) }
}

/** Dataset whose image i is filled with the value i, so samples can be traced after shuffling. */
function traceable(classSizes: number[]): Dataset {
  const labelList = classSizes.flatMap((n, c) => new Array<number>(n).fill(c))
  const n = labelList.length
  const data = new Float32Array(n * 4)
  for (let i = 0; i < n; i++) data.fill(i, i * 4, i * 4 + 4)
  return {
    name: 'toy',
    inputShape: [1, 2, 2],
    numClasses: classSizes.length,
    classNames: classSizes.map((_, c) => `c${c}`),
    images: data,
    labels: Int32Array.from(labelList),
    size: n
  }
}

function ids(ds: Dataset): number[] {
  return Array.from({ length: ds.size }, (_, i) => ds.images[i * 4])
}

describe('datasetFromIdx', () => {
  it('builds a 1-channel dataset from [N,H,W] images', () => {
    const ds = datasetFromIdx('t', images(3, 2, 3), labels([0, 2, 1]))
    expect(ds.inputShape).toEqual([1, 2, 3])
    expect(ds.size).toBe(3)
    expect(ds.numClasses).toBe(3)
    expect(ds.classNames).toEqual(['0', '1', '2'])
    expect(ds.images).toBeInstanceOf(Float32Array)
    expect(Array.from(ds.images.subarray(0, 6))).toEqual([0, 1, 2, 3, 4, 5])
    expect(Array.from(ds.labels)).toEqual([0, 2, 1])
  })

  it('accepts [N,C,H,W] images', () => {
    const img: IdxArray = { type: 'uint8', dims: [2, 3, 4, 5], data: new Uint8Array(120) }
    expect(datasetFromIdx('t', img, labels([0, 1])).inputShape).toEqual([3, 4, 5])
  })

  it('rejects other image ranks', () => {
    const img: IdxArray = { type: 'uint8', dims: [2, 4], data: new Uint8Array(8) }
    expect(() => datasetFromIdx('t', img, labels([0, 1]))).toThrow('images: images must have dims [N,H,W] or [N,C,H,W], got 2×4')
  })

  it('rejects mismatched counts', () => {
    expect(() => datasetFromIdx('t', images(10000, 1, 1), labels(new Array<number>(9999).fill(0)))).toThrow(
      'images has 10000 items but labels has 9999'
    )
  })

  it('names the sources in errors', () => {
    expect(() =>
      datasetFromIdx('t', images(2), labels([0]), undefined, { images: 'a/img.gz', labels: 'a/lab.gz' })
    ).toThrow('a/img.gz has 2 items but a/lab.gz has 1')
  })

  it('rejects a label outside the class names, naming the index', () => {
    expect(() => datasetFromIdx('t', images(3), labels([0, 1, 2]), ['a', 'b'])).toThrow(
      'labels: label at index 2 is 2, but there are only 2 classes (0..1)'
    )
    expect(() => datasetFromIdx('t', images(3), labels([0, 1, 2]), ['a', 'b']))
      .toThrow(DatasetError)
  })

  it('rejects negative and non-integer labels', () => {
    const neg: IdxArray = { type: 'int8', dims: [2], data: Int8Array.from([0, -1]) }
    expect(() => datasetFromIdx('t', images(2), neg)).toThrow('label at index 1 is -1; labels must be integers >= 0')
    const frac: IdxArray = { type: 'float32', dims: [2], data: Float32Array.from([0.5, 1]) }
    expect(() => datasetFromIdx('t', images(2), frac)).toThrow('label at index 0 is 0.5')
  })

  it('rejects multi-dimensional labels', () => {
    const lab: IdxArray = { type: 'uint8', dims: [2, 1], data: new Uint8Array(2) }
    expect(() => datasetFromIdx('t', images(2), lab)).toThrow('labels must be 1-dimensional')
  })

  it('uses class names when given (numClasses may exceed the largest label)', () => {
    const ds = datasetFromIdx('t', images(2), labels([0, 1]), ['x', 'y', 'z'])
    expect(ds.numClasses).toBe(3)
    expect(ds.classNames).toEqual(['x', 'y', 'z'])
  })
})

describe('subset', () => {
  it('copies the chosen samples in order', () => {
    const ds = traceable([3, 3])
    const s = subset(ds, [4, 0, 4])
    expect(ids(s)).toEqual([4, 0, 4])
    expect(Array.from(s.labels)).toEqual([1, 0, 1])
    s.images[0] = -1
    expect(ds.images[16]).toBe(4)
  })

  it('rejects out-of-range indices', () => {
    expect(() => subset(traceable([2]), [0, 2])).toThrow('subset of toy: index 2 at position 1 is outside 0..1')
  })
})

describe('splitDataset', () => {
  const ds = traceable([30, 50, 20])

  it('sizes from a fraction, disjoint, covering everything', () => {
    const { train, validation } = splitDataset(ds, { validationFraction: 0.2, seed: 1 })
    expect(validation.size).toBe(20)
    expect(train.size).toBe(80)
    const all = [...ids(train), ...ids(validation)].sort((a, b) => a - b)
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i))
    // Labels travel with their images.
    for (const part of [train, validation]) {
      ids(part).forEach((id, k) => expect(part.labels[k]).toBe(ds.labels[id]))
    }
  })

  it('validationSize and trainSize', () => {
    const { train, validation } = splitDataset(ds, { validationSize: 10, trainSize: 25, seed: 1 })
    expect(validation.size).toBe(10)
    expect(train.size).toBe(25)
    const overlap = ids(train).filter((i) => ids(validation).includes(i))
    expect(overlap).toEqual([])
  })

  it('no validation set by default', () => {
    const { train, validation } = splitDataset(ds, { seed: 3 })
    expect(train.size).toBe(100)
    expect(validation.size).toBe(0)
  })

  it('shuffles: the class-sorted input is not kept in order', () => {
    const { train } = splitDataset(ds, { seed: 5 })
    expect(ids(train)).not.toEqual(Array.from({ length: 100 }, (_, i) => i))
  })

  it('is deterministic for a seed, and the seed matters', () => {
    const a = splitDataset(ds, { validationFraction: 0.1, trainSize: 40, seed: 7 })
    const b = splitDataset(ds, { validationFraction: 0.1, trainSize: 40, seed: 7 })
    const c = splitDataset(ds, { validationFraction: 0.1, trainSize: 40, seed: 8 })
    expect(ids(a.train)).toEqual(ids(b.train))
    expect(ids(a.validation)).toEqual(ids(b.validation))
    expect(ids(a.train)).not.toEqual(ids(c.train))
  })

  it('uses a passed Rng the same way as the seed', () => {
    const a = splitDataset(ds, { validationSize: 10, seed: 11 })
    const b = splitDataset(ds, { validationSize: 10 }, createRng(11))
    expect(ids(a.train)).toEqual(ids(b.train))
  })

  it('stratified: validation keeps class proportions, a training subset is balanced', () => {
    const big = traceable([300, 500, 200])
    const { train, validation } = splitDataset(big, { validationSize: 100, trainSize: 150, seed: 2, stratified: true })
    expect(classCounts(validation)).toEqual([30, 50, 20])
    expect(classCounts(train)).toEqual([50, 50, 50])
  })

  it('stratified: a 500-sample subset of 10 classes has 50 per class', () => {
    const tenClasses = traceable([100, 120, 90, 60, 80, 70, 110, 95, 85, 75])
    const { train } = splitDataset(tenClasses, { trainSize: 500, seed: 4, stratified: true })
    expect(classCounts(train)).toEqual(new Array<number>(10).fill(50))
  })

  it('stratified: classes that run short give their share to the others', () => {
    const small = traceable([5, 100, 100])
    const { train } = splitDataset(small, { trainSize: 90, seed: 4, stratified: true })
    expect(classCounts(train)).toEqual([5, 43, 42])
  })

  it('stratified results are shuffled and deterministic', () => {
    const a = splitDataset(ds, { validationSize: 10, trainSize: 30, seed: 9, stratified: true })
    const b = splitDataset(ds, { validationSize: 10, trainSize: 30, seed: 9, stratified: true })
    expect(ids(a.train)).toEqual(ids(b.train))
    const labelsInOrder = Array.from(a.train.labels)
    expect(labelsInOrder).not.toEqual([...labelsInOrder].sort((x, y) => x - y))
  })

  it('validates sizes with clear errors', () => {
    expect(() => splitDataset(ds, { validationFraction: 1, seed: 1 })).toThrow('validationFraction must be in [0, 1), got 1')
    expect(() => splitDataset(ds, { validationFraction: -0.1, seed: 1 })).toThrow('validationFraction must be in [0, 1)')
    expect(() => splitDataset(ds, { validationFraction: 0.1, validationSize: 5, seed: 1 })).toThrow(
      'give either validationFraction or validationSize, not both'
    )
    expect(() => splitDataset(ds, { validationSize: 100, seed: 1 })).toThrow(
      'validationSize must be an integer from 0 to 99 (toy has 100 samples), got 100'
    )
    expect(() => splitDataset(ds, { validationSize: 2.5, seed: 1 })).toThrow('validationSize must be an integer')
    expect(() => splitDataset(ds, { validationSize: 20, trainSize: 81, seed: 1 })).toThrow(
      'trainSize must be an integer from 1 to 80 (100 samples minus 20 for validation), got 81'
    )
    expect(() => splitDataset(ds, { trainSize: 0, seed: 1 })).toThrow('trainSize must be an integer from 1 to 100')
    expect(() => splitDataset(ds, {})).toThrow('splitDataset needs either an Rng or options.seed')
  })
})

describe('quota helpers', () => {
  it('proportionalQuotas sums to the total and respects counts', () => {
    expect(proportionalQuotas([1, 1, 1], 2)).toEqual([1, 1, 0])
    expect(proportionalQuotas([10, 0, 30], 4)).toEqual([1, 0, 3])
    expect(proportionalQuotas([2, 2], 4)).toEqual([2, 2])
  })

  it('balancedQuotas fills evenly with caps', () => {
    expect(balancedQuotas([10, 10, 10], 7)).toEqual([3, 2, 2])
    expect(balancedQuotas([1, 10, 3], 12)).toEqual([1, 8, 3])
    expect(balancedQuotas([1, 1], 5)).toEqual([1, 1])
  })
})
