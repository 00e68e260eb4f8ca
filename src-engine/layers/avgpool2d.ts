import type { FloatArray } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type ResolvedLayerSpec } from './layer'
import { inferPool, Pool2dLayer } from './pool-base'

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
class AvgPool2d extends Pool2dLayer {
  constructor(spec: AvgPoolSpec, inputShape: readonly number[], ctx: LayerContext) {
    super('avgpool2d', spec, inputShape, ctx)
  }

  protected poolForward(x: FloatArray, y: FloatArray, planes: number): void {
    // x: [N·C, H, W] -> y: [N·C, outH, outW]
    const { h, w, win } = this
    this.ctx.kernels.avgPoolForward(
      x, planes, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, y
    )
  }

  protected poolBackward(dy: FloatArray, dx: FloatArray, planes: number): void {
    // dy: [N·C, outH, outW] -> dx: [N·C, H, W]
    const { h, w, win } = this
    this.ctx.kernels.avgPoolBackward(
      dy, planes, h, w, win.kernel, win.kernel, win.stride, win.stride, win.padTop, win.padLeft, win.outH, win.outW, dx
    )
  }
}
