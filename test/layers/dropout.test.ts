import { describe, it, expect } from 'vitest'
import { gradCheck } from '../helpers/gradcheck'
import { createNetwork } from '../../src-engine/network'
import { createRng } from '../../src-engine/core/rng'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import type { Tensor } from '../../src-engine/core/tensor'
import type { Mode } from '../../src-engine/layers/layer'

function net(shape: number[], layers: object[]): object {
  return { version: 1, input: { shape }, layers }
}

function randomInput(batch: number, shape: number[], seed = 3): Tensor {
  const size = batch * shape.reduce((a, b) => a * b, 1)
  const rng = createRng(seed)
  const data = new Float32Array(size)
  for (let i = 0; i < size; i++) data[i] = 0.5 + rng.nextNormal()
  return { shape: [batch, ...shape], data }
}

const MODES: Mode[] = ['train', 'eval']
/**
 * Central-difference step. With the mask fixed, dropout is linear, so a step larger than the helper's
 * default 1e-6 costs no truncation error and lowers the quantization of the numeric derivative
 * (ulp(L)/(2·step)), which could otherwise read as relative errors of ~1e-6 at tiny gradients.
 */
const STEP = 1e-5

describe('dropout gradients (numerical check, float64)', () => {
  const cases: { label: string; shape: number[]; layers: object[] }[] = [
    { label: 'dropout [3,5,7]', shape: [3, 5, 7], layers: [{ type: 'dropout', rate: 0.4 }] },
    { label: 'dropout [6]', shape: [6], layers: [{ type: 'dropout' }] },
    { label: 'dropout rate 0', shape: [4, 3, 3], layers: [{ type: 'dropout', rate: 0 }] },
    { label: 'conv2d → dropout → relu', shape: [4, 3, 3], layers: [{ type: 'conv2d', filters: 3, kernel: 2 }, { type: 'dropout', rate: 0.3 }, { type: 'relu' }] },
    { label: 'dense → dropout → dense', shape: [6], layers: [{ type: 'dense', units: 8 }, { type: 'dropout', rate: 0.5 }, { type: 'dense', units: 3 }] }
  ]
  for (const c of cases) {
    for (const mode of MODES) {
      it(`${c.label}, ${mode}`, () => {
        for (const batch of [2, 3, 5]) {
          const result = gradCheck(net(c.shape, c.layers), batch, { mode, eps: STEP })
          expect(result.maxRelativeError, `batch ${batch}: ${result.worst}`).toBeLessThan(1e-6)
        }
      })
    }
  }
})

