/**
 * The WebAssembly kernels against the JavaScript reference and a float64 oracle: many shapes incl.
 * odd sizes, offsets, padded leading dimensions, all transposes, beta 0 (NaN in C) and 1, operands
 * planned in wasm memory and plain arrays staged through it, and the JS fallback for float64.
 */
import { describe, it, expect } from 'vitest'
import { jsKernels } from '../../src-engine/kernels/js/index'
import type { WasmKernels } from '../../src-engine/kernels/wasm/wasm-kernels'
import { createNetwork } from '../../src-engine/network'
import { kernelsFor, WASM_BACKENDS } from '../helpers/backends'
import { makeRandom } from '../helpers/random'

const SENTINEL = 12345
/** f32 accumulation over K terms: error relative to Σ|a·b| + |c| stays near K·2⁻²⁴ at worst. */
const GEMM_TOL = 2e-6

interface Layout {
  transA: boolean; transB: boolean; M: number; N: number; K: number; beta: 0 | 1
  aOffset: number; lda: number; bOffset: number; ldb: number; cOffset: number; ldc: number
}

type Make = (n: number) => Float32Array

/** Runs the kernel's gemm and returns the worst relative error against a float64 triple loop. */
function checkGemm(k: WasmKernels, c: Layout, make: Make, rnd: () => number): number {
  const { transA, transB, M, N, K, beta, aOffset, lda, bOffset, ldb, cOffset, ldc } = c
  const fill = (n: number) => {
    const a = make(n)
    for (let i = 0; i < n; i++) a[i] = rnd()
    return a
  }
  const A = fill(aOffset + (transA ? K : M) * lda + 3)
  const B = fill(bOffset + (transB ? N : K) * ldb + 3)
  const cLen = cOffset + M * ldc + 3
  const C = make(cLen).fill(SENTINEL)
  const old = new Float64Array(M * N)
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      C[cOffset + i * ldc + j] = beta === 0 ? NaN : rnd()
      old[i * N + j] = C[cOffset + i * ldc + j]
    }
  }
  k.gemm(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
  let worst = 0
  const inWindow = new Uint8Array(cLen)
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = beta === 1 ? old[i * N + j] : 0
      let scale = Math.abs(s)
      for (let p = 0; p < K; p++) {
        const ab = (transA ? A[aOffset + p * lda + i] : A[aOffset + i * lda + p]) * (transB ? B[bOffset + j * ldb + p] : B[bOffset + p * ldb + j])
        s += ab
        scale += Math.abs(ab)
      }
      const at = cOffset + i * ldc + j
      inWindow[at] = 1
      if (!Number.isFinite(C[at])) throw new Error(`non-finite C[${i},${j}] = ${C[at]} for ${JSON.stringify(c)}`)
      worst = Math.max(worst, Math.abs(C[at] - s) / Math.max(scale, 1e-30))
    }
  }
  for (let at = 0; at < cLen; at++) {
    if (!inWindow[at] && C[at] !== SENTINEL) throw new Error(`C[${at}] outside the window changed for ${JSON.stringify(c)}`)
  }
  return worst
}

const SIZES = [1, 3, 4, 5, 8, 9, 13, 17, 33]
const TRANSPOSES: Array<[boolean, boolean]> = [[false, false], [false, true], [true, false], [true, true]]

