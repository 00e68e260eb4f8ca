import { describe, it, expect } from 'vitest'
import {
  applyNormalizer,
  fitNormalizer,
  normalizeValue,
  type Normalizer
} from '../../src-engine/data/normalize'

const shape1: [number, number, number] = [1, 2, 2]

function apply(n: Normalizer, src: Float32Array, shape: [number, number, number] = shape1): number[] {
  const per = shape[0] * shape[1] * shape[2]
  const dst = new Float64Array(src.length)
  applyNormalizer(n, src, 0, dst, 0, src.length / per, shape)
  return Array.from(dst)
}

describe('fitNormalizer', () => {
  const train = Float32Array.from([0, 50, 100, 200, 10, 20, 30, 40])
  const validation = Float32Array.from([-1000, 255, 999, 0])

  it('takes min-max statistics from the training data only', () => {
    const n = fitNormalizer({ kind: 'minmax', range: [0, 1] }, train, shape1)
    expect(n).toEqual({ kind: 'minmax', range: [0, 1], min: 0, max: 200 })
    // Validation values outside the training range are not clipped: the map is fixed by training.
    expect(apply(n, validation)).toEqual([-5, 1.275, 4.995, 0])
  })

  it('min-max [0,1] maps the training range exactly onto [0,1]', () => {
    const n = fitNormalizer({ kind: 'minmax', range: [0, 1] }, train, shape1)
    const out = apply(n, train)
    expect(Math.min(...out)).toBe(0)
    expect(Math.max(...out)).toBe(1)
  })

  it('min-max [-1,1] maps the training range exactly onto [-1,1]', () => {
    const n = fitNormalizer({ kind: 'minmax', range: [-1, 1] }, train, shape1)
    const out = apply(n, train)
    expect(Math.min(...out)).toBe(-1)
    expect(Math.max(...out)).toBe(1)
    expect(out[1]).toBeCloseTo(-0.5, 12)
  })

  it('min-max on 0..255 pixels', () => {
    const pixels = Float32Array.from([0, 255, 128, 3])
    const n = fitNormalizer({ kind: 'minmax', range: [0, 1] }, pixels, shape1)
    expect(apply(n, pixels)).toEqual([0, 1, 128 / 255, 3 / 255].map((v) => expect.closeTo(v, 12)))
  })

  it('min-max on constant input does not divide by zero: values map to the range start', () => {
    const constant = new Float32Array(8).fill(7)
    const n = fitNormalizer({ kind: 'minmax', range: [-1, 1] }, constant, shape1)
    expect(apply(n, constant)).toEqual(new Array<number>(8).fill(-1))
    expect(apply(n, Float32Array.from([8, 7, 6, 7]))).toEqual([1, -1, -3, -1])
  })

  it('standardization uses the population std and gives mean 0, std 1 on the training data', () => {
    const n = fitNormalizer({ kind: 'standardize', perChannel: false }, train, shape1)
    if (n.kind !== 'standardize') throw new Error('wrong kind')
    const mean = 450 / 8
    const variance = Array.from(train).reduce((a, v) => a + (v - mean) ** 2, 0) / 8
    expect(n.mean[0]).toBeCloseTo(mean, 12)
    expect(n.std[0]).toBeCloseTo(Math.sqrt(variance), 10)
    const out = apply(n, train)
    const outMean = out.reduce((a, b) => a + b, 0) / out.length
    const outVar = out.reduce((a, v) => a + (v - outMean) ** 2, 0) / out.length
    expect(outMean).toBeCloseTo(0, 12)
    expect(outVar).toBeCloseTo(1, 12)
  })

  it('per-channel standardization', () => {
    // Two images of 2 channels × 1×2: channel 0 holds 0,2,4,6 and channel 1 holds 100,100,300,300.
    const shape: [number, number, number] = [2, 1, 2]
    const data = Float32Array.from([0, 2, 100, 100, 4, 6, 300, 300])
    const n = fitNormalizer({ kind: 'standardize', perChannel: true }, data, shape)
    expect(n).toEqual({ kind: 'standardize', perChannel: true, mean: [3, 200], std: [Math.sqrt(5), 100] })
    const out = apply(n, data, shape)
    expect(out.slice(2, 4)).toEqual([-1, -1])
    expect(out.slice(6, 8)).toEqual([1, 1])
    expect(out[0]).toBeCloseTo(-3 / Math.sqrt(5), 6)
  })

  it('standardization of a constant channel only centres it', () => {
    const n = fitNormalizer({ kind: 'standardize', perChannel: false }, new Float32Array(4).fill(5), shape1)
    expect(apply(n, Float32Array.from([5, 6, 4, 5]))).toEqual([0, 1, -1, 0])
  })

  it('none is the identity', () => {
    const n = fitNormalizer({ kind: 'none' }, train, shape1)
    expect(n).toEqual({ kind: 'none' })
    expect(apply(n, train)).toEqual(Array.from(train))
  })

  it('is plain JSON data', () => {
    const n = fitNormalizer({ kind: 'standardize', perChannel: true }, train, shape1)
    const restored = JSON.parse(JSON.stringify(n)) as Normalizer
    expect(apply(restored, validation)).toEqual(apply(n, validation))
  })

  it('rejects bad input', () => {
    expect(() => fitNormalizer({ kind: 'none' }, new Float32Array(5), shape1)).toThrow(
      '5 values are not a whole number of 1×2×2 images'
    )
    expect(() => fitNormalizer({ kind: 'minmax', range: [0, 1] }, new Float32Array(0), shape1)).toThrow('empty training set')
    expect(() => fitNormalizer({ kind: 'minmax', range: [0, 1] }, Float32Array.from([0, NaN, 1, 2]), shape1)).toThrow(
      'training value at index 1 is NaN'
    )
  })
})

describe('applyNormalizer', () => {
  const n: Normalizer = { kind: 'minmax', range: [0, 1], min: 0, max: 10 }

  it('honours offsets and count, touching nothing else', () => {
    const src = Float32Array.from([99, 10, 5, 0, 2, 77])
    const dst = new Float32Array(7).fill(-9)
    applyNormalizer(n, src, 1, dst, 2, 1, shape1)
    expect(Array.from(dst)).toEqual([-9, -9, 1, 0.5, 0, expect.closeTo(0.2, 6), -9])
  })

  it('works in place', () => {
    const buf = Float32Array.from([10, 5, 0, 2])
    applyNormalizer(n, buf, 0, buf, 0, 1, shape1)
    expect(Array.from(buf)).toEqual([1, 0.5, 0, expect.closeTo(0.2, 6)])
  })

  it('checks bounds and channel count', () => {
    expect(() => applyNormalizer(n, new Float32Array(4), 1, new Float32Array(4), 0, 1, shape1)).toThrow(
      'source holds 4 values, need 4 from offset 1'
    )
    expect(() => applyNormalizer(n, new Float32Array(4), 0, new Float32Array(3), 0, 1, shape1)).toThrow(
      'destination holds 3 values'
    )
    const perChannel: Normalizer = { kind: 'standardize', perChannel: true, mean: [0, 0], std: [1, 1] }
    expect(() => applyNormalizer(perChannel, new Float32Array(12), 0, new Float32Array(12), 0, 1, [3, 2, 2])).toThrow(
      'normalizer was fitted on 2 channels but the input has 3'
    )
  })

  it('normalizeValue matches applyNormalizer', () => {
    expect(normalizeValue(n, 5)).toBe(0.5)
    expect(normalizeValue({ kind: 'none' }, 5)).toBe(5)
  })
})
