import type { FloatArray } from '../core/tensor'
import { defineLayer, type LayerContext, type Layer } from './layer'
import { ElementwiseLayer, inferElementwise } from './elementwise'

export const leakyReluLayer = defineLayer({
  type: 'leaky_relu',
  group: 'activation',
  title: 'Leaky ReLU',
  summary: 'x for positives, slope·x for negatives: a ReLU whose negative side still passes a little gradient.',
  fields: {
    slope: {
      kind: 'number',
      min: 0,
      max: 1,
      maxExclusive: true,
      default: 0.01,
      doc: 'Gradient on the negative side (PyTorch negative_slope), in [0, 1).'
    }
  },
  infer: (_spec, input) => inferElementwise(input),
  create: (spec, input, ctx): Layer => new LeakyRelu(input, ctx, spec.slope),
  autoInitializer: () => 'he_normal'
})

class LeakyRelu extends ElementwiseLayer {
  readonly type = 'leaky_relu'

  constructor(
    inputShape: readonly number[],
    ctx: LayerContext,
    private readonly slope: number
  ) {
    super(inputShape, ctx)
  }

  // The derivative at x = 0 is taken as the slope, as PyTorch does: the kernels' 'leaky_relu'.
  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    this.ctx.kernels.activation('leaky_relu', x, y, n, this.slope)
  }

  protected gradient(x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    this.ctx.kernels.activationBackward('leaky_relu', x, y, dy, dx, n, this.slope)
  }
}