describe.each(WASM_BACKENDS)('%s kernels', (backend) => {
  const kernels = kernelsFor(backend) as WasmKernels
  const planned = kernels.createAllocator('float32')
  const inMemory: Make = (n) => planned.alloc(n) as Float32Array
  const plain: Make = (n) => new Float32Array(n)

  for (const [transA, transB] of TRANSPOSES) {
    const tag = `${transA ? 'T' : 'N'}${transB ? 'T' : 'N'}`
    it(`gemm ${tag}: odd sizes, offsets, padded leading dimensions, beta 0 (NaN C) and 1, planned and staged operands`, () => {
      const rnd = makeRandom(300 + (transA ? 2 : 0) + (transB ? 1 : 0))
      let worst = 0
      let n = 0
      for (const M of SIZES) {
        for (const N of SIZES) {
          for (const K of SIZES) {
            n++
            const pad = n % 3
            worst = Math.max(worst, checkGemm(kernels, {
              transA, transB, M, N, K, beta: (n & 1) === 0 ? 0 : 1,
              aOffset: n % 5, lda: (transA ? M : K) + pad, bOffset: (n * 7) % 11, ldb: (transB ? K : N) + 2 * pad,
              cOffset: n % 4, ldc: N + ((n >> 1) % 3)
            }, (n & 2) === 0 ? inMemory : plain, rnd))
          }
        }
      }
      expect(worst).toBeLessThan(GEMM_TOL)
    })

    it(`gemm ${tag}: crosses every cache-blocking boundary (K > 256, M > 128, N > 1024)`, () => {
      const rnd = makeRandom(77 + (transA ? 2 : 0) + (transB ? 1 : 0))
      const shapes: Array<[number, number, number]> = [[131, 20, 300], [5, 1030, 260], [16, 150, 100], [150, 16, 513], [6, 784, 25]]
      let worst = 0
      for (const [M, N, K] of shapes) {
        for (const beta of [0, 1] as const) {
          worst = Math.max(worst, checkGemm(kernels, {
            transA, transB, M, N, K, beta, aOffset: 1, lda: (transA ? M : K) + 1, bOffset: 2, ldb: (transB ? K : N) + 3, cOffset: 5, ldc: N + 2
          }, beta === 0 ? inMemory : plain, rnd))
        }
      }
      expect(worst).toBeLessThan(GEMM_TOL)
    })
  }

  it('gemm with K = 0 clears (beta 0) or keeps (beta 1) the window only', () => {
    const C = inMemory(12).fill(7)
    kernels.gemm(false, false, 2, 3, 0, inMemory(0), 0, 1, inMemory(0), 0, 3, 1, C, 1, 5)
    expect(Array.from(C)).toEqual(new Array(12).fill(7))
    kernels.gemm(false, false, 2, 3, 0, inMemory(0), 0, 1, inMemory(0), 0, 3, 0, C, 1, 5)
    expect(Array.from(C)).toEqual([7, 0, 0, 0, 7, 7, 0, 0, 0, 7, 7, 7])
  })

  it('rejects an operand range outside its array', () => {
    const A = inMemory(5), B = inMemory(6), C = inMemory(4)
    expect(() => kernels.gemm(false, false, 2, 2, 3, A, 0, 3, B, 0, 2, 0, C, 0, 2)).toThrow(/operand range \[0, 6\) outside an array of 5/)
  })

  it('im2col and col2im equal the JS kernels exactly (strides, asymmetric padding, empty windows)', () => {
    const rnd = makeRandom(11)
    const cases = [
      [1, 5, 5, 3, 3, 1, 1, 0, 0], [2, 7, 6, 3, 3, 1, 1, 1, 1], [3, 8, 9, 3, 3, 2, 2, 1, 1], [2, 7, 7, 3, 3, 2, 2, 1, 0],
      [1, 28, 28, 5, 5, 1, 1, 2, 2], [4, 6, 5, 1, 1, 1, 1, 0, 0], [2, 5, 7, 2, 3, 3, 2, 0, 1], [1, 3, 3, 5, 5, 1, 1, 4, 4], [3, 9, 10, 4, 2, 1, 3, 2, 1]
    ]
    for (const [ch, h, w, kh, kw, sh, sw, pt, pl] of cases) {
      // Bottom/right padding as large as top/left (outH/outW imply it).
      const outH = Math.floor((h + 2 * pt - kh) / sh) + 1
      const outW = Math.floor((w + 2 * pl - kw) / sw) + 1
      const colLen = ch * kh * kw * outH * outW
      for (const make of [inMemory, plain]) {
        const x = make(ch * h * w + 3)
        for (let i = 0; i < x.length; i++) x[i] = rnd()
        const col = make(colLen + 2).fill(SENTINEL)
        const ref = new Float32Array(colLen + 2).fill(SENTINEL)
        kernels.im2col(x, 3, ch, h, w, kh, kw, sh, sw, pt, pl, outH, outW, col, 1)
        jsKernels.im2col(x, 3, ch, h, w, kh, kw, sh, sw, pt, pl, outH, outW, ref, 1)
        expect(Array.from(col)).toEqual(Array.from(ref))
        const dcol = make(colLen + 1)
        for (let i = 0; i < dcol.length; i++) dcol[i] = rnd()
        const dx = make(ch * h * w + 4).fill(0.5)
        const dxRef = new Float32Array(ch * h * w + 4).fill(0.5)
        kernels.col2im(dcol, 1, ch, h, w, kh, kw, sh, sw, pt, pl, outH, outW, dx, 2)
        jsKernels.col2im(dcol, 1, ch, h, w, kh, kw, sh, sw, pt, pl, outH, outW, dxRef, 2)
        expect(Array.from(dx)).toEqual(Array.from(dxRef))
      }
    }
  })

  it('relu and its gradient equal the JS kernels exactly (NaN, ±0, odd lengths)', () => {
    const rnd = makeRandom(21)
    for (const n of [1, 3, 4, 7, 64, 1001]) {
      const x = inMemory(n), dy = inMemory(n)
      for (let i = 0; i < n; i++) {
        x[i] = rnd()
        dy[i] = rnd()
      }
      x[0] = NaN
      if (n > 2) { x[1] = -0; x[2] = 0 }
      const y = inMemory(n), dx = inMemory(n), yRef = new Float32Array(n), dxRef = new Float32Array(n)
      kernels.relu(x, y, n)
      jsKernels.relu(x, yRef, n)
      kernels.reluBackward(x, dy, dx, n)
      jsKernels.reluBackward(x, dy, dxRef, n)
      expect(Array.from(y)).toEqual(Array.from(yRef))
      expect(Array.from(dx)).toEqual(Array.from(dxRef))
      expect(Object.is(y[Math.min(1, n - 1)], 0) || n <= 2, 'relu(−0) is +0').toBe(true)
    }
  })

  it('channel bias and its gradient match the JS kernels (odd plane sizes)', () => {
    const rnd = makeRandom(22)
    for (const [samples, channels, plane] of [[2, 3, 7], [3, 6, 784], [1, 5, 1], [4, 2, 9]]) {
      const len = samples * channels * plane
      const y = inMemory(len), b = inMemory(channels), yRef = new Float32Array(len)
      for (let i = 0; i < len; i++) yRef[i] = y[i] = rnd()
      for (let i = 0; i < channels; i++) b[i] = rnd()
      kernels.addChannelBias(y, b, samples, channels, plane)
      jsKernels.addChannelBias(yRef, b, samples, channels, plane)
      expect(Array.from(y)).toEqual(Array.from(yRef))
      const db = inMemory(channels).fill(0.25), dbRef = new Float32Array(channels).fill(0.25)
      kernels.channelSums(y, db, samples, channels, plane)
      jsKernels.channelSums(yRef, dbRef, samples, channels, plane)
      for (let c = 0; c < channels; c++) expect(Math.abs(db[c] - dbRef[c])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(dbRef[c])))
    }
  })

  it('max pooling forward and backward equal the JS kernels exactly (ties, NaN, padding, overlapping windows)', () => {
    const rnd = makeRandom(23)
    const cases = [[3, 8, 8, 2, 2, 0, 0], [2, 7, 9, 3, 2, 1, 1], [1, 5, 5, 3, 1, 1, 0], [4, 28, 28, 2, 2, 0, 0], [1, 6, 6, 3, 3, 2, 2]]
    for (const [planes, h, w, k, stride, padTop, padLeft] of cases) {
      const outH = Math.floor((h + 2 * padTop - k) / stride) + 1
      const outW = Math.floor((w + 2 * padLeft - k) / stride) + 1
      const x = inMemory(planes * h * w)
      for (let i = 0; i < x.length; i++) x[i] = Math.round(rnd() * 3) / 3 // ties
      x[5] = NaN
      const outs = planes * outH * outW
      const y = inMemory(outs), arg = planned.allocInt32!(outs), yRef = new Float32Array(outs), argRef = new Int32Array(outs)
      expect(arg.buffer === kernels.memory.buffer, 'argmax planned in wasm memory').toBe(true)
      kernels.maxPoolForward(x, planes, h, w, k, k, stride, stride, padTop, padLeft, outH, outW, y, arg)
      jsKernels.maxPoolForward(x, planes, h, w, k, k, stride, stride, padTop, padLeft, outH, outW, yRef, argRef)
      expect(Array.from(y)).toEqual(Array.from(yRef))
      expect(Array.from(arg)).toEqual(Array.from(argRef))
      const dy = inMemory(outs)
      for (let i = 0; i < outs; i++) dy[i] = rnd()
      const dx = inMemory(planes * h * w).fill(9), dxRef = new Float32Array(planes * h * w)
      kernels.maxPoolBackward(dy, arg, planes, h, w, outH, outW, dx)
      jsKernels.maxPoolBackward(dy, argRef, planes, h, w, outH, outW, dxRef)
      expect(Array.from(dx)).toEqual(Array.from(dxRef))
    }
  })

  it('hands float64 operands to the JS kernels (identical results)', () => {
    const rnd = makeRandom(3)
    const A = Float64Array.from({ length: 35 }, rnd), B = Float64Array.from({ length: 56 }, rnd)
    const C = new Float64Array(40), R = new Float64Array(40)
    const before = kernels.stats().jsCalls
    kernels.gemm(false, false, 5, 8, 7, A, 0, 7, B, 0, 8, 0, C, 0, 8)
    jsKernels.gemm(false, false, 5, 8, 7, A, 0, 7, B, 0, 8, 0, R, 0, 8)
    expect(Array.from(C)).toEqual(Array.from(R))
    expect(kernels.stats().jsCalls).toBe(before + 1)
  })
})

