import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'
import { stableSigmoid } from './sigmoid'

export const mishLayer = defineLayer({
  type: 'mish',
  group: 'activation',
  title: 'Mish',
  summary: 'x·tanh(softplus(x)): a smooth, non-monotonic ReLU-like curve (PyTorch nn.Mish).',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Mish(input, ctx),
  autoInitializer: () => 'he_normal'
})

/** softplus(x) = ln(1 + eˣ) = max(x, 0) + ln(1 + e^−|x|): the exponential never exceeds 1. */
export function stableSoftplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)))
}

class Mish extends ElementwiseLayer {
  readonly type = 'mish'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      y[i] = v * Math.tanh(stableSoftplus(v))
    }
  }

  // With t = tanh(softplus(x)) and softplus' = σ:  d/dx = t + x·(1 − t²)·σ(x).
  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      const t = Math.tanh(stableSoftplus(v))
      dx[i] = dy[i] * (t + v * (1 - t * t) * stableSigmoid(v))
    }
  }
}
