import { describe, it, expect } from 'vitest'
import { gradCheck } from '../helpers/gradcheck'
import { expectClose, run, spec, type LayerJson } from '../helpers/layer-run'
import { createNetwork } from '../../src-engine/network'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import { layerDefinition, layerRegistry, type LayerType } from '../../src-engine/layers/registry'

const sigma = (x: number) => 1 / (1 + Math.exp(-x))

// Every element-wise activation with the fields to test it with.
const elementwise: LayerJson[] = [
  { type: 'sigmoid' },
  { type: 'tanh' },
  { type: 'leaky_relu' },
  { type: 'leaky_relu', slope: 0.3 },
  { type: 'elu' },
  { type: 'elu', alpha: 0.5 },
  { type: 'swish' },
  { type: 'mish' }
]

describe('activation gradients (numerical check, float64)', () => {
  const shapes = [[7], [2, 5, 3], [1, 1, 1]]
  for (const layer of [...elementwise, { type: 'softmax' }, { type: 'identity' }]) {
    for (const shape of shapes) {
      for (const batch of [1, 2, 3]) {
        it(`${JSON.stringify(layer)} on ${shape.join('×')}, batch ${batch}`, () => {
          const result = gradCheck(spec(shape, layer), batch, { inputScale: 1.5, seed: 11 + batch })
          expect(result.checked).toBe(batch * shape.reduce((a, b) => a * b, 1))
          expect(result.maxRelativeError, result.worst).toBeLessThan(1e-6)
        })
      }
    }
  }

  it('spread-out inputs: sigmoid and tanh at scale 8, softmax at scale 4 (peaked distributions)', () => {
    for (const [layer, inputScale] of [[{ type: 'sigmoid' }, 8], [{ type: 'tanh' }, 8], [{ type: 'softmax' }, 4]] as const) {
      const result = gradCheck(spec([3, 4, 4], layer), 2, { inputScale, seed: 5 })
      expect(result.maxRelativeError, `${layer.type}: ${result.worst}`).toBeLessThan(1e-6)
    }
  })

  // Element-wise layers have dx_i = f'(x_i)·dy_i, so f' can be checked value by value from −30 to 30,
  // deep into saturation. (gradCheck sums every output into one loss, whose rounding would swamp
  // the tiny derivatives of large inputs.)
  it('derivative sweep over [−30, 30], value by value', () => {
    const xs = Array.from({ length: 163 }, (_, i) => -30 + i * 0.37 + 0.001)
    const h = 1e-6
    for (const layer of elementwise) {
      const netSpec = spec([xs.length], layer)
      const analytic = run(netSpec, xs).dx
      const plus = run(netSpec, xs.map((v) => v + h)).y
      const minus = run(netSpec, xs.map((v) => v - h)).y
      xs.forEach((x, i) => {
        const numeric = (plus[i] - minus[i]) / (2 * h)
        const a = analytic[i]
        expect(Math.abs(a - numeric), `${JSON.stringify(layer)} at x = ${x}: analytic ${a}, numeric ${numeric}`).toBeLessThan(
          1e-6 * (Math.abs(a) + Math.abs(numeric)) + 1e-9
        )
      })
    }
  })

  it('softmax after a dense layer: weight and bias gradients', () => {
    const result = gradCheck(spec([6], { type: 'dense', units: 4 }, { type: 'softmax' }), 3)
    expect(result.maxRelativeError, result.worst).toBeLessThan(1e-6)
  })

  it('activations behind a dense layer: weight gradients', () => {
    for (const layer of elementwise) {
      const result = gradCheck(spec([5], { type: 'dense', units: 6 }, layer), 2)
      expect(result.maxRelativeError, `${layer.type}: ${result.worst}`).toBeLessThan(1e-6)
    }
  })
})