describe.each(WASM_BACKENDS)('%s planned memory', (backend) => {
  it('puts every tensor of a network in the one wasm memory, and a training step copies nothing', () => {
    const kernels = kernelsFor(backend) as WasmKernels
    const net = createNetwork({
      version: 1, input: { shape: [1, 12, 12] },
      layers: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }]
    }, { kernels, seed: 1 })
    const x = { shape: [5, 1, 12, 12], data: net.allocator.alloc(5 * 144) }
    x.data.set(Float32Array.from({ length: 5 * 144 }, makeRandom(2)))
    const y = net.forward(x, 'train')
    net.backward({ shape: y.shape, data: net.allocator.alloc(y.data.length).fill(1) })
    // (Booleans: a failing toBe on two 1 GiB buffers would try to print them.)
    for (const p of net.params()) {
      expect(p.value.data.buffer === kernels.memory.buffer, `${p.name} value in wasm memory`).toBe(true)
      expect(p.grad.data.buffer === kernels.memory.buffer, `${p.name} grad in wasm memory`).toBe(true)
    }
    expect(y.data.buffer === kernels.memory.buffer, 'output in wasm memory').toBe(true)
    const s = kernels.stats()
    expect(s.plannedBytes).toBeGreaterThan(0)
    expect(s.stagedCalls).toBe(0)
    expect(s.jsCalls).toBe(0) // conv, bias, relu, max pooling and dense all ran in wasm
    expect(s.overflowAllocations).toBe(0)
  })

  it('overflows into plain arrays when the memory is full, still computing correctly', () => {
    const kernels = kernelsFor(backend) as WasmKernels
    const alloc = kernels.createAllocator('float32')
    const big = alloc.alloc(kernels.stats().freeBytes >> 2)
    expect(big.buffer === kernels.memory.buffer, 'fills the memory').toBe(true)
    expect(kernels.stats().freeBytes).toBe(0)
    const A = alloc.alloc(6), B = alloc.alloc(6), C = alloc.alloc(4)
    expect(A.buffer === kernels.memory.buffer, 'overflow is a plain array').toBe(false)
    expect(kernels.stats().overflowAllocations).toBe(3)
    A.set([1, 2, 3, 4, 5, 6]); B.set([1, 0, 0, 1, 1, 1])
    kernels.gemm(false, false, 2, 2, 3, A, 0, 3, B, 0, 2, 0, C, 0, 2)
    expect(Array.from(C)).toEqual([4, 5, 10, 11])
  })
})
