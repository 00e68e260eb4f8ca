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

  // expm1 keeps α(eˣ − 1) accurate for small negative x; for very negative x it tends to −α.
  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    const a = this.alpha
    for (let i = 0; i < n; i++) {
      const v = x[i]
      y[i] = v > 0 ? v : a * Math.expm1(v)
    }
  }

  // d/dx = 1 for x > 0, αeˣ for x ≤ 0 (PyTorch's convention at 0: α).
  protected gradient(x: FloatArray, _y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    const a = this.alpha
    for (let i = 0; i < n; i++) {
      const v = x[i]
      dx[i] = v > 0 ? dy[i] : dy[i] * a * Math.exp(v)
    }
  }
}
