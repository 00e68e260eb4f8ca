/**
 * GEMM micro-benchmark: GFLOPS of the JS kernel vs a naive i-k-j loop and the WebAssembly kernels
 * (operands in wasm memory) on LeNet-5's and the small VGG's per-sample shapes and 256³.
 *
 *   npx tsx scripts/bench-gemm.ts [--quick] [--naive=false]
 *
 * Each figure is the best of many short timing windows, which filters out the noise of a shared
 * machine better than one long run (expect run-to-run spread anyway; repeat to compare).
 */
import { gemm } from '../src-engine/kernels/js/gemm'
import type { FloatArray } from '../src-engine/core/tensor'
import { availableBackends, createKernels } from '../src-engine/kernels/backend'
import { loadWasmModules } from '../src-engine/node/wasm-modules'
import type { WasmKernels } from '../src-engine/kernels/wasm/wasm-kernels'

type Gemm = typeof gemm

interface Shape { name: string; transA: boolean; transB: boolean; M: number; N: number; K: number }

// LeNet-5 (batch 64): conv1 6@5×5 on 28×28 (padding 2), conv2 16@5×5 on 14×14 → 10×10, fc 400-120-84-10.
const shapes: Shape[] = [
  { name: 'conv1 fwd   NN', transA: false, transB: false, M: 6, N: 784, K: 25 },
  { name: 'conv1 dW    NT', transA: false, transB: true, M: 6, N: 25, K: 784 },
  { name: 'conv1 dcol  TN', transA: true, transB: false, M: 25, N: 784, K: 6 },
  { name: 'conv2 fwd   NN', transA: false, transB: false, M: 16, N: 100, K: 150 },
  { name: 'conv2 dW    NT', transA: false, transB: true, M: 16, N: 150, K: 100 },
  { name: 'conv2 dcol  TN', transA: true, transB: false, M: 150, N: 100, K: 16 },
  { name: 'fc1 fwd     NT', transA: false, transB: true, M: 64, N: 120, K: 400 },
  { name: 'fc1 dW      TN', transA: true, transB: false, M: 120, N: 400, K: 64 },
  { name: 'fc1 dx      NN', transA: false, transB: false, M: 64, N: 400, K: 120 },
  { name: 'fc2 fwd     NT', transA: false, transB: true, M: 64, N: 84, K: 120 },
  // Small VGG (batch 64): conv2 32@3×3 on 32×28×28, conv4 64@3×3 on 64×14×14.
  { name: 'vgg conv2 fwd  NN', transA: false, transB: false, M: 32, N: 784, K: 288 },
  { name: 'vgg conv2 dW   NT', transA: false, transB: true, M: 32, N: 288, K: 784 },
  { name: 'vgg conv2 dcol TN', transA: true, transB: false, M: 288, N: 784, K: 32 },
  { name: 'vgg conv4 fwd  NN', transA: false, transB: false, M: 64, N: 196, K: 576 },
  { name: '256³        NN', transA: false, transB: false, M: 256, N: 256, K: 256 },
  { name: '256³        TN', transA: true, transB: false, M: 256, N: 256, K: 256 }
]

/**
 * Naive reference: i-k-j loop order (unit stride over B and C rows where possible). One textual copy
 * per dtype so that each stays monomorphic in V8 (a shared copy would be penalised for seeing both).
 */
