import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Param, type ResolvedLayerSpec, type StateBuffer } from './layer'
import type { Window2d } from './geometry'
import { inferPool, poolWindow } from './maxpool2d'

export const avgPool2dLayer = defineLayer({
  type: 'avgpool2d',
  group: 'pooling',
  title: 'Average pooling 2D',
  summary: 'Averages each size×size window, per channel: shrinks H×W smoothly, no weights.',
  fields: {
    size: { kind: 'int', min: 1, max: 64, default: 2, doc: 'Window size (size×size).' },
    stride: { kind: 'int', min: 1, max: 64, defaultFrom: 'size', doc: 'Step between windows; defaults to the size (non-overlapping).' },
    padding: { kind: 'int', min: 0, default: 0, doc: 'Zero pixels added on each side, counted in the average; at most half the size.' }
  },
  infer: (spec, input) => inferPool('avgpool2d', spec, input),
  create(spec, input, ctx): Layer {
    return new AvgPool2d(spec, input, ctx)
  }
})

type AvgPoolSpec = ResolvedLayerSpec<typeof avgPool2dLayer>

/**
 * y[n, c, i, j] = (1 / size²) · Σ over the window at (i·stride − padding, j·stride − padding), with padded
 * cells counting as zeros in the sum and in the divisor (PyTorch's count_include_pad=True).
 * backward: every input in a window receives dy / size² (overlapping windows add up).
 */
class AvgPool2d implements Layer {
  readonly type = 'avgpool2d'
  readonly outputShape: readonly number[]
  private readonly c: number
  private readonly h: number
  private readonly w: number
  private readonly win: Window2d
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private batch = 0

  constructor(
    spec: AvgPoolSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    const { c, h, w, win } = poolWindow('avgpool2d', spec, inputShape)
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
    this.ctx.kernels.avgPoolForward(
      x.data, n * c, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, y.data
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
    this.ctx.kernels.avgPoolBackward(
      dy.data, n * c, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, dx.data
    )
    return dx
  }
}
