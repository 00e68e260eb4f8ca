import type { FloatArray } from '../core/tensor'
import { defineLayer, type LayerContext, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'

export const eluLayer = defineLayer({
  type: 'elu',
  group: 'activation',
  title: 'ELU',
  summary: 'x for positives, α(eˣ − 1) for negatives: smooth, with negative outputs that pull the mean towards 0.',
  fields: {
    alpha: {
      kind: 'number',
      min: 0,
      minExclusive: true,
      default: 1.0,
      doc: 'Value approached for very negative inputs is −α (α > 0).'
    }
  },
  infer: (_spec, input) => inferElementwise(input),
  create: (spec, input, ctx): Layer => new Elu(input, ctx, spec.alpha),
  autoInitializer: () => 'he_normal'
})

class Elu extends ElementwiseLayer {
  readonly type = 'elu'

  constructor(
    inputShape: readonly number[],
    ctx: LayerContext,
    private readonly alpha: number
  ) {
    super(inputShape, ctx)
  }

  // α(eˣ − 1) with expm1 for x ≤ 0; gradient αeˣ there (PyTorch's convention at 0): the kernels' 'elu'.
  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    this.ctx.kernels.activation('elu', x, y, n, this.alpha)
  }

  protected gradient(x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    this.ctx.kernels.activationBackward('elu', x, y, dy, dx, n, this.alpha)
  }
}