describe('activation values', () => {
  it('sigmoid: σ(0) = 0.5, σ(±2), and σ\'(0) = 1/4', () => {
    const { y, dx } = run(spec([3], { type: 'sigmoid' }), [0, 2, -2])
    expectClose(y, [0.5, 0.8807970779778823, 0.11920292202211755], 15)
    expectClose(dx, [0.25, sigma(2) * (1 - sigma(2)), sigma(-2) * (1 - sigma(-2))], 15)
  })

  it('tanh: values and 1 − tanh²', () => {
    const { y, dx } = run(spec([3], { type: 'tanh' }), [0, 0.5, -3])
    expectClose(y, [0, Math.tanh(0.5), Math.tanh(-3)], 15)
    expectClose(dx, [1, 1 - Math.tanh(0.5) ** 2, 1 - Math.tanh(-3) ** 2], 15)
  })

  it('leaky_relu: the default slope is 0.01, and the slope applies to negatives (and at 0, as in PyTorch)', () => {
    const a = run(spec([4], { type: 'leaky_relu' }), [-5, 0, 2, -0.5])
    expectClose(a.y, [-0.05, 0, 2, -0.005], 15)
    expectClose(a.dx, [0.01, 0.01, 1, 0.01], 15)
    const b = run(spec([3], { type: 'leaky_relu', slope: 0.2 }), [-5, 3, -1], { dy: [2, 2, 3] })
    expectClose(b.y, [-1, 3, -0.2], 15)
    expectClose(b.dx, [0.4, 2, 0.6], 15)
  })

  it('elu: α(eˣ − 1) on the negative branch, gradient αeˣ (α at 0, as in PyTorch)', () => {
    const a = run(spec([4], { type: 'elu' }), [-1, 0, 2, -30])
    expectClose(a.y, [-0.6321205588285577, 0, 2, Math.expm1(-30)], 15)
    expectClose(a.dx, [Math.exp(-1), 1, 1, Math.exp(-30)], 15)
    const b = run(spec([2], { type: 'elu', alpha: 2 }), [-1, 1])
    expectClose(b.y, [-1.2642411176571153, 1], 15)
    expectClose(b.dx, [2 * Math.exp(-1), 1], 15)
    // Tiny negative x: expm1 keeps full relative precision (e^x − 1 would be off by ~1e-4 here).
    const c = run(spec([1], { type: 'elu' }), [-1e-12])
    expect(c.y[0] / -1e-12).toBeCloseTo(1, 11)
  })

  it('swish: x·σ(x) and σ(x)(1 + x(1 − σ(x)))', () => {
    const { y, dx } = run(spec([3], { type: 'swish' }), [0, 1, -2])
    expectClose(y, [0, 0.7310585786300049, -2 * sigma(-2)], 15)
    expectClose(dx, [0.5, 0.9276705118714869, sigma(-2) * (1 - 2 * (1 - sigma(-2)))], 14)
  })

  it('mish: known values (mish(1) = 0.86509838826731, mish\'(0) = tanh(ln 2) = 0.6)', () => {
    const { y, dx } = run(spec([3], { type: 'mish' }), [1, -1, 0])
    expectClose(y, [0.8650983882673103, -0.30340146137410895, 0], 15)
    expectClose([dx[0], dx[2]], [1.0490362200997922, 0.6], 14)
  })

  it('mish: the softplus is stable (no overflow at 100, no underflow to a wrong value at −40)', () => {
    const { y } = run(spec([4], { type: 'mish' }), [100, 800, -40, 30])
    expect(y[0]).toBe(100)
    expect(y[1]).toBe(800)
    // softplus(−40) ≈ e^−40, tanh of it ≈ e^−40, so mish(−40) ≈ −40·e^−40.
    expect(y[2] / (-40 * Math.exp(-40))).toBeCloseTo(1, 12)
    expect(y[3]).toBeCloseTo(30, 12)
  })

  it('identity passes values and gradients through unchanged', () => {
    const { y, dx, shape } = run(spec([2, 1, 2], { type: 'identity' }), [1, -2, 3, -4], { dy: [5, 6, 7, 8] })
    expect(shape).toEqual([1, 2, 1, 2])
    expect(y).toEqual([1, -2, 3, -4])
    expect(dx).toEqual([5, 6, 7, 8])
  })

  it('the activations keep the input shape and handle a batch sample by sample', () => {
    for (const layer of elementwise) {
      const one = run(spec([2, 2, 2], layer), [0.3, -1, 2, -0.2, 0.9, -3, 1.5, 0])
      const two = run(spec([2, 2, 2], layer), [5, 5, 5, 5, 5, 5, 5, 5, 0.3, -1, 2, -0.2, 0.9, -3, 1.5, 0])
      expect(two.shape).toEqual([2, 2, 2, 2])
      expectClose(two.y.slice(8), one.y, 15)
      expectClose(two.dx.slice(8), one.dx, 15)
    }
  })
})

