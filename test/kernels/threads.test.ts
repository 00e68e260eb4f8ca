/**
 * The wasm kernels with a helper thread on shared memory: the per-layer convolution kernels and
 * large GEMMs are split between two threads; the results must be bit-identical to one thread (each
 * thread writes its own samples / columns) and agree with the JavaScript reference.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { jsKernels } from '../../src-engine/kernels/js/index'
import type { ConvGeometry } from '../../src-engine/kernels/kernels'
import { createKernels } from '../../src-engine/kernels/backend'
import type { WasmKernels } from '../../src-engine/kernels/wasm/wasm-kernels'
import { startKernelHelper } from '../../src-engine/node/kernel-helper'
import type { HelperHandle, HelperInit } from '../../src-engine/kernels/wasm/helper-thread'
import { WASM_BACKENDS, wasmModules } from '../helpers/backends'
import { makeRandom } from '../helpers/random'

const made: WasmKernels[] = []
afterEach(() => {
  for (const k of made.splice(0)) k.dispose()
})

function kernels(backend: (typeof WASM_BACKENDS)[number], threads: 1 | 2): WasmKernels {
  const k = createKernels(backend, wasmModules, { threads, startHelper: startKernelHelper, memoryMiB: 256 }) as WasmKernels
  made.push(k)
  return k
}

/** Waits until the helper thread is up (blocking: its start does not need this thread's event loop). */
async function ready(k: WasmKernels): Promise<void> {
  expect(k.waitForHelper(10_000)).toBe(true)
}

function geometry(channels: number, size: number, kernel: number, stride: number, pad: number): ConvGeometry {
  const out = Math.floor((size + 2 * pad - kernel) / stride) + 1
  return { channels, height: size, width: size, kernelH: kernel, kernelW: kernel, strideH: stride, strideW: stride, padTop: pad, padLeft: pad, outH: out, outW: out }
}

interface Case {
  g: ConvGeometry
  filters: number
  samples: number
}

const CASES: Case[] = [
  { g: geometry(8, 28, 3, 1, 1), filters: 32, samples: 9 },
  { g: geometry(16, 14, 3, 1, 1), filters: 24, samples: 4 },
  { g: geometry(3, 17, 5, 2, 2), filters: 20, samples: 7 },
  { g: geometry(32, 9, 3, 1, 0), filters: 40, samples: 2 }
]

/** Runs forward (kept columns and scratch columns), input and weight gradients; returns the outputs. */
function runConv(k: { alloc(n: number): Float32Array; kern: WasmKernels | typeof jsKernels; threads: number }, c: Case, seed: number) {
  const { g, filters, samples } = c
  const K = g.channels * g.kernelH * g.kernelW
  const P = g.outH * g.outW
  const rnd = makeRandom(seed)
  const fill = (n: number) => {
    const a = k.alloc(n)
    for (let i = 0; i < n; i++) a[i] = rnd()
    return a
  }
  const x = fill(samples * g.channels * g.height * g.width)
  const w = fill(filters * K)
  const dy = fill(samples * filters * P)
  const y = k.alloc(samples * filters * P).fill(NaN)
  const yEval = k.alloc(samples * filters * P).fill(NaN)
  const cols = k.alloc(samples * K * P)
  const scratch = k.alloc(k.threads * K * P)
  k.kern.convForward(x, samples, g, w, filters, y, cols, true)
  k.kern.convForward(x, samples, g, w, filters, yEval, scratch, false)
  const dW = fill(filters * K)
  k.kern.convBackwardWeights(dy, cols, samples, filters, K, P, dW)
  const dx = k.alloc(samples * g.channels * g.height * g.width).fill(NaN)
  k.kern.convBackwardData(w, filters, dy, samples, g, dx, scratch)
  return { y: Array.from(y), yEval: Array.from(yEval), dW: Array.from(dW), dx: Array.from(dx) }
}

function worstRelative(got: number[], want: number[]): number {
  let scale = 0
  for (const v of want) scale = Math.max(scale, Math.abs(v))
  let worst = 0
  for (let i = 0; i < want.length; i++) {
    if (!Number.isFinite(got[i])) return Infinity
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / scale)
  }
  return worst
}

