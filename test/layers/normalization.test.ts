import { describe, it, expect } from 'vitest'
import { gradCheck } from '../helpers/gradcheck'
import { createNetwork, type Network } from '../../src-engine/network'
import { createRng } from '../../src-engine/core/rng'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import type { Tensor } from '../../src-engine/core/tensor'
import type { Mode } from '../../src-engine/layers/layer'

function net(shape: number[], layers: object[]): object {
  return { version: 1, input: { shape }, layers }
}

function randomInput(batch: number, shape: number[], seed = 3, scale = 2, offset = 0.5): Tensor {
  const size = batch * shape.reduce((a, b) => a * b, 1)
  const rng = createRng(seed)
  const data = new Float64Array(size)
  for (let i = 0; i < size; i++) data[i] = offset + scale * rng.nextNormal()
  return { shape: [batch, ...shape], data }
}

function param(network: Network, name: string): Float64Array | Float32Array {
  const p = network.params().find((q) => q.name === name)
  if (!p) throw new Error(`no param ${name}`)
  return p.value.data
}

function buffer(network: Network, name: string): Float64Array | Float32Array {
  const b = network.buffers().find((q) => q.name === name)
  if (!b) throw new Error(`no buffer ${name}`)
  return b.value.data
}

/** Mean and biased variance of the values at `indices`. */
function stats(data: ArrayLike<number>, indices: number[]): { mean: number; variance: number } {
  let sum = 0
  for (const i of indices) sum += data[i]
  const mean = sum / indices.length
  let sq = 0
  for (const i of indices) sq += (data[i] - mean) ** 2
  return { mean, variance: sq / indices.length }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i)
}

const MODES: Mode[] = ['train', 'eval']
const BATCHES = [2, 3, 5]
/**
 * Central-difference step. With the helper's default 1e-6 the numeric derivative is quantized to
 * ulp(L)/(2·step) ≈ 1.8e-9 (L sums hundreds of O(1) terms), and the helper's denominator is at least
 * 1e-3, so tiny true gradients (a conv bias that batch norm subtracts out again has gradient 0) read as
 * relative errors of ~2e-6. At 1e-5 that floor is ten times lower while the truncation error (∝ step²,
 * large where a group has only two values and σ is small) stays below the threshold; larger steps fail
 * more often there and at ReLU/max kinks.
 */
const STEP = 1e-5

describe('normalization gradients (numerical check, float64)', () => {
  const cases: { label: string; shape: number[]; layers: object[] }[] = [
    { label: 'batchnorm 2d [3,5,7]', shape: [3, 5, 7], layers: [{ type: 'batchnorm' }] },
    { label: 'batchnorm 2d [4,3,3] momentum 0.3', shape: [4, 3, 3], layers: [{ type: 'batchnorm', momentum: 0.3, eps: 1e-3 }] },
    { label: 'batchnorm 1d [6]', shape: [6], layers: [{ type: 'batchnorm' }] },
    { label: 'conv2d → batchnorm → relu', shape: [2, 5, 7], layers: [{ type: 'conv2d', filters: 3, kernel: 3 }, { type: 'batchnorm' }, { type: 'relu' }] },
    { label: 'dense → batchnorm 1d', shape: [5], layers: [{ type: 'dense', units: 6 }, { type: 'batchnorm' }] },
    { label: 'layernorm [3,5,7]', shape: [3, 5, 7], layers: [{ type: 'layernorm' }] },
    { label: 'layernorm [4,3,3]', shape: [4, 3, 3], layers: [{ type: 'layernorm', eps: 1e-3 }] },
    { label: 'layernorm [6]', shape: [6], layers: [{ type: 'layernorm' }] },
    { label: 'instancenorm [3,5,7]', shape: [3, 5, 7], layers: [{ type: 'instancenorm' }] },
    { label: 'instancenorm [4,3,3]', shape: [4, 3, 3], layers: [{ type: 'instancenorm' }] },
    { label: 'conv2d → instancenorm', shape: [2, 5, 7], layers: [{ type: 'conv2d', filters: 3, kernel: 3 }, { type: 'instancenorm' }] },
    ...[1, 2, 3].flatMap((groups) => [
      { label: `groupnorm ${groups} groups [6,3,5]`, shape: [6, 3, 5], layers: [{ type: 'groupnorm', groups }] },
      { label: `groupnorm ${groups} groups [6]`, shape: [6], layers: [{ type: 'groupnorm', groups }] }
    ]),
    { label: 'conv2d → groupnorm', shape: [2, 4, 4], layers: [{ type: 'conv2d', filters: 6, kernel: 3, padding: 'same' }, { type: 'groupnorm', groups: 3 }] }
  ]
  for (const c of cases) {
    for (const mode of MODES) {
      it(`${c.label}, ${mode}`, () => {
        for (const batch of BATCHES) {
          const result = gradCheck(net(c.shape, c.layers), batch, { mode, eps: STEP })
          expect(result.maxRelativeError, `batch ${batch}: ${result.worst}`).toBeLessThan(1e-6)
          expect(result.checked).toBeGreaterThan(0)
        }
      })
    }
  }
})

