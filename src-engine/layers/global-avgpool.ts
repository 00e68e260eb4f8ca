import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Param, type StateBuffer } from './layer'
import { requireImage } from './geometry'

export const globalAvgPoolLayer = defineLayer({
  type: 'global_avgpool',
  group: 'pooling',
  title: 'Global average pooling',
  summary: 'Averages each channel over the whole image: C×H×W becomes a vector of C values.',
  fields: {},
  // macs: one add per input value (C·H·W).
  infer(_spec, input) {
    const [c, h, w] = requireImage(input, 'global_avgpool')
    return { output: [c], params: 0, macs: c * h * w, formula: `mean over ${h}×${w} per channel` }
  },
  create(_spec, input, ctx): Layer {
    return new GlobalAvgPool(input, ctx)
  }
})

/**
 * y[n, c] = (1 / (H·W)) · Σ_{i,j} x[n, c, i, j]   (nn.AdaptiveAvgPool2d(1) followed by nn.Flatten())
 * backward: dx[n, c, i, j] = dy[n, c] / (H·W)
 */
class GlobalAvgPool implements Layer {
  readonly type = 'global_avgpool'
  readonly outputShape: readonly number[]
  private readonly c: number
  private readonly h: number
  private readonly w: number
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private batch = 0

  constructor(
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    ;[this.c, this.h, this.w] = requireImage(inputShape, 'global_avgpool')
    this.outputShape = [this.c]
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
    // x: [N, C, H, W] -> y: [N, C]
    const n = x.shape[0]
    const planes = n * this.c
    const area = this.h * this.w
    const scale = 1 / area
    const y = this.out.get([n, this.c])
    const xd = x.data
    const yd = y.data
    for (let q = 0; q < planes; q++) {
      const base = q * area
      let sum = 0
      for (let i = 0; i < area; i++) sum += xd[base + i]
      yd[q] = sum * scale
    }
    this.batch = n
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, C] -> dx: [N, C, H, W]
    if (!this.ctx.needInputGrad) return null
    const n = this.batch
    const planes = n * this.c
    const area = this.h * this.w
    const scale = 1 / area
    const dx = this.dx.get([n, this.c, this.h, this.w])
    const g = dy.data
    const out = dx.data
    for (let q = 0; q < planes; q++) out.fill(g[q] * scale, q * area, (q + 1) * area)
    return dx
  }
}
