import { describe, it, expect } from 'vitest'
import { gradCheck } from '../helpers/gradcheck'
import { createNetwork } from '../../src-engine/network'

const TOL = 1e-6
const one = (shape: number[], layer: Record<string, unknown>) => ({ version: 1, input: { shape }, layers: [layer] })

describe('conv2d gradients (float64, central differences)', () => {
  const cases: [string, number[], Record<string, unknown>][] = [
    ['3×3 valid', [2, 6, 6], { type: 'conv2d', filters: 3, kernel: 3 }],
    ['5×5 padding 2 (LeNet conv1)', [1, 9, 9], { type: 'conv2d', filters: 2, kernel: 5, padding: 2 }],
    ['stride 2, odd input', [3, 7, 9], { type: 'conv2d', filters: 2, kernel: 3, stride: 2 }],
    ['stride 2, padding 1', [2, 8, 8], { type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }],
    ['same, odd kernel', [2, 5, 7], { type: 'conv2d', filters: 2, kernel: 3, padding: 'same' }],
    ['same, even kernel (asymmetric padding)', [1, 6, 5], { type: 'conv2d', filters: 2, kernel: 4, padding: 'same' }],
    ['same, stride 2, odd input', [2, 7, 7], { type: 'conv2d', filters: 2, kernel: 3, stride: 2, padding: 'same' }],
    ['no bias', [2, 5, 5], { type: 'conv2d', filters: 3, kernel: 2, bias: false }],
    ['1×1 kernel', [4, 3, 5], { type: 'conv2d', filters: 2, kernel: 1 }],
    ['kernel equal to input', [2, 4, 4], { type: 'conv2d', filters: 3, kernel: 4 }]
  ]
  for (const [name, shape, layer] of cases) {
    for (const batch of [1, 2, 3]) {
      it(`${name}, batch ${batch}`, () => {
        const r = gradCheck(one(shape, layer), batch)
        expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
        expect(r.checked).toBeGreaterThan(10)
      })
    }
  }
})

describe('dense, flatten and relu gradients', () => {
  for (const shape of [[7], [2, 3, 5]]) {
    it(`relu on ${shape.join('×')}`, () => {
      const r = gradCheck(one(shape, { type: 'relu' }), 3)
      expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
    })
  }

  it('relu zeroes negatives and passes no gradient at or below zero', () => {
    const net = createNetwork(one([4], { type: 'relu' }), { dtype: 'float64', inputGrad: true })
    const y = net.forward({ shape: [1, 4], data: Float64Array.from([-2, 0, 0.5, 3]) }, 'train')
    expect(Array.from(y.data)).toEqual([0, 0, 0.5, 3])
    const dx = net.backward({ shape: [1, 4], data: Float64Array.from([1, 1, 1, 1]) })!
    expect(Array.from(dx.data)).toEqual([0, 0, 1, 1])
  })

  for (const batch of [1, 2, 5]) {
    it(`dense with bias, batch ${batch}`, () => {
      const r = gradCheck(one([7], { type: 'dense', units: 5 }), batch)
      expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
    })
    it(`dense without bias, batch ${batch}`, () => {
      const r = gradCheck(one([4], { type: 'dense', units: 3, bias: false }), batch)
      expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
    })
    it(`conv → relu → flatten → dense, batch ${batch}`, () => {
      const spec = {
        version: 1,
        input: { shape: [2, 6, 5] },
        layers: [{ type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }]
      }
      const r = gradCheck(spec, batch)
      expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
    })
  }

  it('a LeNet-shaped stack end to end (conv, relu, maxpool, conv, relu, avgpool, flatten, dense, relu, dense, softmax)', () => {
    const spec = {
      version: 1,
      input: { shape: [1, 12, 12] },
      layers: [
        { type: 'conv2d', filters: 3, kernel: 5, padding: 2 },
        { type: 'relu' },
        { type: 'maxpool2d', size: 2 },
        { type: 'conv2d', filters: 4, kernel: 3 },
        { type: 'relu' },
        { type: 'avgpool2d', size: 2 },
        { type: 'flatten' },
        { type: 'dense', units: 6 },
        { type: 'relu' },
        { type: 'dense', units: 3 },
        { type: 'softmax' }
      ]
    }
    const r = gradCheck(spec, 2, { maxPerTensor: 60 })
    expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
  })
})

