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

/**
 * σ(x) without overflow: e^−x is only formed for x ≥ 0 and e^x only for x < 0, so the exponential is
 * at most 1 and large |x| saturate cleanly to 0 or 1 (never NaN).
 */
export function stableSigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x))
  const e = Math.exp(x)
  return e / (1 + e)
}

class Sigmoid extends ElementwiseLayer {
  readonly type = 'sigmoid'

  protected compute(x: FloatArray, y: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) y[i] = stableSigmoid(x[i])
  }

  // σ'(x) = σ(x)(1 − σ(x)), from the cached output.
  protected gradient(_x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void {
    for (let i = 0; i < n; i++) {
      const s = y[i]
      dx[i] = dy[i] * s * (1 - s)
    }
  }
}
