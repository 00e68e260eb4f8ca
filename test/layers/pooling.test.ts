import { describe, it, expect } from 'vitest'
import { gradCheck } from '../helpers/gradcheck'
import { expectClose, run, spec, type LayerJson } from '../helpers/layer-run'
import { createNetwork } from '../../src-engine/network'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import { layerRegistry } from '../../src-engine/layers/registry'

describe('pooling gradients (numerical check, float64)', () => {
  const cases: [number[], LayerJson][] = [
    [[2, 6, 6], { type: 'POOL' }],
    [[1, 7, 7], { type: 'POOL' }],
    [[3, 5, 4], { type: 'POOL' }],
    [[2, 7, 7], { type: 'POOL', size: 3, stride: 2 }],
    [[2, 7, 7], { type: 'POOL', size: 3, stride: 2, padding: 1 }],
    [[1, 9, 8], { type: 'POOL', size: 3, stride: 2 }],
    [[2, 5, 5], { type: 'POOL', size: 2, stride: 1 }],
    [[1, 5, 5], { type: 'POOL', size: 2, padding: 1 }],
    [[2, 4, 6], { type: 'POOL', size: 3, stride: 1, padding: 1 }],
    [[1, 6, 6], { type: 'POOL', size: 4, stride: 3, padding: 2 }],
    [[2, 3, 3], { type: 'POOL', size: 1 }]
  ]
  for (const type of ['maxpool2d', 'avgpool2d']) {
    for (const [shape, layer] of cases) {
      for (const batch of [1, 2, 3]) {
        const l = { ...layer, type }
        it(`${JSON.stringify(l)} on ${shape.join('×')}, batch ${batch}`, () => {
          const result = gradCheck(spec(shape, l), batch, { seed: 3 + batch, maxPerTensor: 1000 })
          expect(result.checked).toBe(batch * shape.reduce((a, b) => a * b, 1))
          expect(result.maxRelativeError, result.worst).toBeLessThan(1e-6)
        })
      }
    }
  }

  for (const shape of [[3, 5, 7], [2, 4, 4], [1, 1, 1]]) {
    for (const batch of [1, 2, 3]) {
      it(`global_avgpool on ${shape.join('×')}, batch ${batch}`, () => {
        const result = gradCheck(spec(shape, { type: 'global_avgpool' }), batch, { seed: 9 + batch })
        expect(result.maxRelativeError, result.worst).toBeLessThan(1e-6)
      })
    }
  }

  it('a small CNN: conv → relu → maxpool → conv → avgpool → global_avgpool → dense', () => {
    const net = spec(
      [2, 9, 9],
      { type: 'conv2d', filters: 3, kernel: 3, padding: 1 },
      { type: 'tanh' },
      { type: 'maxpool2d', size: 3, stride: 2, padding: 1 },
      { type: 'conv2d', filters: 4, kernel: 2 },
      { type: 'avgpool2d', size: 2, stride: 1, padding: 1 },
      { type: 'global_avgpool' },
      { type: 'dense', units: 3 }
    )
    const result = gradCheck(net, 2, { seed: 21 })
    expect(result.maxRelativeError, result.worst).toBeLessThan(1e-6)
  })
})

