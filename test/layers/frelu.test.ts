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

function randomInput(batch: number, shape: number[], seed = 3): Tensor {
  const size = batch * shape.reduce((a, b) => a * b, 1)
  const rng = createRng(seed)
  const data = new Float64Array(size)
  for (let i = 0; i < size; i++) data[i] = rng.nextNormal()
  return { shape: [batch, ...shape], data }
}

function named(network: Network, name: string): Float64Array | Float32Array {
  const found = network.params().find((p) => p.name === name) ?? network.buffers().find((b) => b.name === name)
  if (!found) throw new Error(`no ${name}`)
  return found.value.data
}

/** FReLU written out naively in double: t = BN(DWConv3×3(x) + b) with the given statistics mode. */
function reference(
  x: Tensor,
  W: ArrayLike<number>,
  b: ArrayLike<number>,
  gamma: ArrayLike<number>,
  beta: ArrayLike<number>,
  running: { mean: ArrayLike<number>; variance: ArrayLike<number> } | null
): { y: number[]; batchMean: number[]; batchVar: number[] } {
  const [n, c, h, w] = x.shape
  const u = new Array<number>(n * c * h * w).fill(0)
  for (let s = 0; s < n; s++)
    for (let ch = 0; ch < c; ch++)
      for (let i = 0; i < h; i++)
        for (let j = 0; j < w; j++) {
          let sum = b[ch]
          for (let ky = -1; ky <= 1; ky++)
            for (let kx = -1; kx <= 1; kx++) {
              const ii = i + ky
              const jj = j + kx
              if (ii >= 0 && ii < h && jj >= 0 && jj < w) sum += W[ch * 9 + (ky + 1) * 3 + (kx + 1)] * x.data[((s * c + ch) * h + ii) * w + jj]
            }
          u[((s * c + ch) * h + i) * w + j] = sum
        }
  const batchMean: number[] = []
  const batchVar: number[] = []
  for (let ch = 0; ch < c; ch++) {
    const values: number[] = []
    for (let s = 0; s < n; s++) for (let k = 0; k < h * w; k++) values.push(u[(s * c + ch) * h * w + k])
    const mean = values.reduce((a, v) => a + v, 0) / values.length
    batchMean.push(mean)
    batchVar.push(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)
  }
  const y = u.map((v, i) => {
    const ch = Math.floor(i / (h * w)) % c
    const mean = running ? running.mean[ch] : batchMean[ch]
    const variance = running ? running.variance[ch] : batchVar[ch]
    const t = ((v - mean) / Math.sqrt(variance + 1e-5)) * gamma[ch] + beta[ch]
    return Math.max(x.data[i], t)
  })
  return { y, batchMean, batchVar }
}

const MODES: Mode[] = ['train', 'eval']
/**
 * Central-difference step. With the helper's default 1e-6 the numeric derivative is quantized to
 * ulp(L)/(2·step) ≈ 1.8e-9, which fails the relative test where the true gradient is 0 (conv.bias in
 * train mode: batch norm subtracts it out again). 1e-5 lowers that floor tenfold; larger steps start
 * to straddle the kink of max(x, t).
 */
const STEP = 1e-5

