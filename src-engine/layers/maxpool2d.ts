import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type ResolvedLayerSpec } from './layer'
import { inferPool, Pool2dLayer } from './pool-base'

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
 * y[n, c, i, j] = max over the window at (i·stride − padding, j·stride − padding); padded cells are −∞.
 * Forward records each output's argmax; backward routes dy to that input (overlapping windows add up).
 */
class MaxPool2d extends Pool2dLayer {
  /** Flat in-plane index of each output's maximum; grows to the largest batch and is reused. */
  private argmax: Int32Array = new Int32Array(0)

  constructor(spec: PoolSpec, inputShape: readonly number[], ctx: LayerContext) {
    super('maxpool2d', spec, inputShape, ctx)
  }

  protected poolForward(x: FloatArray, y: FloatArray, planes: number): void {
    // x: [N·C, H, W] -> y: [N·C, outH, outW], argmax alongside y
    const { h, w, win } = this
    if (this.argmax.length < y.length) this.argmax = this.ctx.alloc.allocInt32?.(y.length) ?? new Int32Array(y.length)
    this.ctx.kernels.maxPoolForward(
      x, planes, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, y, this.argmax
    )
  }

  protected poolBackward(dy: FloatArray, dx: FloatArray, planes: number): void {
    // dy: [N·C, outH, outW] -> dx: [N·C, H, W]
    const { h, w, win } = this
    this.ctx.kernels.maxPoolBackward(dy, this.argmax, planes, h, w, win.outH, win.outW, dx)
  }
}
