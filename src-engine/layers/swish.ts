import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'
import { stableSigmoid } from './sigmoid'

export const swishLayer = defineLayer({
  type: 'swish',
  group: 'activation',
  title: 'Swish (SiLU)',
  summary: 'x·σ(x): a smooth ReLU-like curve with a small negative dip (PyTorch nn.SiLU).',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Swish(input, ctx),
  autoInitializer: () => 'he_normal'
})

class Swish extends ElementwiseLayer {
  readonly type = 'swish'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      y[i] = v * stableSigmoid(v)
    }
  }

  // d/dx xσ(x) = σ(x)·(1 + x(1 − σ(x))); σ is recomputed from x (stable for any |x|).
  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      const s = stableSigmoid(v)
      dx[i] = dy[i] * s * (1 + v * (1 - s))
    }
  }
}