describe('frelu gradients (numerical check, float64)', () => {
  const cases: { label: string; shape: number[]; layers: object[] }[] = [
    { label: 'frelu [3,5,7]', shape: [3, 5, 7], layers: [{ type: 'frelu' }] },
    { label: 'frelu [4,3,3]', shape: [4, 3, 3], layers: [{ type: 'frelu' }] },
    { label: 'frelu [2,1,4]', shape: [2, 1, 4], layers: [{ type: 'frelu' }] },
    { label: 'conv2d → frelu → conv2d', shape: [2, 6, 5], layers: [{ type: 'conv2d', filters: 3, kernel: 3, padding: 'same' }, { type: 'frelu' }, { type: 'conv2d', filters: 2, kernel: 2 }] }
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

  it('as the first layer without an input gradient: returns null but still fills parameter gradients', () => {
    const spec = net([3, 4, 5], [{ type: 'frelu' }])
    const x = randomInput(2, [3, 4, 5])
    const dy = randomInput(2, [3, 4, 5], 17)
    const withInput = createNetwork(spec, { dtype: 'float64', seed: 4, inputGrad: true })
    const without = createNetwork(spec, { dtype: 'float64', seed: 4 })
    for (const network of [withInput, without]) {
      network.forward(x, 'train')
      network.zeroGrad()
    }
    expect(withInput.backward(dy)).not.toBeNull()
    expect(without.backward(dy)).toBeNull()
    for (let k = 0; k < 4; k++) {
      expect(Array.from(without.params()[k].grad.data)).toEqual(Array.from(withInput.params()[k].grad.data))
    }
  })
})

describe('frelu values', () => {
  it('train: max(x, BN(DWConv3×3(x))) with batch statistics, and updates the running statistics', () => {
    const shape = [3, 4, 5]
    const network = createNetwork(net(shape, [{ type: 'frelu' }]), { dtype: 'float64', seed: 2 })
    const prng = createRng(99)
    for (const p of network.params()) for (let i = 0; i < p.value.data.length; i++) p.value.data[i] += 0.3 * prng.nextNormal()
    const x = randomInput(3, shape)
    const W = named(network, '0.conv.weight')
    const ref = reference(x, W, named(network, '0.conv.bias'), named(network, '0.bn.weight'), named(network, '0.bn.bias'), null)
    const y = network.forward(x, 'train')
    for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(ref.y[i], 10)
    const m = 3 * 20
    const rm = named(network, '0.bn.running_mean')
    const rv = named(network, '0.bn.running_var')
    for (let ch = 0; ch < 3; ch++) {
      expect(rm[ch]).toBeCloseTo(0.1 * ref.batchMean[ch], 12)
      expect(rv[ch]).toBeCloseTo(0.9 + 0.1 * ref.batchVar[ch] * (m / (m - 1)), 12)
    }
    expect(named(network, '0.bn.num_batches_tracked')[0]).toBe(1)
    // Some values take x, some the funnel condition.
    let fromX = 0
    for (let i = 0; i < y.data.length; i++) if (y.data[i] === x.data[i]) fromX++
    expect(fromX).toBeGreaterThan(0)
    expect(fromX).toBeLessThan(y.data.length)
  })

  it('eval: uses the running statistics and leaves them alone', () => {
    const shape = [2, 3, 3]
    const network = createNetwork(net(shape, [{ type: 'frelu' }]), { dtype: 'float64', seed: 6 })
    named(network, '0.bn.running_mean').set([0.5, -0.2])
    named(network, '0.bn.running_var').set([2, 0.3])
    named(network, '0.bn.weight').set([1.2, 0.7])
    named(network, '0.bn.bias').set([-0.1, 0.4])
    named(network, '0.conv.bias').set([0.05, -0.3])
    const x = randomInput(2, shape)
    const running = { mean: [0.5, -0.2], variance: [2, 0.3] }
    const ref = reference(x, named(network, '0.conv.weight'), [0.05, -0.3], [1.2, 0.7], [-0.1, 0.4], running)
    const y = network.forward(x, 'eval')
    for (let i = 0; i < y.data.length; i++) expect(y.data[i]).toBeCloseTo(ref.y[i], 10)
    expect(Array.from(named(network, '0.bn.running_mean'))).toEqual([0.5, -0.2])
    expect(named(network, '0.bn.num_batches_tracked')[0]).toBe(0)
  })

  it('a strongly negative funnel makes it the identity', () => {
    // BN weight 0 and bias −100 make t = −100 < x everywhere, so y = x, dx = dy and the funnel gets no gradient.
    const network = createNetwork(net([2, 3, 3], [{ type: 'frelu' }]), { dtype: 'float64', inputGrad: true })
    named(network, '0.bn.weight').fill(0)
    named(network, '0.bn.bias').fill(-100)
    const x = randomInput(2, [2, 3, 3])
    const y = network.forward(x, 'train')
    expect(Array.from(y.data)).toEqual(Array.from(x.data))
    const dy = randomInput(2, [2, 3, 3], 5)
    network.zeroGrad()
    expect(Array.from(network.backward(dy)!.data)).toEqual(Array.from(dy.data))
    expect(Array.from(network.params()[0].grad.data).every((v) => v === 0)).toBe(true)
  })
})

describe('frelu spec and state', () => {
  it('needs an image input', () => {
    const analysis = analyzeNetwork(net([6], [{ type: 'frelu' }]))
    expect(analysis.ok).toBe(false)
    expect(analysis.issues).toEqual([{ layer: 0, field: null, message: 'layer 0 (frelu): frelu needs a C×H×W input, got 6 (a dense or flattened output)' }])
    const afterDense = analyzeNetwork(net([1, 4, 4], [{ type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'frelu' }]))
    expect(afterDense.issues.map((i) => i.message)).toEqual(['layer 2 (frelu): frelu needs a C×H×W input, got 4 (a dense or flattened output)'])
  })

  it('reports 12 parameters per channel and 9 multiply-adds per value', () => {
    const analysis = analyzeNetwork(net([4, 5, 6], [{ type: 'frelu' }]))
    expect(analysis.layers[0]).toMatchObject({ outputShape: [4, 5, 6], params: 48, macs: 9 * 4 * 5 * 6 })
  })

  it('uses PyTorch state_dict names and order', () => {
    const network = createNetwork(
      net([1, 6, 6], [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'frelu' }, { type: 'flatten' }, { type: 'dense', units: 2 }])
    )
    const state = network.stateDict()
    expect(Object.keys(state)).toEqual([
      '0.weight',
      '0.bias',
      '1.conv.weight',
      '1.conv.bias',
      '1.bn.weight',
      '1.bn.bias',
      '1.bn.running_mean',
      '1.bn.running_var',
      '1.bn.num_batches_tracked',
      '3.weight',
      '3.bias'
    ])
    expect(state['1.conv.weight'].shape).toEqual([4, 1, 3, 3])
    expect(state['1.conv.bias'].shape).toEqual([4])
    expect(state['1.bn.num_batches_tracked'].shape).toEqual([])
    expect(Array.from(state['1.bn.weight'].data)).toEqual([1, 1, 1, 1])
    expect(Array.from(state['1.bn.running_var'].data)).toEqual([1, 1, 1, 1])
    expect(network.params().map((p) => [p.name, p.decay])).toEqual([
      ['0.weight', true],
      ['0.bias', false],
      ['1.conv.weight', true],
      ['1.conv.bias', false],
      ['1.bn.weight', false],
      ['1.bn.bias', false],
      ['3.weight', true],
      ['3.bias', false]
    ])
  })

  it('initializes its depthwise weights with He normal, and makes auto pick He for the layer before it', () => {
    const network = createNetwork(net([16, 12, 12], [{ type: 'conv2d', filters: 64, kernel: 3 }, { type: 'batchnorm' }, { type: 'frelu' }]), { seed: 3 })
    const std = (data: ArrayLike<number>): number => {
      let sq = 0
      for (let i = 0; i < data.length; i++) sq += data[i] * data[i]
      return Math.sqrt(sq / data.length)
    }
    // conv2d: fanIn 144 → He std √(2/144) ≈ 0.118 (Xavier normal would be √(2/720) ≈ 0.053).
    expect(std(named(network, '0.weight'))).toBeCloseTo(Math.sqrt(2 / 144), 2)
    // Depthwise: fanIn 9 → std √(2/9) ≈ 0.471.
    expect(std(named(network, '2.conv.weight'))).toBeGreaterThan(0.35)
    expect(std(named(network, '2.conv.weight'))).toBeLessThan(0.6)
  })
})