describe('batchnorm values', () => {
  it('train: per-channel mean 0 and biased variance 1, running statistics and the batch counter', () => {
    const shape = [3, 4, 5]
    const network = createNetwork(net(shape, [{ type: 'batchnorm' }]), { dtype: 'float64' })
    const x = randomInput(4, shape)
    const y = network.forward(x, 'train')
    const plane = 20
    const m = 4 * plane
    const rm = buffer(network, '0.running_mean')
    const rv = buffer(network, '0.running_var')
    for (let c = 0; c < 3; c++) {
      const idx = range(4).flatMap((s) => range(plane).map((i) => (s * 3 + c) * plane + i))
      const out = stats(y.data, idx)
      expect(out.mean).toBeCloseTo(0, 10)
      const inp = stats(x.data, idx)
      // ŷ's biased variance is var/(var + eps), 1 up to eps.
      expect(out.variance).toBeCloseTo(inp.variance / (inp.variance + 1e-5), 10)
      expect(Math.abs(out.variance - 1)).toBeLessThan(1e-4)
      expect(rm[c]).toBeCloseTo(0.9 * 0 + 0.1 * inp.mean, 12)
      expect(rv[c]).toBeCloseTo(0.9 * 1 + 0.1 * inp.variance * (m / (m - 1)), 12)
    }
    expect(buffer(network, '0.num_batches_tracked')[0]).toBe(1)
    network.forward(x, 'train')
    expect(buffer(network, '0.num_batches_tracked')[0]).toBe(2)
    network.forward(x, 'eval')
    expect(buffer(network, '0.num_batches_tracked')[0]).toBe(2)
  })

  it('momentum sets the weight of the batch in the running statistics', () => {
    const network = createNetwork(net([2], [{ type: 'batchnorm', momentum: 0.25 }]), { dtype: 'float64' })
    const x: Tensor = { shape: [3, 2], data: Float64Array.from([1, 10, 2, 20, 6, 60]) }
    network.forward(x, 'train')
    // Feature 0: mean 3, unbiased variance ((−2)² + (−1)² + 3²)/2 = 7.
    expect(buffer(network, '0.running_mean')[0]).toBeCloseTo(0.25 * 3, 12)
    expect(buffer(network, '0.running_var')[0]).toBeCloseTo(0.75 + 0.25 * 7, 12)
    expect(buffer(network, '0.running_mean')[1]).toBeCloseTo(0.25 * 30, 12)
    expect(buffer(network, '0.running_var')[1]).toBeCloseTo(0.75 + 0.25 * 700, 12)
  })

  it('eval: normalizes with the running statistics and does not update them', () => {
    const shape = [2, 3, 3]
    const network = createNetwork(net(shape, [{ type: 'batchnorm', eps: 1e-3 }]), { dtype: 'float64' })
    const gamma = param(network, '0.weight')
    const beta = param(network, '0.bias')
    gamma.set([1.5, -0.5])
    beta.set([0.25, 2])
    const rm = buffer(network, '0.running_mean')
    const rv = buffer(network, '0.running_var')
    rm.set([0.3, -1])
    rv.set([2, 0.5])
    const x = randomInput(3, shape)
    const y = network.forward(x, 'eval')
    for (let i = 0; i < x.data.length; i++) {
      const c = Math.floor(i / 9) % 2
      expect(y.data[i]).toBeCloseTo(((x.data[i] - rm[c]) / Math.sqrt(rv[c] + 1e-3)) * gamma[c] + beta[c], 12)
    }
    expect(Array.from(rm)).toEqual([0.3, -1])
    expect(Array.from(rv)).toEqual([2, 0.5])
    expect(buffer(network, '0.num_batches_tracked')[0]).toBe(0)
  })

  it('eval backward: dx = dy·γ/√(running_var + eps), dγ = Σ dy·ŷ, dβ = Σ dy', () => {
    const network = createNetwork(net([2], [{ type: 'batchnorm' }]), { dtype: 'float64', inputGrad: true })
    param(network, '0.weight').set([2, 3])
    buffer(network, '0.running_mean').set([1, -1])
    buffer(network, '0.running_var').set([4, 0.25])
    const x: Tensor = { shape: [2, 2], data: Float64Array.from([3, 0, -1, 1]) }
    network.forward(x, 'eval')
    network.zeroGrad()
    const dy: Tensor = { shape: [2, 2], data: Float64Array.from([1, 2, 3, 4]) }
    const dx = network.backward(dy)!
    const s0 = Math.sqrt(4 + 1e-5)
    const s1 = Math.sqrt(0.25 + 1e-5)
    const expected = [(1 * 2) / s0, (2 * 3) / s1, (3 * 2) / s0, (4 * 3) / s1]
    for (let i = 0; i < 4; i++) expect(dx.data[i]).toBeCloseTo(expected[i], 12)
    const dgamma = network.params().find((p) => p.name === '0.weight')!.grad.data
    const dbeta = network.params().find((p) => p.name === '0.bias')!.grad.data
    expect(dgamma[0]).toBeCloseTo(1 * (2 / s0) + 3 * (-2 / s0), 12)
    expect(dgamma[1]).toBeCloseTo(2 * (1 / s1) + 4 * (2 / s1), 12)
    expect(Array.from(dbeta)).toEqual([4, 6])
  })

  it('float32 training matches float64 closely', () => {
    const shape = [3, 4, 4]
    const x64 = randomInput(5, shape)
    const x32: Tensor = { shape: x64.shape, data: Float32Array.from(x64.data) }
    const a = createNetwork(net(shape, [{ type: 'batchnorm' }]), { dtype: 'float64' })
    const b = createNetwork(net(shape, [{ type: 'batchnorm' }]), { dtype: 'float32' })
    const ya = a.forward(x64, 'train')
    const yb = b.forward(x32, 'train')
    for (let i = 0; i < ya.data.length; i++) expect(Math.abs(ya.data[i] - yb.data[i])).toBeLessThan(1e-5)
    expect(b.buffers()[0].value.data).toBeInstanceOf(Float32Array)
  })

  it('refuses to train with one value per channel, as PyTorch', () => {
    const network = createNetwork(net([4], [{ type: 'batchnorm' }]), { dtype: 'float64' })
    const x: Tensor = { shape: [1, 4], data: Float64Array.from([1, 2, 3, 4]) }
    expect(() => network.forward(x, 'train')).toThrow('batchnorm: expected more than 1 value per channel when training, got input [1, 4]')
    expect(() => network.forward(x, 'eval')).not.toThrow()
    // One image still has H·W values per channel.
    const image = createNetwork(net([2, 2, 2], [{ type: 'batchnorm' }]), { dtype: 'float64' })
    expect(() => image.forward(randomInput(1, [2, 2, 2]), 'train')).not.toThrow()
  })
})

