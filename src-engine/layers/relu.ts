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

  // The loops are kernels (kernels/js/elementwise.ts; SIMD in the wasm backends).
  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    this.ctx.kernels.relu(x, y, n)
  }

  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    this.ctx.kernels.reluBackward(x, dy, dx, n)
  }
}
