import { TensorSlot, type Tensor, type FloatArray } from '../core/tensor'
import type { Layer, LayerContext, LayerShapeInfo, Param, StateBuffer } from './layer'

/**
 * Base for activations applied element by element. Subclasses write two tight loops:
 * `compute` (y = f(x)) and `gradient` (dx = dy · f'(x), which may use the cached y).
 */
export abstract class ElementwiseLayer implements Layer {
  abstract readonly type: string
  readonly outputShape: readonly number[]
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private input: Tensor | null = null
  private output: Tensor | null = null

  constructor(
    readonly inputShape: readonly number[],
    protected readonly ctx: LayerContext
  ) {
    this.outputShape = inputShape.slice()
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  protected abstract compute(x: FloatArray, y: FloatArray, n: number): void
  protected abstract gradient(x: FloatArray, y: FloatArray, dy: FloatArray, dx: FloatArray, n: number): void

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    const y = this.out.get(x.shape)
    this.compute(x.data, y.data, x.data.length)
    this.input = x
    this.output = y
    return y
  }

  backward(dy: Tensor): Tensor | null {
    if (!this.input || !this.output) throw new Error(`${this.type}: backward called before forward`)
    if (!this.ctx.needInputGrad) return null
    const dx = this.dx.get(dy.shape)
    this.gradient(this.input.data, this.output.data, dy.data, dx.data, dy.data.length)
    return dx
  }
}

/** Shape inference for any element-wise layer: same shape out, no parameters, ~1 op per element. */
export function inferElementwise(input: readonly number[]): LayerShapeInfo {
  return { output: input.slice(), params: 0, macs: 0 }
}
