import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'

export const sigmoidLayer = defineLayer({
  type: 'sigmoid',
  group: 'activation',
  title: 'Sigmoid',
  summary: '1 / (1 + e^−x): squashes to (0, 1); saturates, so gradients vanish in deep stacks.',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Sigmoid(input, ctx),
  autoInitializer: () => 'xavier_normal'
})

/** σ(x) without overflow (the kernels' reference; swish and mish use it too). */
export { stableSigmoid } from '../kernels/js/activations'

/** σ(x) and σ'(x) = σ(x)(1 − σ(x)) from the cached output: the kernels' activation 'sigmoid'. */
class Sigmoid extends ElementwiseLayer {
  readonly type = 'sigmoid'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    this.ctx.kernels.activation('sigmoid', x, y, n, 0)
  }

  protected gradient(x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    this.ctx.kernels.activationBackward('sigmoid', x, y, dy, dx, n, 0)
  }
}
