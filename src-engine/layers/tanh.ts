import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'

export const tanhLayer = defineLayer({
  type: 'tanh',
  group: 'activation',
  title: 'Tanh',
  summary: 'tanh(x): squashes to (−1, 1), zero-centred; saturates for large |x|.',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Tanh(input, ctx),
  autoInitializer: () => 'xavier_normal'
})

class Tanh extends ElementwiseLayer {
  readonly type = 'tanh'

  // Math.tanh saturates to ±1 without overflow for any finite x.
  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i])
  }

  // tanh'(x) = 1 − tanh²(x), from the cached output.
  protected gradient(_x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const t = y[i]
      dx[i] = dy[i] * (1 - t * t)
    }
  }
}
