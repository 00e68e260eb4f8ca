import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Param, type ResolvedLayerSpec } from './layer'
import { makeParam } from './params'
import type { ConvGeometry } from '../kernels/kernels'
import { describeWindow, requireImage, resolveWindow, type Window2d } from './geometry'

export const conv2dLayer = defineLayer({
  type: 'conv2d',
  group: 'convolution',
  title: 'Convolution 2D',
  summary: 'Slides learned k×k filters over the image; each filter makes one output channel.',
  fields: {
    filters: { kind: 'int', min: 1, max: 4096, doc: 'Number of filters, i.e. output channels.' },
    kernel: { kind: 'int', min: 1, max: 64, doc: 'Filter size k (k×k).' },
    stride: { kind: 'int', min: 1, max: 64, default: 1, doc: 'Step between filter positions.' },
    padding: { kind: 'padding', default: 'valid', doc: '"same" keeps H×W (at stride 1), "valid" pads nothing, or zero-pixels per side.' },
    bias: { kind: 'bool', default: true, doc: 'Add a learned bias per filter.' },
    init: { kind: 'init', default: 'auto', doc: 'Weight initializer; auto picks He for ReLU-like activations, Xavier otherwise.' }
  },
  infer(spec, input) {
    const [c, h, w] = requireImage(input, 'conv2d')
    const win = resolveWindow(h, w, spec.kernel, spec.stride, spec.padding, 'kernel')
    const k = c * spec.kernel * spec.kernel
    return {
      output: [spec.filters, win.outH, win.outW],
      params: spec.filters * k + (spec.bias ? spec.filters : 0),
      macs: spec.filters * k * win.outH * win.outW,
      formula: describeWindow(h, w, win)
    }
  },
  create(spec, input, ctx): Layer {
    return new Conv2d(spec, input, ctx)
  }
})

type Conv2dSpec = ResolvedLayerSpec<typeof conv2dLayer>

/**
 * Convolution as im2col + GEMM, one sample at a time (inside the per-layer kernels convForward,
 * convBackwardData, convBackwardWeights, which a second thread splits):
 *   col_n[K, P] = im2col(x_n)          K = C·k·k, P = outH·outW
 *   y_n[F, P]   = W[F, K] · col_n + b
 * backward:
 *   dW += dy_n · col_nᵀ,  db += Σ_p dy_n,  dx_n = col2im(Wᵀ · dy_n)
 */
class Conv2d implements Layer {
  readonly type = 'conv2d'
  readonly outputShape: readonly number[]
  private readonly weight: Param
  private readonly bias: Param | null
  private readonly win: Window2d
  private readonly c: number
  private readonly h: number
  private readonly w: number
  private readonly k: number
  private readonly p: number
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  /** The whole batch's columns, kept from forward for backward. */
  private readonly cols: TensorSlot
  private readonly dcol: TensorSlot
  private readonly sampleCol: TensorSlot
  private readonly geometry: ConvGeometry
  private input: Tensor | null = null
  private colsCached = false

  constructor(
    private readonly spec: Conv2dSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    ;[this.c, this.h, this.w] = requireImage(inputShape, 'conv2d')
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
    this.cols = new TensorSlot(ctx.alloc)
    this.dcol = new TensorSlot(ctx.alloc)
    this.sampleCol = new TensorSlot(ctx.alloc)
    this.win = resolveWindow(this.h, this.w, spec.kernel, spec.stride, spec.padding, 'kernel')
    this.k = this.c * spec.kernel * spec.kernel
    this.p = this.win.outH * this.win.outW
    this.outputShape = [spec.filters, this.win.outH, this.win.outW]
    const win = this.win
    this.geometry = {
      channels: this.c, height: this.h, width: this.w, kernelH: win.kernel, kernelW: win.kernel, strideH: win.stride, strideW: win.stride,
      padTop: win.padTop, padLeft: win.padLeft, outH: win.outH, outW: win.outW
    }
    this.weight = makeParam(ctx.alloc, 'weight', [spec.filters, this.c, spec.kernel, spec.kernel], true, {
      kind: 'weight',
      fanIn: this.k,
      fanOut: spec.filters * spec.kernel * spec.kernel,
      initializer: spec.init
    })
    this.bias = spec.bias ? makeParam(ctx.alloc, 'bias', [spec.filters], false, { kind: 'zeros' }) : null
  }

  params(): Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight]
  }

  buffers() {
    return []
  }

  forward(x: Tensor, mode: 'train' | 'eval'): Tensor {
    // x: [N, C, H, W] -> y: [N, F, outH, outW]
    const n = x.shape[0]
    const { k, p, win } = this
    const f = this.spec.filters
    const y = this.out.get([n, f, win.outH, win.outW])
    const kern = this.ctx.kernels
    const W = this.weight.value.data
    // Training keeps the whole batch's columns for backward; evaluation (large batches, no backward
    // expected) reuses one sample's columns per thread, which keeps memory flat and stays in cache.
    this.colsCached = mode === 'train'
    const cols = this.colsCached ? this.cols.get([n, k, p]).data : this.sampleCol.get([kern.threads, k, p]).data
    kern.convForward(x.data, n, this.geometry, W, f, y.data, cols, this.colsCached)
    if (this.bias) kern.addChannelBias(y.data, this.bias.value.data, n, f, p)
    this.input = x
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, F, outH, outW] -> dx: [N, C, H, W]
    const x = this.input
    if (!x) throw new Error('conv2d: backward called before forward')
    const n = x.shape[0]
    const { c, h, w, k, p, win } = this
    const f = this.spec.filters
    const kern = this.ctx.kernels
    const dW = this.weight.grad.data
    if (this.colsCached) {
      kern.convBackwardWeights(dy.data, this.cols.get([n, k, p]).data, n, f, k, p, dW)
    } else {
      // After an eval-mode forward (e.g. a gradient check in eval mode) the columns are recomputed.
      const col = this.sampleCol.get([kern.threads, k, p]).data
      for (let s = 0; s < n; s++) {
        kern.im2col(x.data, s * c * h * w, c, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, col, 0)
        kern.gemm(false, true, f, k, p, dy.data, s * f * p, p, col, 0, p, 1, dW, 0, k)
      }
    }
    if (this.bias) kern.channelSums(dy.data, this.bias.grad.data, n, f, p)
    if (!this.ctx.needInputGrad) return null
    const dx = this.dx.get([n, c, h, w])
    const dcol = this.dcol.get([kern.threads, k, p])
    kern.convBackwardData(this.weight.value.data, f, dy.data, n, this.geometry, dx.data, dcol.data)
    return dx
  }
}
