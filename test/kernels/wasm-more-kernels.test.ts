/**
 * The wasm optimizer updates, activations and average pooling against the JavaScript reference.
 * Updates and average pooling must be bit-identical (the same float64 arithmetic per element): Adam /
 * AdamW, SGD and (Nesterov) momentum with and without weight decay; pooling with strides, padding
 * and overlapping windows. Arrays outside wasm memory go to the reference.
 */
import { describe, expect, it } from 'vitest'
import { jsKernels } from '../../src-engine/kernels/js/index'
import type { Kernels } from '../../src-engine/kernels/kernels'
import type { WasmKernels } from '../../src-engine/kernels/wasm/wasm-kernels'
import { kernelsFor, WASM_BACKENDS } from '../helpers/backends'
import { makeRandom } from '../helpers/random'

const N = 1037

/** Runs `steps` updates of one kind on fresh arrays from `alloc`; returns every array afterwards. */
function run(k: Kernels, alloc: (n: number) => Float32Array, kind: string, decay: number): number[][] {
  const rnd = makeRandom(kind.length * 31 + decay * 100)
  const fill = (scale: number) => {
    const a = alloc(N)
    for (let i = 0; i < N; i++) a[i] = rnd() * scale
    return a
  }
  const w = fill(1)
  const g = fill(0.1)
  const s1 = alloc(N).fill(0)
  const s2 = alloc(N).fill(0)
  for (let step = 1; step <= 3; step++) {
    for (let i = 0; i < N; i++) g[i] = rnd() * 0.1
    const lr = 0.01 * step
    switch (kind) {
      case 'adam':
      case 'adamw': {
        const adamw = kind === 'adamw'
        k.adamUpdate(w, g, s1, s2, N, {
          beta1: 0.9, beta2: 0.999, eps: 1e-8, stepSize: lr / (1 - 0.9 ** step), bc2Sqrt: Math.sqrt(1 - 0.999 ** step),
          l2: adamw ? 0 : decay, shrink: adamw ? 1 - lr * decay : 1
        })
        break
      }
      case 'sgd':
        k.sgdUpdate(w, g, N, lr, decay)
        break
      case 'momentum':
      case 'nesterov':
        k.momentumUpdate(w, g, s1, N, lr, 0.9, decay, step === 1, kind === 'nesterov')
        break
    }
  }
  return [w, s1, s2].map((a) => Array.from(a))
}

describe.each(WASM_BACKENDS)('%s optimizer update kernels', (backend) => {
  for (const kind of ['adam', 'adamw', 'sgd', 'momentum', 'nesterov']) {
    it(`${kind}: bit-identical to the JS reference, weight decay 0 and 0.05`, () => {
      const k = kernelsFor(backend) as WasmKernels
      const planned = k.createAllocator('float32')
      for (const decay of [0, 0.05]) {
        const before = k.stats().jsCalls
        const got = run(k, (n) => planned.alloc(n) as Float32Array, kind, decay)
        expect(k.stats().jsCalls).toBe(before) // ran in wasm
        const want = run(jsKernels, (n) => new Float32Array(n), kind, decay)
        expect(got).toEqual(want)
        // Plain arrays outside wasm memory are handed to the reference.
        expect(run(k, (n) => new Float32Array(n), kind, decay)).toEqual(want)
        expect(k.stats().jsCalls).toBeGreaterThan(before)
      }
    })
  }
})

