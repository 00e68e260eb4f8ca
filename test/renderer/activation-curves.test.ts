import { describe, it, expect } from 'vitest'
import {
  activationCurve,
  CURVE_ACTIVATIONS,
  evaluateActivation,
  sampleRange,
  type CurveActivation,
  type CurveParams
} from '../../src-renderer/src/inside/activation-curves'

const sigma = (x: number) => 1 / (1 + Math.exp(-x))
const softplus = (x: number) => Math.log(1 + Math.exp(x))

/** Textbook closed forms, written independently of the engine: [f, f']. */
function closedForm(type: CurveActivation, p: Required<CurveParams>): [(x: number) => number, (x: number) => number] {
  switch (type) {
    case 'sigmoid':
      return [sigma, (x) => sigma(x) * (1 - sigma(x))]
    case 'tanh':
      return [Math.tanh, (x) => 1 - Math.tanh(x) ** 2]
    case 'relu':
      return [(x) => Math.max(0, x), (x) => (x > 0 ? 1 : 0)]
    case 'leaky_relu':
      return [(x) => (x > 0 ? x : p.slope * x), (x) => (x > 0 ? 1 : p.slope)]
    case 'elu':
      return [(x) => (x > 0 ? x : p.alpha * (Math.exp(x) - 1)), (x) => (x > 0 ? 1 : p.alpha * Math.exp(x))]
    case 'swish':
      return [(x) => x * sigma(x), (x) => sigma(x) + x * sigma(x) * (1 - sigma(x))]
    case 'mish': {
      // d/dx x·tanh(sp(x)) = tanh(sp(x)) + x·sech²(sp(x))·σ(x)
      return [(x) => x * Math.tanh(softplus(x)), (x) => Math.tanh(softplus(x)) + (x * sigma(x)) / Math.cosh(softplus(x)) ** 2]
    }
    case 'softmax':
      // p₀ of softmax(x, 0) = eˣ/(eˣ + 1)
      return [(x) => Math.exp(x) / (Math.exp(x) + 1), (x) => Math.exp(x) / (Math.exp(x) + 1) ** 2]
    case 'frelu':
      return [(x) => Math.max(x, p.funnel), (x) => (x >= p.funnel ? 1 : 0)]
  }
}

/** Points where f is not differentiable (finite differences are skipped within h of them). */
function kinks(type: CurveActivation, p: Required<CurveParams>): number[] {
  if (type === 'relu' || type === 'leaky_relu' || type === 'elu') return [0]
  if (type === 'frelu') return [p.funnel]
  return []
}

const settings: [CurveActivation, CurveParams][] = [
  ['sigmoid', {}],
  ['tanh', {}],
  ['relu', {}],
  ['leaky_relu', {}],
  ['leaky_relu', { slope: 0.3 }],
  ['elu', {}],
  ['elu', { alpha: 0.4 }],
  ['swish', {}],
  ['mish', {}],
  ['softmax', {}],
  ['frelu', {}],
  ['frelu', { funnel: -1.25 }]
]

function withDefaults(p: CurveParams): Required<CurveParams> {
  return { slope: p.slope ?? 0.01, alpha: p.alpha ?? 1, funnel: p.funnel ?? 0 }
}

describe('activation curves from the engine', () => {
  it('covers every activation the page plots', () => {
    expect(new Set(settings.map(([t]) => t))).toEqual(new Set(CURVE_ACTIVATIONS))
  })

  it('samples [-5, 5] evenly, ends included, and rejects bad ranges', () => {
    const xs = sampleRange({ min: -5, max: 5, count: 11 })
    expect(xs).toEqual([-5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5])
    expect(() => sampleRange({ min: 1, max: 1, count: 5 })).toThrow(/max > min/)
    expect(() => sampleRange({ min: 0, max: 1, count: 1 })).toThrow(/at least 2/)
  })

  for (const [type, params] of settings) {
    const label = `${type} ${JSON.stringify(params)}`

    it(`${label}: values and derivatives match the closed forms over [-5, 5]`, () => {
      const p = withDefaults(params)
      const [f, df] = closedForm(type, p)
      const curve = activationCurve(type, params)
      expect(curve.xs).toHaveLength(201)
      curve.xs.forEach((x, i) => {
        expect(curve.values[i], `f(${x})`).toBeCloseTo(f(x), 10)
        expect(curve.derivatives[i], `f'(${x})`).toBeCloseTo(df(x), 10)
      })
    })

    it(`${label}: derivatives match central finite differences of the engine's own forward`, () => {
      const p = withDefaults(params)
      const h = 1e-5
      const xs = sampleRange({ min: -4.93, max: 4.97, count: 67 }).filter((x) => kinks(type, p).every((k) => Math.abs(x - k) > 10 * h))
      const at = evaluateActivation(type, params, xs)
      const plus = evaluateActivation(type, params, xs.map((x) => x + h))
      const minus = evaluateActivation(type, params, xs.map((x) => x - h))
      xs.forEach((x, i) => {
        const numeric = (plus.values[i] - minus.values[i]) / (2 * h)
        expect(Math.abs(at.derivatives[i] - numeric), `at x = ${x}`).toBeLessThan(1e-7)
      })
    })
  }

  it('uses the engine conventions at the kinks (PyTorch’s): ReLU′(0) = 0, leaky ReLU′(0) = slope, ELU′(0) = α, FReLU′(T) = 1', () => {
    expect(evaluateActivation('relu', {}, [0]).derivatives).toEqual([0])
    expect(evaluateActivation('leaky_relu', { slope: 0.2 }, [0]).derivatives).toEqual([0.2])
    expect(evaluateActivation('elu', { alpha: 0.7 }, [0]).derivatives[0]).toBeCloseTo(0.7, 12)
    expect(evaluateActivation('frelu', { funnel: 1.5 }, [1.5]).derivatives).toEqual([1])
  })

  it('follows the parameters: a steeper leaky slope, a deeper ELU floor', () => {
    expect(evaluateActivation('leaky_relu', { slope: 0.5 }, [-4]).values[0]).toBeCloseTo(-2, 12)
    expect(evaluateActivation('elu', { alpha: 2 }, [-50]).values[0]).toBeCloseTo(-2, 12)
  })

  it('rejects parameters the engine rejects, naming the field', () => {
    expect(() => evaluateActivation('leaky_relu', { slope: 1.5 }, [0])).toThrow(/slope/)
    expect(() => evaluateActivation('elu', { alpha: 0 }, [0])).toThrow(/alpha/)
  })
})
