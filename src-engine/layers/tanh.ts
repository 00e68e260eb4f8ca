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

/** tanh(x) (saturates to ±1 without overflow) and 1 − tanh²(x) from the cached output: the kernels' 'tanh'. */
class Tanh extends ElementwiseLayer {
  readonly type = 'tanh'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    this.ctx.kernels.activation('tanh', x, y, n, 0)
  }

  protected gradient(x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    this.ctx.kernels.activationBackward('tanh', x, y, dy, dx, n, 0)
  }
}