describe('layer, instance and group norm values', () => {
  it('layernorm normalizes each sample over all its values; weight and bias have the input shape', () => {
    const shape = [2, 3, 4]
    const network = createNetwork(net(shape, [{ type: 'layernorm' }]), { dtype: 'float64' })
    expect(network.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['0.weight', [2, 3, 4]],
      ['0.bias', [2, 3, 4]]
    ])
    const x = randomInput(3, shape)
    const y = network.forward(x, 'train')
    for (let s = 0; s < 3; s++) {
      const idx = range(24).map((i) => s * 24 + i)
      const out = stats(y.data, idx)
      expect(out.mean).toBeCloseTo(0, 10)
      expect(Math.abs(out.variance - 1)).toBeLessThan(1e-4)
    }
    // Per-value affine.
    const gamma = param(network, '0.weight')
    const beta = param(network, '0.bias')
    for (let i = 0; i < 24; i++) {
      gamma[i] = i / 10
      beta[i] = -i
    }
    const plain = Float64Array.from(y.data)
    const y2 = network.forward(x, 'eval')
    for (let i = 0; i < y2.data.length; i++) expect(y2.data[i]).toBeCloseTo(plain[i] * ((i % 24) / 10) - (i % 24), 10)
  })

  it('instancenorm normalizes each sample and channel over H×W, the same in train and eval', () => {
    const shape = [3, 4, 5]
    const network = createNetwork(net(shape, [{ type: 'instancenorm' }]), { dtype: 'float64' })
    expect(network.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['0.weight', [3]],
      ['0.bias', [3]]
    ])
    expect(network.buffers()).toEqual([])
    const x = randomInput(2, shape)
    const y = Float64Array.from(network.forward(x, 'train').data)
    for (let plane = 0; plane < 6; plane++) {
      const out = stats(y, range(20).map((i) => plane * 20 + i))
      expect(out.mean).toBeCloseTo(0, 10)
      expect(Math.abs(out.variance - 1)).toBeLessThan(1e-4)
    }
    expect(Array.from(network.forward(x, 'eval').data)).toEqual(Array.from(y))
  })

  it('groupnorm normalizes each sample and group of channels', () => {
    const shape = [6, 2, 3]
    const network = createNetwork(net(shape, [{ type: 'groupnorm', groups: 3 }]), { dtype: 'float64' })
    expect(network.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['0.weight', [6]],
      ['0.bias', [6]]
    ])
    const x = randomInput(2, shape)
    const y = network.forward(x, 'train')
    for (let s = 0; s < 2; s++) {
      for (let g = 0; g < 3; g++) {
        // Group g holds channels 2g and 2g + 1: 12 contiguous values.
        const out = stats(y.data, range(12).map((i) => s * 36 + g * 12 + i))
        expect(out.mean).toBeCloseTo(0, 10)
        expect(Math.abs(out.variance - 1)).toBeLessThan(1e-4)
      }
    }
  })

  it('groupnorm on [F] treats features as channels', () => {
    const network = createNetwork(net([6], [{ type: 'groupnorm', groups: 2 }]), { dtype: 'float64' })
    const x: Tensor = { shape: [1, 6], data: Float64Array.from([1, 2, 3, 10, 20, 30]) }
    const y = network.forward(x, 'train')
    const s = Math.sqrt(2 / 3 + 1e-5)
    const t = Math.sqrt(200 / 3 + 1e-5)
    const expected = [-1 / s, 0, 1 / s, -10 / t, 0, 10 / t]
    for (let i = 0; i < 6; i++) expect(y.data[i]).toBeCloseTo(expected[i], 12)
  })

  it('groupnorm with 1 group equals layernorm, with C groups equals instancenorm (unit affine)', () => {
    const shape = [4, 3, 3]
    const x = randomInput(3, shape)
    const run = (layer: object): number[] => Array.from(createNetwork(net(shape, [layer]), { dtype: 'float64' }).forward(x, 'train').data)
    const one = run({ type: 'groupnorm', groups: 1 })
    const layer = run({ type: 'layernorm' })
    const all = run({ type: 'groupnorm', groups: 4 })
    const instance = run({ type: 'instancenorm' })
    for (let i = 0; i < one.length; i++) {
      expect(one[i]).toBeCloseTo(layer[i], 12)
      expect(all[i]).toBeCloseTo(instance[i], 12)
    }
  })
})