describe('dropout values', () => {
  it('is the identity in eval mode, and passes the gradient through', () => {
    const network = createNetwork(net([3, 4, 4], [{ type: 'dropout', rate: 0.7 }]), { inputGrad: true })
    const x = randomInput(2, [3, 4, 4])
    const before = network.rng.getState()
    const y = network.forward(x, 'eval')
    expect(Array.from(y.data)).toEqual(Array.from(x.data))
    expect(network.rng.getState()).toEqual(before)
    const dy = randomInput(2, [3, 4, 4], 9)
    expect(Array.from(network.backward(dy)!.data)).toEqual(Array.from(dy.data))
  })

  it('zeroes about p of the values in training and scales the survivors by 1/(1 − p)', () => {
    const p = 0.3
    const network = createNetwork(net([100000], [{ type: 'dropout', rate: p }]), { seed: 11 })
    const x = randomInput(1, [100000])
    const y = network.forward(x, 'train')
    let zeros = 0
    for (let i = 0; i < y.data.length; i++) {
      if (y.data[i] === 0) zeros++
      else expect(Math.abs(y.data[i] - x.data[i] / (1 - p))).toBeLessThanOrEqual(1e-6 * Math.abs(x.data[i] / (1 - p)))
    }
    expect(Math.abs(zeros / 100000 - p)).toBeLessThan(0.01)
  })

  it('preserves the expected value', () => {
    for (const p of [0.1, 0.5, 0.9]) {
      const network = createNetwork(net([100000], [{ type: 'dropout', rate: p }]), { seed: 5 })
      const ones: Tensor = { shape: [1, 100000], data: new Float32Array(100000).fill(1) }
      const y = network.forward(ones, 'train')
      let sum = 0
      for (let i = 0; i < y.data.length; i++) sum += y.data[i]
      // Standard error of the mean is √(p/(1−p))/√n ≤ 0.0095 for p = 0.9.
      expect(Math.abs(sum / 100000 - 1)).toBeLessThan(0.04)
    }
  })

  it('draws the mask from the seeded RNG: same seed, same mask; next step, new mask', () => {
    const spec = net([2, 8, 8], [{ type: 'dropout' }])
    const x = randomInput(4, [2, 8, 8])
    const a = createNetwork(spec, { seed: 42 })
    const b = createNetwork(spec, { seed: 42 })
    const c = createNetwork(spec, { seed: 43 })
    const ya = Array.from(a.forward(x, 'train').data)
    expect(Array.from(b.forward(x, 'train').data)).toEqual(ya)
    expect(Array.from(c.forward(x, 'train').data)).not.toEqual(ya)
    expect(Array.from(a.forward(x, 'train').data)).not.toEqual(ya)
  })

  it('uses one nextFloat per value, dropping when it is below p', () => {
    const network = createNetwork(net([5], [{ type: 'dropout', rate: 0.5 }]), { seed: 8 })
    const replay = createRng(0)
    replay.setState(network.rng.getState())
    const x: Tensor = { shape: [2, 5], data: Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) }
    const y = network.forward(x, 'train')
    const expected = Array.from(x.data, (v) => (replay.nextFloat() < 0.5 ? 0 : v * 2))
    expect(Array.from(y.data)).toEqual(expected)
    expect(network.rng.getState()).toEqual(replay.getState())
  })

  it('backward multiplies by the same mask', () => {
    const network = createNetwork(net([50], [{ type: 'dropout', rate: 0.25 }]), { seed: 2, inputGrad: true })
    const x: Tensor = { shape: [3, 50], data: new Float32Array(150).fill(1) }
    const y = Float32Array.from(network.forward(x, 'train').data)
    const dy: Tensor = { shape: [3, 50], data: new Float32Array(150).fill(3) }
    const dx = network.backward(dy)!
    for (let i = 0; i < 150; i++) expect(dx.data[i]).toBeCloseTo(3 * y[i], 6)
  })

  it('rate 0 is the identity and draws nothing', () => {
    const network = createNetwork(net([10], [{ type: 'dropout', rate: 0 }]), { seed: 1 })
    const before = network.rng.getState()
    const x = randomInput(3, [10])
    expect(Array.from(network.forward(x, 'train').data)).toEqual(Array.from(x.data))
    expect(network.rng.getState()).toEqual(before)
  })
})

describe('dropout spec', () => {
  it('rate must be in [0, 1)', () => {
    const messages = (layer: object): string[] => analyzeNetwork(net([4], [layer])).issues.map((i) => i.message)
    expect(messages({ type: 'dropout', rate: 1 })).toEqual(['layer 0 (dropout): rate must be less than 1, got 1'])
    expect(messages({ type: 'dropout', rate: -0.1 })).toEqual(['layer 0 (dropout): rate must be at least 0, got -0.1'])
    expect(messages({ type: 'dropout', rate: 0.99 })).toEqual([])
  })

  it('has no parameters or buffers and keeps the shape', () => {
    const analysis = analyzeNetwork(net([3, 4, 4], [{ type: 'dropout' }, { type: 'flatten' }, { type: 'dropout' }]))
    expect(analysis.ok).toBe(true)
    expect(analysis.layers.map((l) => [l.outputShape, l.params])).toEqual([
      [[3, 4, 4], 0],
      [[48], 0],
      [[48], 0]
    ])
    const network = createNetwork(net([1, 4, 4], [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'dropout' }, { type: 'flatten' }, { type: 'dense', units: 2 }]))
    expect(Object.keys(network.stateDict())).toEqual(['0.weight', '0.bias', '3.weight', '3.bias'])
  })
})
