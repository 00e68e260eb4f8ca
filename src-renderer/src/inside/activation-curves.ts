/**
 * The numbers behind the activations page: each activation function and its derivative, computed by the
 * engine's own layer (created through createNetwork), not by a formula written again here. A batch of
 * inputs x goes forward, then backward with dy = 1, so dL/dx is exactly the derivative backpropagation
 * uses when the network trains (including its conventions at kinks, e.g. ReLU'(0) = 0).
 * Float64, so curves and finite-difference checks are not limited by float32 rounding.
 */
import { createNetwork } from '../../../src-engine/network'
import type { NetworkSpec } from '../../../src-engine/spec/network-spec'
import type { LayerSpec } from '../../../src-engine/layers/registry'

export const CURVE_ACTIVATIONS = ['sigmoid', 'tanh', 'relu', 'leaky_relu', 'elu', 'swish', 'mish', 'softmax', 'frelu'] as const
export type CurveActivation = (typeof CURVE_ACTIVATIONS)[number]

export interface CurveParams {
  /** leaky_relu's negative slope (engine default 0.01). */
  slope?: number
  /** elu's α (engine default 1). */
  alpha?: number
  /**
   * frelu's funnel value T(x), held constant: FReLU is max(x, T(x)) with T a learned 3×3 depthwise
   * convolution of the neighbourhood, so per pixel it is max(x, T) for the T its neighbours give.
   */
  funnel?: number
}

export interface CurvePoints {
  xs: number[]
  values: number[]
  derivatives: number[]
}

export interface CurveRange {
  min: number
  max: number
  /** Number of samples, ends included. */
  count: number
}

export const DEFAULT_RANGE: CurveRange = { min: -5, max: 5, count: 201 }

/** `count` evenly spaced points from min to max, ends included. */
export function sampleRange({ min, max, count }: CurveRange): number[] {
  if (!(count >= 2) || !Number.isInteger(count)) throw new Error(`a curve needs a whole number of at least 2 points, got ${count}`)
  if (!(max > min)) throw new Error(`curve range must have max > min, got [${min}, ${max}]`)
  return Array.from({ length: count }, (_, i) => min + ((max - min) * i) / (count - 1))
}

export function activationCurve(type: CurveActivation, params: CurveParams = {}, range: CurveRange = DEFAULT_RANGE): CurvePoints {
  return evaluateActivation(type, params, sampleRange(range))
}

/**
 * f(x) and f'(x) at each x from the engine's layer. Softmax is shown as its two-class slice: logits
 * (x, 0), the first class's probability (which is σ(x)) and its derivative in x.
 */
export function evaluateActivation(type: CurveActivation, params: CurveParams, xs: readonly number[]): CurvePoints {
  const n = xs.length
  if (n === 0) return { xs: [], values: [], derivatives: [] }
  if (type === 'softmax') return softmaxSlice(xs)
  if (type === 'frelu') return freluSlice(xs, params.funnel ?? 0)
  const layer = elementwiseLayer(type, params)
  const net = createNetwork(spec([n], [layer]), { dtype: 'float64', inputGrad: true })
  const y = net.forward({ shape: [1, n], data: Float64Array.from(xs) }, 'eval')
  const values = Array.from(y.data)
  const dx = net.backward({ shape: [1, n], data: new Float64Array(n).fill(1) })
  if (!dx) throw new Error(`${type}: the engine returned no input gradient`)
  return { xs: xs.slice(), values, derivatives: Array.from(dx.data) }
}

function elementwiseLayer(type: Exclude<CurveActivation, 'softmax' | 'frelu'>, params: CurveParams): LayerSpec {
  switch (type) {
    case 'leaky_relu':
      return params.slope === undefined ? { type } : { type, slope: params.slope }
    case 'elu':
      return params.alpha === undefined ? { type } : { type, alpha: params.alpha }
    default:
      return { type }
  }
}

/** N samples of two logits (x, 0); dy = (1, 0) asks for ∂p₀/∂x₀. */
function softmaxSlice(xs: readonly number[]): CurvePoints {
  const n = xs.length
  const net = createNetwork(spec([2], [{ type: 'softmax' }]), { dtype: 'float64', inputGrad: true })
  const x = new Float64Array(2 * n)
  const dy = new Float64Array(2 * n)
  for (let i = 0; i < n; i++) {
    x[2 * i] = xs[i]
    dy[2 * i] = 1
  }
  const y = net.forward({ shape: [n, 2], data: x }, 'eval')
  const values = Array.from({ length: n }, (_, i) => y.data[2 * i])
  const dx = net.backward({ shape: [n, 2], data: dy })
  if (!dx) throw new Error('softmax: the engine returned no input gradient')
  return { xs: xs.slice(), values, derivatives: Array.from({ length: n }, (_, i) => dx.data[2 * i]) }
}

/**
 * The engine's FReLU on a 1×1×N row with the funnel pinned to a constant T: zero depthwise weights and
 * bias, and batch norm in eval mode with running mean 0, variance 1, γ = 1, β = T, so t = T exactly
 * (up to √(1 + ε) on a zero input). Backward then gives [x ≥ T], the gradient the max sends to x.
 */
function freluSlice(xs: readonly number[], funnel: number): CurvePoints {
  const n = xs.length
  const net = createNetwork(spec([1, 1, n], [{ type: 'frelu' }]), { dtype: 'float64', inputGrad: true })
  const state = net.stateDict()
  const set = (name: string, value: number) => state[name].data.fill(value)
  set('0.conv.weight', 0)
  set('0.conv.bias', 0)
  set('0.bn.weight', 1)
  set('0.bn.bias', funnel)
  set('0.bn.running_mean', 0)
  set('0.bn.running_var', 1)
  net.loadStateDict(state)
  const y = net.forward({ shape: [1, 1, 1, n], data: Float64Array.from(xs) }, 'eval')
  const values = Array.from(y.data)
  const dx = net.backward({ shape: [1, 1, 1, n], data: new Float64Array(n).fill(1) })
  if (!dx) throw new Error('frelu: the engine returned no input gradient')
  return { xs: xs.slice(), values, derivatives: Array.from(dx.data) }
}

function spec(shape: number[], layers: LayerSpec[]): NetworkSpec {
  return { version: 1, input: { shape }, layers }
}