describe('softmax', () => {
  it('over features: [1, 2, 3] and each row sums to 1', () => {
    const { y } = run(spec([3], { type: 'softmax' }), [1, 2, 3, -4, 0, 10])
    expectClose(y.slice(0, 3), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219], 15)
    expect(y[0] + y[1] + y[2]).toBeCloseTo(1, 15)
    expect(y[3] + y[4] + y[5]).toBeCloseTo(1, 15)
  })

  it('is shift-invariant (the maximum is subtracted)', () => {
    const a = run(spec([3], { type: 'softmax' }), [1, 2, 3])
    const b = run(spec([3], { type: 'softmax' }), [501, 502, 503])
    expectClose(b.y, a.y, 14)
  })

  it('over channels at each pixel for [C, H, W]', () => {
    // Channel 0 = [0, 1], channel 1 = [0, 0] over the two pixels of a 1×2 image.
    const { y, shape } = run(spec([2, 1, 2], { type: 'softmax' }), [0, 1, 0, 0])
    expect(shape).toEqual([1, 2, 1, 2])
    expectClose(y, [0.5, sigma(1), 0.5, 1 - sigma(1)], 15)
  })

  it('channel sums are 1 at every pixel of every sample', () => {
    const c = 4
    const p = 6
    const x = Array.from({ length: 2 * c * p }, (_, i) => Math.sin(i * 1.7) * 3)
    const { y } = run(spec([c, 2, 3], { type: 'softmax' }), x)
    for (let s = 0; s < 2; s++) {
      for (let j = 0; j < p; j++) {
        let sum = 0
        for (let k = 0; k < c; k++) sum += y[s * c * p + k * p + j]
        expect(sum).toBeCloseTo(1, 14)
      }
    }
  })

  it('backward: dx = y ⊙ (dy − Σ dy ⊙ y); a one-hot dy gives y_j(δ_jk − y_k), and dx sums to 0', () => {
    const x = [0.5, -1, 2]
    const { y, dx } = run(spec([3], { type: 'softmax' }), x, { dy: [0, 0, 1] })
    expectClose(dx, [-y[0] * y[2], -y[1] * y[2], y[2] * (1 - y[2])], 15)
    const r = run(spec([3], { type: 'softmax' }), x, { dy: [0.3, -2, 5] })
    expect(r.dx[0] + r.dx[1] + r.dx[2]).toBeCloseTo(0, 14)
    // A constant dy has no effect: softmax's outputs always sum to 1.
    const flat = run(spec([3], { type: 'softmax' }), x, { dy: [4, 4, 4] })
    expectClose(flat.dx, [0, 0, 0], 14)
  })

  it('a network ending in softmax can stop before it and return the logits', () => {
    const net = createNetwork(spec([3], { type: 'identity' }, { type: 'softmax' }), { dtype: 'float64' })
    expect(net.endsWithSoftmax).toBe(true)
    const x = { shape: [1, 3], data: Float64Array.from([1, 2, 3]) }
    expect(Array.from(net.forward(x, 'eval', { logits: true }).data)).toEqual([1, 2, 3])
    expect(net.forward(x, 'eval').data[2]).toBeCloseTo(0.6652409557748219, 15)
  })
})

