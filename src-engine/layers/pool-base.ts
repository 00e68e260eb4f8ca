import { TensorSlot, type FloatArray, type Tensor } from '../core/tensor'
import { ShapeError, type Layer, type LayerContext, type LayerShapeInfo, type Param, type StateBuffer } from './layer'
import { describeWindow, requireImage, resolveWindow, type Window2d } from './geometry'

/** The fields max and average pooling share. */
export interface PoolFields {
  size: number
  stride: number
  padding: number
}

/**
 * The window of a max or average pool over [C,H,W], checked as PyTorch checks it: padding at most half
 * the size (so every window holds at least one real pixel), and the window must fit the padded input.
 */
export function poolWindow(what: string, spec: PoolFields, input: readonly number[]): { c: number; h: number; w: number; win: Window2d } {
  const [c, h, w] = requireImage(input, what)
  if (spec.padding * 2 > spec.size) {
    throw new ShapeError('padding', `padding ${spec.padding} must be at most half of size ${spec.size}`)
  }
  return { c, h, w, win: resolveWindow(h, w, spec.size, spec.stride, spec.padding, 'size') }
}

/** Shape inference shared by max and average pooling: 0 params; macs = output elements × window size. */
export function inferPool(what: string, spec: PoolFields, input: readonly number[]): LayerShapeInfo {
  const { c, h, w, win } = poolWindow(what, spec, input)
  return {
    output: [c, win.outH, win.outW],
    params: 0,
    macs: c * win.outH * win.outW * spec.size * spec.size,
    formula: describeWindow(h, w, win)
  }
}

/**
 * Base for size×size window pooling over [C,H,W]: no params, output [C, outH, outW]. Subclasses call
 * their kernel on the N·C planes of the batch: `poolForward` fills y, `poolBackward` overwrites dx.
 */
export abstract class Pool2dLayer implements Layer {
  readonly outputShape: readonly number[]
  protected readonly c: number
  protected readonly h: number
  protected readonly w: number
  protected readonly win: Window2d
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private batch = 0

  constructor(
    readonly type: string,
    spec: PoolFields,
    readonly inputShape: readonly number[],
    protected readonly ctx: LayerContext
  ) {
    const { c, h, w, win } = poolWindow(type, spec, inputShape)
    this.c = c
    this.h = h
    this.w = w
    this.win = win
    this.outputShape = [c, win.outH, win.outW]
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  /** x: planes×H×W -> y: planes×outH×outW */
  protected abstract poolForward(x: FloatArray, y: FloatArray, planes: number): void
  /** dy: planes×outH×outW -> dx: planes×H×W (overwritten) */
  protected abstract poolBackward(dy: FloatArray, dx: FloatArray, planes: number): void

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    // x: [N, C, H, W] -> y: [N, C, outH, outW]
    const n = x.shape[0]
    const y = this.out.get([n, this.c, this.win.outH, this.win.outW])
    this.poolForward(x.data, y.data, n * this.c)
    this.batch = n
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, C, outH, outW] -> dx: [N, C, H, W]
    if (!this.ctx.needInputGrad) return null
    const n = this.batch
    const dx = this.dx.get([n, this.c, this.h, this.w])
    this.poolBackward(dy.data, dx.data, n * this.c)
    return dx
  }
}