describe.each(WASM_BACKENDS)('%s kernels with two threads', (backend) => {
  it('convolution forward, input and weight gradients: bit-identical to one thread, within 1e-5 of the JS reference, and split', async () => {
    const two = kernels(backend, 2)
    await ready(two)
    const one = kernels(backend, 1)
    const a2 = two.createAllocator('float32')
    const a1 = one.createAllocator('float32')
    CASES.forEach((c, i) => {
      const before = two.stats().splitCalls
      const r2 = runConv({ alloc: (n) => a2.alloc(n) as Float32Array, kern: two, threads: 2 }, c, 10 + i)
      const r1 = runConv({ alloc: (n) => a1.alloc(n) as Float32Array, kern: one, threads: 1 }, c, 10 + i)
      const ref = runConv({ alloc: (n) => new Float32Array(n), kern: jsKernels, threads: 1 }, c, 10 + i)
      expect(r2).toEqual(r1)
      for (const key of ['y', 'yEval', 'dW', 'dx'] as const) {
        expect(worstRelative(r2[key], ref[key]), `${key} of case ${i}`).toBeLessThan(1e-5)
      }
      if (i === 0) expect(two.stats().splitCalls - before).toBe(4)
    })
    expect(one.stats().splitCalls).toBe(0)
  })

  it('large GEMMs split by columns or rows: bit-identical to one thread for every transpose', async () => {
    const two = kernels(backend, 2)
    await ready(two)
    const one = kernels(backend, 1)
    const shapes: Array<[number, number, number]> = [[70, 300, 200], [300, 20, 150], [33, 1030, 40]]
    for (const [M, N, K] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          for (const beta of [0, 1] as const) {
            const results = [two, one].map((k) => {
              const rnd = makeRandom(M + N + K)
              const alloc = k.createAllocator('float32')
              const fill = (n: number) => {
                const a = alloc.alloc(n) as Float32Array
                for (let i = 0; i < n; i++) a[i] = rnd()
                return a
              }
              const A = fill(M * K)
              const B = fill(K * N)
              const C = fill(M * (N + 3))
              k.gemm(transA, transB, M, N, K, A, 0, transA ? M : K, B, 0, transB ? K : N, beta, C, 0, N + 3)
              return Array.from(C)
            })
            expect(results[0]).toEqual(results[1])
          }
        }
      }
    }
    expect(two.stats().splitCalls).toBe(shapes.length * 8)
  })

  it('falls back to one thread for small problems, and dispose() stops the helper', async () => {
    const two = kernels(backend, 2)
    await ready(two)
    const alloc = two.createAllocator('float32')
    const A = alloc.alloc(16) as Float32Array
    two.gemm(false, false, 4, 4, 1, A, 0, 1, A, 0, 4, 0, alloc.alloc(16) as Float32Array, 0, 4)
    expect(two.stats().splitCalls).toBe(0)
    two.dispose()
    expect(two.helperReady()).toBe(false)
  })
})

it('a helper that never takes its calls (asleep, or no core for it) costs nothing: the engine takes them back', () => {
  // A stand-in helper that says it is ready and then never runs anything.
  const idle = (init: HelperInit): HelperHandle => {
    Atomics.store(new Int32Array(init.control), 5, 1) // READY
    return { terminate: () => {} }
  }
  const k = createKernels('wasm-relaxed', wasmModules, { threads: 2, startHelper: idle, splitMinMacs: 0, memoryMiB: 256 }) as WasmKernels
  made.push(k)
  const one = kernels('wasm-relaxed', 1)
  expect(k.helperReady()).toBe(true)
  const a2 = k.createAllocator('float32')
  const a1 = one.createAllocator('float32')
  const c = CASES[0]
  const r2 = runConv({ alloc: (n) => a2.alloc(n) as Float32Array, kern: k, threads: 2 }, c, 5)
  const r1 = runConv({ alloc: (n) => a1.alloc(n) as Float32Array, kern: one, threads: 1 }, c, 5)
  expect(r2).toEqual(r1)
  const s = k.stats()
  expect(s.splitCalls).toBeGreaterThan(0)
  expect(s.takenBack).toBe(s.splitCalls)
})

it('threads: 2 without a way to start the helper is refused', () => {
  expect(() => createKernels('wasm-relaxed', wasmModules, { threads: 2 })).toThrow(/startHelper/)
})