describe('max pooling values', () => {
  it('picks the maximum of each window and routes the gradient to it', () => {
    // prettier-ignore
    const x = [
      1, 5, 2, 0,
      3, 4, 9, 8,
      7, 6, 0, 1,
      2, 9, 3, 4
    ]
    const { y, dx, shape } = run(spec([1, 4, 4], { type: 'maxpool2d' }), x, { dy: [1, 2, 3, 4] })
    expect(shape).toEqual([1, 1, 2, 2])
    expect(y).toEqual([5, 9, 9, 4])
    expect(dx).toEqual([0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 4])
  })

  it('overlapping windows add their gradients at a shared maximum', () => {
    const x = new Array<number>(16).fill(0).map((_, i) => -i)
    x[5] = 10 // (1, 1) lies in all four 3×3 windows at stride 1
    const { y, dx } = run(spec([1, 4, 4], { type: 'maxpool2d', size: 3, stride: 1 }), x, { dy: [1, 2, 3, 4] })
    expect(y).toEqual([10, 10, 10, 10])
    const expected = new Array<number>(16).fill(0)
    expected[5] = 10
    expect(dx).toEqual(expected)
  })

  it('padding counts as −∞, never as 0', () => {
    const { y, dx, shape } = run(spec([1, 2, 2], { type: 'maxpool2d', size: 2, padding: 1 }), [-1, -2, -3, -4], { dy: [1, 2, 3, 4] })
    expect(shape).toEqual([1, 1, 2, 2])
    expect(y).toEqual([-1, -2, -3, -4])
    expect(dx).toEqual([1, 2, 3, 4])
  })

  it('floor mode drops the last incomplete row and column; they get no gradient', () => {
    const x = Array.from({ length: 9 }, (_, i) => i + 1)
    const { y, dx } = run(spec([1, 3, 3], { type: 'maxpool2d' }), x)
    expect(y).toEqual([5])
    expect(dx).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 0])
  })

  it('works plane by plane over channels and batch', () => {
    const x = [1, 2, 3, 4, 8, 7, 6, 5, -1, -2, -3, -4, 0, 0, 0, 9]
    const { y } = run(spec([2, 2, 2], { type: 'maxpool2d' }), x)
    expect(y).toEqual([4, 8, -1, 9])
  })

  it('in float32 too', () => {
    const { y, dx } = run(spec([1, 2, 2], { type: 'maxpool2d' }), [0.5, -1, 2.25, 1], { dtype: 'float32', dy: [3] })
    expect(y).toEqual([2.25])
    expect(dx).toEqual([0, 0, 3, 0])
  })
})

describe('average pooling values', () => {
  it('averages each window', () => {
    const { y, dx } = run(spec([1, 2, 2], { type: 'avgpool2d' }), [1, 2, 3, 4], { dy: [2] })
    expect(y).toEqual([2.5])
    expect(dx).toEqual([0.5, 0.5, 0.5, 0.5])
  })

  it('counts zero padding in the divisor (count_include_pad=True)', () => {
    const { y, dx, shape } = run(spec([1, 2, 2], { type: 'avgpool2d', size: 2, padding: 1 }), [1, 2, 3, 4])
    expect(shape).toEqual([1, 1, 2, 2])
    expectClose(y, [0.25, 0.5, 0.75, 1])
    expectClose(dx, [0.25, 0.25, 0.25, 0.25])
  })

  it('size 3, stride 2, padding 1: every window divides by 9', () => {
    const x = Array.from({ length: 9 }, (_, i) => i + 1)
    const { y, dx, shape } = run(spec([1, 3, 3], { type: 'avgpool2d', size: 3, stride: 2, padding: 1 }), x)
    expect(shape).toEqual([1, 1, 2, 2])
    expectClose(y, [12 / 9, 16 / 9, 24 / 9, 28 / 9])
    // The centre is in all four windows, edges in two, corners in one.
    expectClose(dx, [1, 2, 1, 2, 4, 2, 1, 2, 1].map((k) => k / 9))
  })

  it('floor mode on an odd input leaves the last row and column out', () => {
    const x = Array.from({ length: 9 }, (_, i) => i + 1)
    const { y, dx } = run(spec([1, 3, 3], { type: 'avgpool2d' }), x)
    expectClose(y, [3])
    expectClose(dx, [0.25, 0.25, 0, 0.25, 0.25, 0, 0, 0, 0])
  })
})

describe('global average pooling values', () => {
  it('[C, H, W] → [C], mean over H×W, gradient dy / (H·W)', () => {
    const { y, dx, shape } = run(spec([2, 2, 2], { type: 'global_avgpool' }), [1, 2, 3, 4, 10, 20, 30, 40], { dy: [4, 8] })
    expect(shape).toEqual([1, 2])
    expect(y).toEqual([2.5, 25])
    expect(dx).toEqual([1, 1, 1, 1, 2, 2, 2, 2])
  })

  it('handles a batch', () => {
    const x = [...[1, 1, 1, 1, 1, 1], ...[0, 3, 0, 3, 0, 3]]
    const { y } = run(spec([1, 2, 3], { type: 'global_avgpool' }), x, { dtype: 'float32' })
    expect(y).toEqual([1, 1.5])
  })
})

