import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Param, type StateBuffer } from './layer'
import { inferElementwise } from './elementwise'

export const softmaxLayer = defineLayer({
  type: 'softmax',
  group: 'output',
  title: 'Softmax',
  summary: 'Turns scores into probabilities that sum to 1: over features ([F]) or over channels at each pixel ([C,H,W]).',
  fields: {},
  infer: (_spec, input) => inferElementwise(input),
  create: (_spec, input, ctx): Layer => new Softmax(input, ctx)
})

/**
 * Softmax over dim 1 (nn.Softmax(dim=1)). A sample is viewed as [D, P]: D = F, P = 1 for a vector,
 * D = C, P = H·W for an image, and each of the P columns is normalized over its D entries:
 *   y[d, p] = exp(x[d, p] − m[p]) / Σ_d' exp(x[d', p] − m[p]),  m[p] = max_d x[d, p]
 * Subtracting the maximum keeps every exponent ≤ 0, so nothing overflows. Loops run over d outside and
 * p inside (contiguous memory), with per-column accumulators in `colA`/`colB`.
 */
class Softmax implements Layer {
  readonly type = 'softmax'
  readonly outputShape: readonly number[]
  private readonly d: number
  private readonly p: number
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private readonly colA: TensorSlot
  private readonly colB: TensorSlot
  private output: Tensor | null = null

  constructor(
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    this.outputShape = inputShape.slice()
    this.d = inputShape[0]
    let p = 1
    for (let i = 1; i < inputShape.length; i++) p *= inputShape[i]
    this.p = p
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
    this.colA = new TensorSlot(ctx.alloc)
    this.colB = new TensorSlot(ctx.alloc)
  }

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    // x: [N, D, (H, W)] -> y: same shape, each column y[n, :, p] sums to 1
    const n = x.shape[0]
    const { d, p } = this
    const y = this.out.get(x.shape)
    const xd = x.data
    const yd = y.data
    const max = this.colA.get([p]).data
    const sum = this.colB.get([p]).data
    for (let s = 0; s < n; s++) {
      const base = s * d * p
      max.fill(-Infinity)
      for (let c = 0; c < d; c++) {
        const row = base + c * p
        for (let j = 0; j < p; j++) if (xd[row + j] > max[j]) max[j] = xd[row + j]
      }
      sum.fill(0)
      for (let c = 0; c < d; c++) {
        const row = base + c * p
        for (let j = 0; j < p; j++) {
          const e = Math.exp(xd[row + j] - max[j])
          yd[row + j] = e
          sum[j] += e
        }
      }
      for (let j = 0; j < p; j++) sum[j] = 1 / sum[j]
      for (let c = 0; c < d; c++) {
        const row = base + c * p
        for (let j = 0; j < p; j++) yd[row + j] *= sum[j]
      }
    }
    this.output = y
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, D, (H, W)] -> dx: same shape;  dx = y ⊙ (dy − Σ_d dy ⊙ y)  per column
    const y = this.output
    if (!y) throw new Error('softmax: backward called before forward')
    if (!this.ctx.needInputGrad) return null
    const n = dy.shape[0]
    const { d, p } = this
    const dx = this.dx.get(dy.shape)
    const yd = y.data
    const g = dy.data
    const out = dx.data
    const dot = this.colA.get([p]).data
    for (let s = 0; s < n; s++) {
      const base = s * d * p
      dot.fill(0)
      for (let c = 0; c < d; c++) {
        const row = base + c * p
        for (let j = 0; j < p; j++) dot[j] += g[row + j] * yd[row + j]
      }
      for (let c = 0; c < d; c++) {
        const row = base + c * p
        for (let j = 0; j < p; j++) out[row + j] = yd[row + j] * (g[row + j] - dot[j])
      }
    }
    return dx
  }
}