describe('normalization specs', () => {
  it('instancenorm needs an image', () => {
    const analysis = analyzeNetwork(net([6], [{ type: 'instancenorm' }]))
    expect(analysis.ok).toBe(false)
    expect(analysis.issues).toEqual([
      { layer: 0, field: null, message: 'layer 0 (instancenorm): instancenorm needs a C×H×W input, got 6 (a dense or flattened output)' }
    ])
  })

  it('instancenorm needs more than one pixel per channel', () => {
    const tiny = analyzeNetwork(net([3, 1, 1], [{ type: 'instancenorm' }]))
    expect(tiny.issues.map((i) => i.message)).toEqual(['layer 0 (instancenorm): instancenorm needs more than one pixel per channel, got 3×1×1'])
  })

  it('groupnorm groups must divide the channels', () => {
    const analysis = analyzeNetwork(net([1, 8, 8], [{ type: 'conv2d', filters: 16, kernel: 3 }, { type: 'groupnorm', groups: 3 }]))
    expect(analysis.ok).toBe(false)
    expect(analysis.issues).toEqual([{ layer: 1, field: 'groups', message: 'layer 1 (groupnorm): groups 3 does not divide 16 channels' }])
    const flat = analyzeNetwork(net([6], [{ type: 'groupnorm', groups: 4 }]))
    expect(flat.issues.map((i) => i.message)).toEqual(['layer 0 (groupnorm): groups 4 does not divide 6 channels'])
    const ok = analyzeNetwork(net([1, 8, 8], [{ type: 'conv2d', filters: 16, kernel: 3 }, { type: 'groupnorm', groups: 4 }]))
    expect(ok.ok).toBe(true)
    expect(ok.layers[1].formula).toBe('16 channels / 4 groups = 4 per group')
  })

  it('validates fields', () => {
    const messages = (layer: object): string[] => analyzeNetwork(net([4, 3, 3], [layer])).issues.map((i) => i.message)
    expect(messages({ type: 'batchnorm', eps: 0 })).toEqual(['layer 0 (batchnorm): eps must be greater than 0, got 0'])
    expect(messages({ type: 'batchnorm', momentum: 1.5 })).toEqual(['layer 0 (batchnorm): momentum must be at most 1, got 1.5'])
    expect(messages({ type: 'groupnorm', groups: 0 })).toEqual(['layer 0 (groupnorm): groups must be at least 1, got 0'])
    expect(messages({ type: 'layernorm', eps: -1 })).toEqual(['layer 0 (layernorm): eps must be greater than 0, got -1'])
  })

  it('counts parameters: 2 per channel (2 per value for layernorm)', () => {
    const analysis = analyzeNetwork(
      net([3, 4, 4], [{ type: 'batchnorm' }, { type: 'instancenorm' }, { type: 'groupnorm', groups: 3 }, { type: 'layernorm' }, { type: 'flatten' }, { type: 'batchnorm' }])
    )
    expect(analysis.ok).toBe(true)
    expect(analysis.layers.map((l) => l.params)).toEqual([6, 6, 6, 96, 0, 96])
    expect(analysis.layers.map((l) => l.outputShape)).toEqual([[3, 4, 4], [3, 4, 4], [3, 4, 4], [3, 4, 4], [48], [48]])
  })
})