describe('extreme inputs (±1000) stay finite', () => {
  const x = [1000, -1000, 0, 500, -500, 88.8, -88.8, 1e-30]
  const smooth: LayerJson[] = [
    { type: 'sigmoid' },
    { type: 'tanh' },
    { type: 'softmax' },
    { type: 'mish' },
    { type: 'swish' },
    { type: 'elu' },
    { type: 'leaky_relu' }
  ]
  for (const dtype of ['float32', 'float64'] as const) {
    for (const layer of smooth) {
      it(`${layer.type} in ${dtype}`, () => {
        for (const shape of [[8], [2, 2, 2]]) {
          const { y, dx } = run(spec(shape, layer), x, { dtype, dy: [1, -2, 3, 0.5, 1, 1, 1, 1] })
          for (const v of [...y, ...dx]) expect(Number.isFinite(v), `${y} / ${dx}`).toBe(true)
        }
      })
    }
  }

  it('saturated values are the right limits', () => {
    const inputs = [1000, -1000]
    expect(run(spec([2], { type: 'sigmoid' }), inputs, { dtype: 'float32' }).y).toEqual([1, 0])
    expect(run(spec([2], { type: 'tanh' }), inputs, { dtype: 'float32' }).y).toEqual([1, -1])
    expect(run(spec([2], { type: 'softmax' }), inputs, { dtype: 'float32' }).y).toEqual([1, 0])
    expect(run(spec([2], { type: 'swish' }), inputs, { dtype: 'float32' }).y.map((v) => v + 0)).toEqual([1000, 0])
    expect(run(spec([2], { type: 'mish' }), inputs, { dtype: 'float32' }).y.map((v) => v + 0)).toEqual([1000, 0])
    expect(run(spec([2], { type: 'elu', alpha: 1.5 }), inputs, { dtype: 'float32' }).y).toEqual([1000, -1.5])
    const grads = run(spec([2], { type: 'mish' }), inputs, { dtype: 'float64' }).dx
    expect(grads.map((v) => v + 0)).toEqual([1, 0])
    const swishGrads = run(spec([2], { type: 'swish' }), inputs, { dtype: 'float64' }).dx
    expect(swishGrads.map((v) => v + 0)).toEqual([1, 0])
  })
})

describe('activation specs', () => {
  it('keep the shape, with no parameters', () => {
    for (const layer of [...elementwise, { type: 'softmax' }, { type: 'identity' }]) {
      for (const shape of [[10], [3, 5, 7]]) {
        const a = analyzeNetwork(spec(shape, layer))
        expect(a.ok, JSON.stringify(a.issues)).toBe(true)
        expect(a.outputShape).toEqual(shape)
        expect(a.layers[0].params).toBe(0)
      }
    }
  })

  it('fill in the defaults', () => {
    const a = analyzeNetwork(spec([4], { type: 'leaky_relu' }, { type: 'elu' }))
    expect(a.spec?.layers).toEqual([
      { type: 'leaky_relu', slope: 0.01 },
      { type: 'elu', alpha: 1 }
    ])
  })

  it('reject out-of-range fields', () => {
    const cases: [LayerJson, string, string][] = [
      [{ type: 'leaky_relu', slope: 1 }, 'slope', 'layer 0 (leaky_relu): slope must be less than 1, got 1'],
      [{ type: 'leaky_relu', slope: -0.1 }, 'slope', 'layer 0 (leaky_relu): slope must be at least 0, got -0.1'],
      [{ type: 'elu', alpha: 0 }, 'alpha', 'layer 0 (elu): alpha must be greater than 0, got 0'],
      [{ type: 'elu', alpha: 'big' }, 'alpha', 'layer 0 (elu): alpha must be a finite number, got "big"'],
      [{ type: 'softmax', dim: 2 }, 'dim', 'layer 0 (softmax): unknown field "dim"']
    ]
    for (const [layer, field, message] of cases) {
      const a = analyzeNetwork(spec([4], layer))
      expect(a.ok).toBe(false)
      expect(a.issues).toEqual([{ layer: 0, field, message }])
    }
    expect(analyzeNetwork(spec([4], { type: 'leaky_relu', slope: 0 })).ok).toBe(true)
  })

  it('groups and auto initializers', () => {
    const expected: Record<string, string> = {
      sigmoid: 'xavier_normal',
      tanh: 'xavier_normal',
      leaky_relu: 'he_normal',
      elu: 'he_normal',
      swish: 'he_normal',
      mish: 'he_normal'
    }
    for (const [type, init] of Object.entries(expected)) {
      const def = layerDefinition(type as LayerType)
      expect(def.group).toBe('activation')
      expect(def.autoInitializer?.({} as never)).toBe(init)
    }
    expect(layerRegistry.softmax.group).toBe('output')
    expect(layerRegistry.identity.group).toBe('output')
    expect(layerRegistry.softmax.autoInitializer).toBeUndefined()
    expect(layerRegistry.identity.autoInitializer).toBeUndefined()
  })
})
