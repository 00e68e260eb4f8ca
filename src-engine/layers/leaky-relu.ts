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

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    const a = this.slope
    for (let i = 0; i < n; i++) {
      const v = x[i]
      y[i] = v > 0 ? v : a * v
    }
  }

  // The derivative at x = 0 is taken as the slope, as PyTorch does (x > 0 ? 1 : slope).
  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    const a = this.slope
    for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : a * dy[i]
  }
}