describe('pool layers reuse their buffers across batch sizes', () => {
  for (const type of ['maxpool2d', 'avgpool2d', 'global_avgpool']) {
    it(type, () => {
      const layer = type === 'global_avgpool' ? { type } : { type, size: 3, stride: 2, padding: 1 }
      const net = createNetwork(spec([2, 5, 5], layer), { dtype: 'float64', inputGrad: true })
      const per = 50
      const sample = (s: number) => Array.from({ length: per }, (_, i) => Math.sin(i * 0.7 + s * 3.1))
      const single: { y: number[]; dx: number[] }[] = []
      for (let s = 0; s < 3; s++) {
        const y = net.forward({ shape: [1, 2, 5, 5], data: Float64Array.from(sample(s)) }, 'eval')
        const dy = Float64Array.from(y.data, (_, i) => i + 1 + s)
        const dx = net.backward({ shape: y.shape.slice(), data: dy })!
        single.push({ y: Array.from(y.data), dx: Array.from(dx.data) })
      }
      const x = Float64Array.from([0, 1, 2].flatMap(sample))
      const y = net.forward({ shape: [3, 2, 5, 5], data: x }, 'eval')
      const m = y.data.length / 3
      const dy = Float64Array.from(y.data, (_, i) => (i % m) + 1 + Math.floor(i / m))
      const dx = net.backward({ shape: y.shape.slice(), data: dy })!
      for (let s = 0; s < 3; s++) {
        expect(Array.from(y.data.slice(s * m, (s + 1) * m))).toEqual(single[s].y)
        expect(Array.from(dx.data.slice(s * per, (s + 1) * per))).toEqual(single[s].dx)
      }
      // And back to a smaller batch.
      const y1 = net.forward({ shape: [1, 2, 5, 5], data: Float64Array.from(sample(2)) }, 'eval')
      expect(Array.from(y1.data)).toEqual(single[2].y)
    })
  }
})

