import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, ShapeError, type Layer, type LayerContext, type LayerShapeInfo, type Param, type ResolvedLayerSpec, type StateBuffer } from './layer'
import { describeWindow, requireImage, resolveWindow, type Window2d } from './geometry'

export const maxPool2dLayer = defineLayer({
  type: 'maxpool2d',
  group: 'pooling',
  title: 'Max pooling 2D',
  summary: 'Keeps the largest value of each size×size window, per channel: shrinks H×W, no weights.',
  fields: {
    size: { kind: 'int', min: 1, max: 64, default: 2, doc: 'Window size (size×size).' },
    stride: { kind: 'int', min: 1, max: 64, defaultFrom: 'size', doc: 'Step between windows; defaults to the size (non-overlapping).' },
    padding: { kind: 'int', min: 0, default: 0, doc: 'Pixels added on each side (they never win the max); at most half the size.' }
  },
  infer: (spec, input) => inferPool('maxpool2d', spec, input),
  create(spec, input, ctx): Layer {
    return new MaxPool2d(spec, input, ctx)
  }
})

type PoolSpec = ResolvedLayerSpec<typeof maxPool2dLayer>

/**
 * The window of a max or average pool over [C,H,W], checked as PyTorch checks it: padding at most half
 * the size (so every window holds at least one real pixel), and the window must fit the padded input.
 */
export function poolWindow(
  what: string,
  spec: { size: number; stride: number; padding: number },
  input: readonly number[]
): { c: number; h: number; w: number; win: Window2d } {
  const [c, h, w] = requireImage(input, what)
  if (spec.padding * 2 > spec.size) {
    throw new ShapeError('padding', `padding ${spec.padding} must be at most half of size ${spec.size}`)
  }
  return { c, h, w, win: resolveWindow(h, w, spec.size, spec.stride, spec.padding, 'size') }
}

/** Shape inference shared by max and average pooling: 0 params; macs = output elements × window size. */
export function inferPool(what: string, spec: { size: number; stride: number; padding: number }, input: readonly number[]): LayerShapeInfo {
  const { c, h, w, win } = poolWindow(what, spec, input)
  return {
    output: [c, win.outH, win.outW],
    params: 0,
    macs: c * win.outH * win.outW * spec.size * spec.size,
    formula: describeWindow(h, w, win)
  }
}

/**
 * y[n, c, i, j] = max over the window at (i·stride − padding, j·stride − padding); padded cells are −∞.
 * Forward records each output's argmax; backward routes dy to that input (overlapping windows add up).
 */
class MaxPool2d implements Layer {
  readonly type = 'maxpool2d'
  readonly outputShape: readonly number[]
  private readonly c: number
  private readonly h: number
  private readonly w: number
  private readonly win: Window2d
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  /** Flat in-plane index of each output's maximum; grows to the largest batch and is reused. */
  private argmax = new Int32Array(0)
  private batch = 0

  constructor(
    spec: PoolSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    const { c, h, w, win } = poolWindow('maxpool2d', spec, inputShape)
    this.c = c
    this.h = h
    this.w = w
    this.win = win
    this.outputShape = [c, win.outH, win.outW]
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    // x: [N, C, H, W] -> y: [N, C, outH, outW]
    const n = x.shape[0]
    const { c, h, w, win } = this
    const y = this.out.get([n, c, win.outH, win.outW])
    if (this.argmax.length < y.data.length) this.argmax = new Int32Array(y.data.length)
    this.ctx.kernels.maxPoolForward(
      x.data, n * c, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, y.data, this.argmax
    )
    this.batch = n
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, C, outH, outW] -> dx: [N, C, H, W]
    if (!this.ctx.needInputGrad) return null
    const n = this.batch
    const { c, h, w, win } = this
    const dx = this.dx.get([n, c, h, w])
    this.ctx.kernels.maxPoolBackward(dy.data, this.argmax, n * c, h, w, win.outH, win.outW, dx.data)
    return dx
  }
}
