import type { DType, FloatArray } from '../../src-engine/core/tensor'

/** mulberry32: small seeded PRNG, uniform in [-1, 1). */
export function makeRandom(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1
  }
}

/** A zero-filled array of n values of the dtype. */
export function allocArray(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : new Float32Array(n)
}

/** n values drawn from rnd, in an array of the dtype. */
export function randomArray(dtype: DType, n: number, rnd: () => number): FloatArray {
  const a = allocArray(dtype, n)
  for (let i = 0; i < n; i++) a[i] = rnd()
  return a
}
