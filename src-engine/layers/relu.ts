import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'

export const reluLayer = defineLayer({
  type: 'relu',
  group: 'activation',
  title: 'ReLU',
  summary: 'max(0, x): passes positives, zeroes negatives; the default for deep CNNs.',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Relu(input, ctx),
  autoInitializer: () => 'he_normal'
})

class Relu extends ElementwiseLayer {
  readonly type = 'relu'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const v = x[i]
      y[i] = v > 0 ? v : 0
    }
  }

  // d/dx max(0, x) is taken as 0 at x = 0, as PyTorch does.
  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0
  }
}
