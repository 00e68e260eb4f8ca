import { describe, it, expect } from 'vitest'
import { gemm } from '../../src-engine/kernels/js/gemm'
import type { DType } from '../../src-engine/core/tensor'
import { allocArray, makeRandom, randomArray } from '../helpers/random'

const SENTINEL = 12345

interface Case {
  transA: boolean; transB: boolean; M: number; N: number; K: number
  aOffset: number; lda: number; bOffset: number; ldb: number; cOffset: number; ldc: number
  beta: 0 | 1
}

/**
 * Runs gemm on random data and checks every element of C against a float64 triple loop, plus
 * that nothing outside the M×N window of C (offset, gaps between rows, tail) was touched.
 * Returns the largest error relative to Σ|a·b| + |c|, the natural scale of the rounding error.
 */
function check(dtype: DType, c: Case, rnd: () => number): number {
  const { transA, transB, M, N, K, aOffset, lda, bOffset, ldb, cOffset, ldc, beta } = c
  const A = randomArray(dtype, aOffset + (transA ? K : M) * lda + 3, rnd)
  const B = randomArray(dtype, bOffset + (transB ? N : K) * ldb + 3, rnd)
  const cLen = cOffset + M * ldc + 3
  const C = allocArray(dtype, cLen).fill(SENTINEL)
  const old = new Float64Array(M * N)
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      const v = beta === 0 ? NaN : rnd() // beta 0 must ignore old C, even NaN
      C[cOffset + i * ldc + j] = v
      old[i * N + j] = C[cOffset + i * ldc + j]
    }
  }
  gemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)

  let worst = 0
  const inWindow = new Uint8Array(cLen)
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0
      let scale = 0
      for (let p = 0; p < K; p++) {
        const a = transA ? A[aOffset + p * lda + i] : A[aOffset + i * lda + p]
        const b = transB ? B[bOffset + j * ldb + p] : B[bOffset + p * ldb + j]
        s += a * b
        scale += Math.abs(a * b)
      }
      if (beta === 1) {
        s += old[i * N + j]
        scale += Math.abs(old[i * N + j])
      }
      const k = cOffset + i * ldc + j
      inWindow[k] = 1
      const got = C[k]
      if (!Number.isFinite(got)) throw new Error(`non-finite C[${i},${j}] = ${got} for ${JSON.stringify(c)}`)
      const err = Math.abs(got - s) / Math.max(scale, 1e-30)
      if (err > worst) worst = err
    }
  }
  for (let k = 0; k < cLen; k++) {
    if (!inWindow[k] && C[k] !== SENTINEL) throw new Error(`C[${k}] outside the window changed for ${JSON.stringify(c)}`)
  }
  return worst
}

// float64 inputs are computed in float64 throughout (gradient checks need ~1e-15 relative);
// float32 results are float64 sums rounded once to float32.
const TOLERANCE: Record<DType, number> = { float64: 1e-13, float32: 2e-7 }
const SIZES = [1, 3, 5, 7, 13, 17, 33, 65]
const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]]