const naive32 = (transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float32Array, aOffset: number, lda: number, B: Float32Array, bOffset: number, ldb: number,
  beta: 0 | 1, C: Float32Array, cOffset: number, ldc: number): void => {
  for (let i = 0; i < M; i++) {
    const c = cOffset + i * ldc
    if (beta === 0) for (let j = 0; j < N; j++) C[c + j] = 0
    for (let p = 0; p < K; p++) {
      const a = transA ? A[aOffset + p * lda + i] : A[aOffset + i * lda + p]
      if (transB) for (let j = 0; j < N; j++) C[c + j] += a * B[bOffset + j * ldb + p]
      else for (let j = 0, b = bOffset + p * ldb; j < N; j++) C[c + j] += a * B[b + j]
    }
  }
}
const naive64 = (transA: boolean, transB: boolean, M: number, N: number, K: number,
  A: Float64Array, aOffset: number, lda: number, B: Float64Array, bOffset: number, ldb: number,
  beta: 0 | 1, C: Float64Array, cOffset: number, ldc: number): void => {
  for (let i = 0; i < M; i++) {
    const c = cOffset + i * ldc
    if (beta === 0) for (let j = 0; j < N; j++) C[c + j] = 0
    for (let p = 0; p < K; p++) {
      const a = transA ? A[aOffset + p * lda + i] : A[aOffset + i * lda + p]
      if (transB) for (let j = 0; j < N; j++) C[c + j] += a * B[bOffset + j * ldb + p]
      else for (let j = 0, b = bOffset + p * ldb; j < N; j++) C[c + j] += a * B[b + j]
    }
  }
}
const naive: Gemm = (transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc) => {
  if (A instanceof Float32Array && B instanceof Float32Array && C instanceof Float32Array) {
    naive32(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
  } else if (A instanceof Float64Array && B instanceof Float64Array && C instanceof Float64Array) {
    naive64(transA, transB, M, N, K, A, aOffset, lda, B, bOffset, ldb, beta, C, cOffset, ldc)
  } else throw new Error('mixed dtypes')
}

let seed = 12345
function random(): number {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0
  return seed / 4294967296 - 0.5
}

function measure(fn: Gemm, f64: boolean, s: Shape, windows: number, wasm?: WasmKernels): number {
  const planned = wasm?.createAllocator('float32')
  const make = (n: number): FloatArray => {
    const a = planned ? planned.alloc(n) : f64 ? new Float64Array(n) : new Float32Array(n)
    for (let i = 0; i < n; i++) a[i] = random()
    return a
  }
  const A = make(s.M * s.K), B = make(s.K * s.N), C = make(s.M * s.N)
  const lda = s.transA ? s.M : s.K, ldb = s.transB ? s.K : s.N
  const flops = 2 * s.M * s.N * s.K
  const reps = Math.max(1, Math.round(2e6 / flops)) // ~1 ms per window at 2 GFLOPS
  const run = (): void => {
    for (let r = 0; r < reps; r++) fn(s.transA, s.transB, s.M, s.N, s.K, A, 0, lda, B, 0, ldb, 0, C, 0, s.N)
  }
  for (let w = 0; w < 20; w++) run() // warm-up / JIT
  let best = Infinity
  for (let w = 0; w < windows; w++) {
    const t0 = performance.now()
    run()
    best = Math.min(best, performance.now() - t0)
  }
  return (flops * reps) / (best * 1e6)
}

const quick = process.argv.includes('--quick')
const withNaive = !process.argv.includes('--naive=false')
const windows = quick ? 40 : 200

// Bring every code path to its steady (optimised) state first, as in a training loop; otherwise
// the first shapes measured can catch the JIT mid-way.
for (const s of shapes) for (const f64 of [false, true]) measure(gemm, f64, s, 5)

const modules = loadWasmModules({ enableRelaxedSimd: true })
const wasmBackends = availableBackends(modules).filter((b) => b !== 'js').reverse()
/** A fresh kernels instance (own memory) per shape: planned operands never run out of room. */
const wasmKernels = (name: (typeof wasmBackends)[number]) => createKernels(name, modules) as WasmKernels
for (const s of shapes) for (const b of wasmBackends) { const k = wasmKernels(b); measure(k.gemm, false, s, 5, k) }

const header = ['shape (M×N×K)'.padEnd(30), 'js f32', 'js f64', ...wasmBackends]
if (withNaive) header.push('naive f32', 'naive f64', 'speedup f32')
console.log(header.join('  '))
for (const s of shapes) {
  const js32 = measure(gemm, false, s, windows)
  const js64 = measure(gemm, true, s, windows)
  const cells = [`${s.name} ${s.M}×${s.N}×${s.K}`.padEnd(30), fmt(js32), fmt(js64)]
  for (const b of wasmBackends) {
    const k = wasmKernels(b)
    cells.push(fmt(measure(k.gemm, false, s, windows, k)).padStart(b.length))
  }
  if (withNaive) {
    const n32 = measure(naive, false, s, Math.ceil(windows / 4))
    const n64 = measure(naive, true, s, Math.ceil(windows / 4))
    cells.push(fmt(n32).padStart(9), fmt(n64).padStart(9), `${(js32 / n32).toFixed(1)}×`.padStart(11))
  }
  console.log(cells.join('  '))
}

function fmt(g: number): string {
  return g.toFixed(2).padStart(6)
}