describe.each(WASM_BACKENDS)('%s activation kernels', (backend) => {
  const SPECIAL = [0, -0, 1e-30, -1e-30, 20, -20, 100, -100, 1e-3, -1e-3, NaN, Infinity, -Infinity]
  for (const [kind, p] of [['leaky_relu', 0.07], ['sigmoid', 0], ['tanh', 0], ['elu', 0.6]] as const) {
    it(`${kind}: forward and gradient match the JS reference (exact for leaky ReLU, else within 1 float32 ulp)`, () => {
      const k = kernelsFor(backend) as WasmKernels
      const planned = k.createAllocator('float32')
      const rnd = makeRandom(kind.length)
      const n = 517
      const arrays = [planned, null].map((a) => {
        const make = (len: number) => (a ? (a.alloc(len) as Float32Array) : new Float32Array(len))
        return { x: make(n), y: make(n), dy: make(n), dx: make(n) }
      })
      for (let i = 0; i < n; i++) {
        const v = i < SPECIAL.length ? SPECIAL[i] : rnd() * 8
        const d = rnd()
        for (const a of arrays) {
          a.x[i] = v
          a.dy[i] = d
        }
      }
      const before = k.stats().jsCalls
      k.activation(kind, arrays[0].x, arrays[0].y, n, p)
      k.activationBackward(kind, arrays[0].x, arrays[0].y, arrays[0].dy, arrays[0].dx, n, p)
      expect(k.stats().jsCalls).toBe(before)
      jsKernels.activation(kind, arrays[1].x, arrays[1].y, n, p)
      jsKernels.activationBackward(kind, arrays[1].x, arrays[1].y, arrays[1].dy, arrays[1].dx, n, p)
      for (const key of ['y', 'dx'] as const) {
        const got = arrays[0][key]
        const want = arrays[1][key]
        for (let i = 0; i < n; i++) {
          if (Number.isNaN(want[i])) expect(got[i], `${key}[${i}]`).toBeNaN()
          else if (kind === 'leaky_relu' || !Number.isFinite(want[i])) expect(got[i], `${key}[${i}] for x = ${arrays[0].x[i]}`).toBe(want[i])
          else expect(Math.abs(got[i] - want[i]), `${key}[${i}] for x = ${arrays[0].x[i]}`).toBeLessThanOrEqual(Math.abs(want[i]) * 2 ** -23 + 1e-45)
        }
      }
    })
  }
})

describe.each(WASM_BACKENDS)('%s average pooling', (backend) => {
  it('forward and backward are bit-identical to the JS kernels (strides, padding, overlapping and 2×2 windows)', () => {
    const k = kernelsFor(backend) as WasmKernels
    const planned = k.createAllocator('float32')
    const cases = [
      [3, 8, 8, 2, 2, 2, 2, 0, 0],
      [2, 7, 9, 3, 3, 2, 2, 1, 1],
      [4, 5, 5, 3, 2, 1, 1, 1, 0],
      [1, 6, 6, 4, 4, 3, 3, 2, 2]
    ]
    for (const [planes, h, w, kH, kW, sH, sW, pT, pL] of cases) {
      const outH = Math.floor((h + 2 * pT - kH) / sH) + 1
      const outW = Math.floor((w + 2 * pL - kW) / sW) + 1
      const results = [true, false].map((inWasm) => {
        const make = (n: number) => (inWasm ? (planned.alloc(n) as Float32Array) : new Float32Array(n))
        const r = makeRandom(planes * 100 + h)
        const random = (n: number) => {
          const a = make(n)
          for (let i = 0; i < n; i++) a[i] = r()
          return a
        }
        const x = random(planes * h * w)
        const dy = random(planes * outH * outW)
        const y = make(planes * outH * outW).fill(NaN)
        const dx = make(planes * h * w).fill(NaN)
        const kern = inWasm ? k : jsKernels
        kern.avgPoolForward(x, planes, h, w, kH, kW, sH, sW, pT, pL, outH, outW, y)
        kern.avgPoolBackward(dy, planes, h, w, kH, kW, sH, sW, pT, pL, outH, outW, dx)
        return [Array.from(y), Array.from(dx)]
      })
      expect(results[0]).toEqual(results[1])
      expect(results[0][0].every(Number.isFinite)).toBe(true)
    }
    expect(k.stats().jsCalls).toBe(0)
  })
})