describe('js gemm', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [transA, transB] of TRANSPOSES) {
      const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`
      it(`${dtype} ${tag}: odd sizes, offsets, padded leading dimensions, beta 0 (NaN C) and 1`, () => {
        const rnd = makeRandom(1000 + (transA ? 2 : 0) + (transB ? 1 : 0) + (dtype === 'float32' ? 10 : 0))
        let worst = 0
        let n = 0
        for (const M of SIZES) {
          for (const N of SIZES) {
            for (const K of SIZES) {
              const beta: 0 | 1 = (n++ & 1) === 0 ? 0 : 1
              // Vary offsets and leading-dimension padding between cases.
              const pad = n % 3
              worst = Math.max(worst, check(dtype, {
                transA, transB, M, N, K, beta,
                aOffset: n % 5, lda: (transA ? M : K) + pad,
                bOffset: (n * 7) % 11, ldb: (transB ? K : N) + 2 * pad,
                cOffset: n % 4, ldc: N + ((n >> 1) % 3)
              }, rnd))
            }
          }
        }
        expect(worst).toBeLessThan(TOLERANCE[dtype])
      })

      it(`${dtype} ${tag}: crosses every cache-blocking boundary`, () => {
        const rnd = makeRandom(77 + (transA ? 2 : 0) + (transB ? 1 : 0))
        // K > 256 (two k blocks, the second accumulating), rows > 96 and cols > 256; both
        // tile orientations (M = 16 / N = 16 favour the transposed one).
        const shapes: Array<[number, number, number]> = [[101, 263, 300], [16, 150, 100], [150, 16, 513], [97, 5, 260]]
        let worst = 0
        for (const [M, N, K] of shapes) {
          for (const beta of [0, 1] as const) {
            worst = Math.max(worst, check(dtype, {
              transA, transB, M, N, K, beta,
              aOffset: 1, lda: (transA ? M : K) + 1, bOffset: 2, ldb: (transB ? K : N) + 3, cOffset: 5, ldc: N + 2
            }, rnd))
          }
        }
        expect(worst).toBeLessThan(TOLERANCE[dtype])
      })
    }
  }

  it('LeNet-5 shapes in all three layouts used by training (NN forward, NT dW, TN dcol)', () => {
    const rnd = makeRandom(5)
    const shapes: Array<[boolean, boolean, number, number, number]> = [
      [false, false, 6, 784, 25], [false, true, 6, 25, 784], [true, false, 25, 784, 6],
      [false, false, 16, 100, 150], [false, true, 16, 150, 100], [true, false, 150, 100, 16],
      [false, true, 64, 120, 400], [true, false, 120, 400, 64], [false, false, 64, 400, 120]
    ]
    for (const dtype of ['float64', 'float32'] as const) {
      let worst = 0
      for (const [transA, transB, M, N, K] of shapes) {
        worst = Math.max(worst, check(dtype, {
          transA, transB, M, N, K, beta: 0,
          aOffset: 0, lda: transA ? M : K, bOffset: 0, ldb: transB ? K : N, cOffset: 0, ldc: N
        }, rnd))
      }
      expect(worst).toBeLessThan(TOLERANCE[dtype])
    }
  })

  it('float64 results are accurate enough for 1e-6 gradient checks', () => {
    // Sums with heavy cancellation: errors must stay at float64 rounding level, not float32.
    const rnd = makeRandom(9)
    const M = 7, N = 9, K = 300
    const A = randomArray('float64', M * K, rnd)
    const B = randomArray('float64', K * N, rnd)
    for (let i = 0; i < A.length; i++) A[i] = 1 + 1e-9 * A[i]
    const C = new Float64Array(M * N)
    gemm(false, false, M, N, K, A, 0, K, B, 0, N, 0, C, 0, N)
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0
        let scale = 0
        for (let p = 0; p < K; p++) {
          s += A[i * K + p] * B[p * N + j]
          scale += Math.abs(A[i * K + p] * B[p * N + j])
        }
        expect(Math.abs(C[i * N + j] - s)).toBeLessThan(1e-14 * scale)
      }
    }
  })

  it('K = 0: beta 0 writes zeros, beta 1 leaves C unchanged', () => {
    const A = new Float64Array(4)
    const B = new Float64Array(4)
    const C = new Float64Array([NaN, NaN, 7, NaN, NaN, 7])
    gemm(false, false, 2, 2, 0, A, 0, 1, B, 0, 2, 0, C, 0, 3)
    expect(Array.from(C)).toEqual([0, 0, 7, 0, 0, 7])
    const D = new Float32Array([1, 2, 3, 4])
    gemm(true, true, 2, 2, 0, A, 0, 2, B, 0, 1, 1, D, 0, 2)
    expect(Array.from(D)).toEqual([1, 2, 3, 4])
  })

  it('M = 0 or N = 0 is a no-op', () => {
    const A = new Float64Array(8).fill(1)
    const C = new Float64Array(8).fill(SENTINEL)
    gemm(false, false, 0, 4, 2, A, 0, 2, A, 0, 4, 0, C, 0, 4)
    gemm(false, false, 4, 0, 2, A, 0, 2, A, 0, 4, 0, C, 0, 4)
    expect(Array.from(C)).toEqual(new Array(8).fill(SENTINEL))
  })

  it('interleaved float32 and float64 calls share scratch safely', () => {
    const rnd = makeRandom(21)
    for (let r = 0; r < 6; r++) {
      const dtype: DType = r % 2 === 0 ? 'float32' : 'float64'
      const worst = check(dtype, {
        transA: r % 3 === 0, transB: r % 2 === 1, M: 40 + r, N: 70 - r, K: 90 + 3 * r, beta: (r % 2) as 0 | 1,
        aOffset: 0, lda: r % 3 === 0 ? 40 + r : 90 + 3 * r, bOffset: 0, ldb: r % 2 === 1 ? 90 + 3 * r : 70 - r,
        cOffset: 0, ldc: 70 - r
      }, rnd)
      expect(worst).toBeLessThan(TOLERANCE[dtype])
    }
  })
})
