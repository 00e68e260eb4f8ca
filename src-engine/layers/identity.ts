import type { Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Param, type StateBuffer } from './layer'
import { inferElementwise } from './elementwise'

export const identityLayer = defineLayer({
  type: 'identity',
  group: 'output',
  title: 'Identity (linear output)',
  summary: 'Passes its input through unchanged: a linear output for regression or raw logits.',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Identity(input, ctx)
})

/** y = x and dx = dy: the tensors are passed through without a copy, as flatten does. */
class Identity implements Layer {
  readonly type = 'identity'
  readonly outputShape: readonly number[]

  constructor(
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    this.outputShape = inputShape.slice()
  }

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    // x: [N, ...shape] -> y: [N, ...shape]
    return x
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, ...shape] -> dx: [N, ...shape]
    return this.ctx.needInputGrad ? dy : null
  }
}