describe('weight initialization', () => {
  const stdOf = (data: ArrayLike<number>) => {
    let s = 0
    let s2 = 0
    for (let i = 0; i < data.length; i++) {
      s += data[i]
      s2 += data[i] * data[i]
    }
    const mean = s / data.length
    return Math.sqrt(s2 / data.length - mean * mean)
  }
  const conv = (next: Record<string, unknown>[], init?: string) =>
    createNetwork(
      { version: 1, input: { shape: [64, 8, 8] }, layers: [{ type: 'conv2d', filters: 128, kernel: 3, ...(init ? { init } : {}) }, ...next] },
      { seed: 3 }
    ).params()[0].value.data
  const fanIn = 64 * 9
  const fanOut = 128 * 9

  it('auto picks He for the ReLU family, looking past batch norm and dropout', () => {
    expect(stdOf(conv([{ type: 'relu' }]))).toBeCloseTo(Math.sqrt(2 / fanIn), 3)
    expect(stdOf(conv([{ type: 'batchnorm' }, { type: 'dropout' }, { type: 'mish' }]))).toBeCloseTo(Math.sqrt(2 / fanIn), 3)
  })

  it('auto picks Xavier for sigmoid and tanh, and when no activation follows', () => {
    const xavier = Math.sqrt(2 / (fanIn + fanOut))
    expect(stdOf(conv([{ type: 'tanh' }]))).toBeCloseTo(xavier, 3)
    expect(stdOf(conv([{ type: 'sigmoid' }]))).toBeCloseTo(xavier, 3)
    expect(stdOf(conv([]))).toBeCloseTo(xavier, 3)
  })

  it('honours a per-layer override', () => {
    expect(stdOf(conv([{ type: 'relu' }], 'lecun_normal'))).toBeCloseTo(Math.sqrt(1 / fanIn), 3)
    const w = conv([{ type: 'relu' }], 'he_uniform')
    const bound = Math.sqrt(6 / fanIn)
    expect(Math.max(...Array.from(w, Math.abs))).toBeLessThanOrEqual(bound)
    expect(Math.max(...Array.from(w, Math.abs))).toBeGreaterThan(bound * 0.99)
    expect(Array.from(conv([], 'zeros')).every((v) => v === 0)).toBe(true)
  })

  it('starts biases at zero and is reproducible from the seed', () => {
    const a = createNetwork({ version: 1, input: { shape: [3] }, layers: [{ type: 'dense', units: 4 }] }, { seed: 9 })
    const b = createNetwork({ version: 1, input: { shape: [3] }, layers: [{ type: 'dense', units: 4 }] }, { seed: 9 })
    const c = createNetwork({ version: 1, input: { shape: [3] }, layers: [{ type: 'dense', units: 4 }] }, { seed: 10 })
    expect(Array.from(a.params()[1].value.data)).toEqual([0, 0, 0, 0])
    expect(Array.from(a.params()[0].value.data)).toEqual(Array.from(b.params()[0].value.data))
    expect(Array.from(a.params()[0].value.data)).not.toEqual(Array.from(c.params()[0].value.data))
  })
})

describe('state dict', () => {
  it('round-trips and refuses mismatched names or shapes with a clear error', () => {
    const spec = { version: 1, input: { shape: [1, 6, 6] }, layers: [{ type: 'conv2d', filters: 2, kernel: 3 }, { type: 'batchnorm' }, { type: 'flatten' }, { type: 'dense', units: 3 }] }
    const a = createNetwork(spec, { seed: 1 })
    const b = createNetwork(spec, { seed: 2 })
    b.loadStateDict(a.stateDict())
    expect(b.stateDict()).toEqual(a.stateDict())
    const sd = a.stateDict()
    delete sd['3.bias']
    expect(() => b.loadStateDict(sd)).toThrow('state dict does not match the network: missing 3.bias;')
    const wrong = a.stateDict()
    wrong['0.weight'] = { shape: [2, 1, 2, 2], data: new Float32Array(8) }
    expect(() => b.loadStateDict(wrong)).toThrow('state dict entry 0.weight: expected shape 2×1×3×3, got 2×1×2×2 with 8 values')
    const nan = a.stateDict()
    nan['3.weight'].data[4] = NaN
    expect(() => b.loadStateDict(nan)).toThrow('state dict entry 3.weight: value 4 is NaN')
  })

  it('rejects an input of the wrong shape', () => {
    const net = createNetwork({ version: 1, input: { shape: [1, 4, 4] }, layers: [{ type: 'flatten' }] })
    expect(() => net.forward({ shape: [2, 1, 4, 5], data: new Float32Array(40) }, 'eval')).toThrow('network input must be [N, 1×4×4], got [2, 1, 4, 5] with 40 values')
  })
})

describe('conv2d in eval mode', () => {
  it('keeps one sample of columns (flat memory) and still back-propagates exactly', () => {
    const spec = one([2, 7, 7], { type: 'conv2d', filters: 3, kernel: 3, stride: 2, padding: 1 })
    const r = gradCheck(spec, 3, { mode: 'eval' })
    expect(r.maxRelativeError, r.worst).toBeLessThan(TOL)
    const net = createNetwork({ version: 1, input: { shape: [8, 16, 16] }, layers: [{ type: 'conv2d', filters: 8, kernel: 3, padding: 'same' }] }, { seed: 1 })
    const x = { shape: [64, 8, 16, 16], data: new Float32Array(64 * 8 * 256).map((_, i) => Math.sin(i)) }
    const before = net.allocator.allocatedElements
    const yEval = Float32Array.from(net.forward(x, 'eval').data)
    const evalGrowth = net.allocator.allocatedElements - before
    const yTrain = Float32Array.from(net.forward(x, 'train').data)
    const trainGrowth = net.allocator.allocatedElements - before - evalGrowth
    expect(Array.from(yEval)).toEqual(Array.from(yTrain))
    // Eval: the output and one sample's columns (72×256); train adds the batch's columns (64×72×256).
    expect(evalGrowth).toBe(64 * 8 * 256 + 72 * 256)
    expect(trainGrowth).toBe(64 * 72 * 256)
  })
})