describe('normalization state dict', () => {
  it('uses PyTorch names in state_dict order', () => {
    const network = createNetwork(
      net([1, 6, 6], [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'batchnorm' }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 3 }])
    )
    const state = network.stateDict()
    expect(Object.keys(state)).toEqual([
      '0.weight',
      '0.bias',
      '1.weight',
      '1.bias',
      '1.running_mean',
      '1.running_var',
      '1.num_batches_tracked',
      '4.weight',
      '4.bias'
    ])
    expect(state['1.weight'].shape).toEqual([4])
    expect(Array.from(state['1.weight'].data)).toEqual([1, 1, 1, 1])
    expect(Array.from(state['1.bias'].data)).toEqual([0, 0, 0, 0])
    expect(Array.from(state['1.running_mean'].data)).toEqual([0, 0, 0, 0])
    expect(Array.from(state['1.running_var'].data)).toEqual([1, 1, 1, 1])
    expect(state['1.num_batches_tracked'].shape).toEqual([])
    expect(Array.from(state['1.num_batches_tracked'].data)).toEqual([0])
  })

  it('normalization parameters are not weight-decayed', () => {
    const network = createNetwork(net([4, 3, 3], [{ type: 'batchnorm' }, { type: 'layernorm' }, { type: 'instancenorm' }, { type: 'groupnorm' }]))
    expect(network.params().map((p) => [p.name, p.decay])).toEqual([
      ['0.weight', false],
      ['0.bias', false],
      ['1.weight', false],
      ['1.bias', false],
      ['2.weight', false],
      ['2.bias', false],
      ['3.weight', false],
      ['3.bias', false]
    ])
  })

  it('round-trips running statistics through loadStateDict', () => {
    const spec = net([3], [{ type: 'batchnorm' }])
    const a = createNetwork(spec, { dtype: 'float64' })
    a.forward({ shape: [2, 3], data: Float64Array.from([1, 2, 3, 5, 7, 11]) }, 'train')
    const b = createNetwork(spec, { dtype: 'float64' })
    b.loadStateDict(a.stateDict())
    expect(b.stateDict()).toEqual(a.stateDict())
    expect(buffer(b, '0.num_batches_tracked')[0]).toBe(1)
  })
})