describe('pooling specs and shape inference', () => {
  it('fills the defaults: size 2, stride = size, padding 0', () => {
    const a = analyzeNetwork(
      spec([3, 12, 12], { type: 'maxpool2d' }, { type: 'avgpool2d', size: 3 }, { type: 'maxpool2d', size: 2, stride: 1 })
    )
    expect(a.ok, JSON.stringify(a.issues)).toBe(true)
    expect(a.spec?.layers).toEqual([
      { type: 'maxpool2d', size: 2, stride: 2, padding: 0 },
      { type: 'avgpool2d', size: 3, stride: 3, padding: 0 },
      { type: 'maxpool2d', size: 2, stride: 1, padding: 0 }
    ])
    expect(a.layers.map((l) => l.outputShape)).toEqual([
      [3, 6, 6],
      [3, 2, 2],
      [3, 1, 1]
    ])
  })

  it('reports shapes, no parameters, macs = outputs × window, and the formula', () => {
    const a = analyzeNetwork(spec([3, 28, 28], { type: 'maxpool2d' }))
    expect(a.layers[0]).toMatchObject({ outputShape: [3, 14, 14], params: 0, macs: 3 * 14 * 14 * 4, formula: '⌊(28 − 2) / 2⌋ + 1 = 14' })
    const b = analyzeNetwork(spec([2, 7, 7], { type: 'avgpool2d', size: 3, stride: 2, padding: 1 }))
    expect(b.layers[0]).toMatchObject({ outputShape: [2, 4, 4], params: 0, macs: 2 * 16 * 9, formula: '⌊(7 + 2·1 − 3) / 2⌋ + 1 = 4' })
    const c = analyzeNetwork(spec([2, 7, 5], { type: 'maxpool2d' }))
    expect(c.layers[0]).toMatchObject({ outputShape: [2, 3, 2], formula: 'H: ⌊(7 − 2) / 2⌋ + 1 = 3; W: ⌊(5 − 2) / 2⌋ + 1 = 2' })
    const g = analyzeNetwork(spec([8, 5, 5], { type: 'global_avgpool' }))
    expect(g.layers[0]).toMatchObject({ outputShape: [8], params: 0, macs: 200 })
    expect(g.totalParams).toBe(0)
  })

  it('a window larger than the padded input is an error on "size"', () => {
    const a = analyzeNetwork(
      spec(
        [1, 8, 8],
        { type: 'conv2d', filters: 2, kernel: 3 },
        { type: 'relu' },
        { type: 'conv2d', filters: 2, kernel: 3 },
        { type: 'maxpool2d', size: 5 }
      )
    )
    expect(a.ok).toBe(false)
    expect(a.issues).toEqual([{ layer: 3, field: 'size', message: 'layer 3 (maxpool2d): size 5 exceeds padded input 4×4' }])
    expect(a.layers).toHaveLength(3)
    const b = analyzeNetwork(spec([1, 3, 3], { type: 'avgpool2d', size: 6, padding: 1 }))
    expect(b.issues).toEqual([{ layer: 0, field: 'size', message: 'layer 0 (avgpool2d): size 6 exceeds padded input 5×5' }])
    // Padding can make a window fit.
    const c = analyzeNetwork(spec([1, 4, 4], { type: 'maxpool2d', size: 5, padding: 2 }))
    expect(c.ok, JSON.stringify(c.issues)).toBe(true)
    expect(c.outputShape).toEqual([1, 1, 1])
  })

  it('padding must be at most half the size, as in PyTorch', () => {
    for (const type of ['maxpool2d', 'avgpool2d']) {
      const a = analyzeNetwork(spec([1, 8, 8], { type, size: 3, padding: 2 }))
      expect(a.issues).toEqual([{ layer: 0, field: 'padding', message: `layer 0 (${type}): padding 2 must be at most half of size 3` }])
      const b = analyzeNetwork(spec([1, 8, 8], { type, size: 1, padding: 1 }))
      expect(b.issues).toEqual([{ layer: 0, field: 'padding', message: `layer 0 (${type}): padding 1 must be at most half of size 1` }])
      expect(analyzeNetwork(spec([1, 8, 8], { type, size: 2, padding: 1 })).ok).toBe(true)
      expect(analyzeNetwork(spec([1, 8, 8], { type, size: 3, padding: 1 })).ok).toBe(true)
    }
  })

  it('pooling a flat input is an error', () => {
    for (const type of ['maxpool2d', 'avgpool2d', 'global_avgpool']) {
      const a = analyzeNetwork(spec([10], { type }))
      expect(a.issues).toEqual([
        { layer: 0, field: null, message: `layer 0 (${type}): ${type} needs a C×H×W input, got 10 (a dense or flattened output)` }
      ])
      const b = analyzeNetwork(spec([2, 4, 4], { type: 'flatten' }, { type }))
      expect(b.issues[0].message).toBe(`layer 1 (${type}): ${type} needs a C×H×W input, got 32 (a dense or flattened output)`)
    }
  })

  it('rejects bad field values', () => {
    const cases: [LayerJson, string, string][] = [
      [{ type: 'maxpool2d', size: 0 }, 'size', 'size must be at least 1, got 0'],
      [{ type: 'avgpool2d', stride: 1.5 }, 'stride', 'stride must be an integer, got 1.5'],
      [{ type: 'maxpool2d', padding: -1 }, 'padding', 'padding must be at least 0, got -1'],
      [{ type: 'avgpool2d', padding: 'same' }, 'padding', 'padding must be an integer, got "same"'],
      [{ type: 'global_avgpool', size: 2 }, 'size', 'unknown field "size"']
    ]
    for (const [layer, field, message] of cases) {
      const a = analyzeNetwork(spec([1, 8, 8], layer))
      expect(a.issues).toEqual([{ layer: 0, field, message: `layer 0 (${layer.type}): ${message}` }])
    }
  })

  it('are in the pooling group and do not choose an initializer', () => {
    for (const def of [layerRegistry.maxpool2d, layerRegistry.avgpool2d, layerRegistry.global_avgpool]) {
      expect(def.group).toBe('pooling')
      expect('autoInitializer' in def).toBe(false)
    }
  })
})
