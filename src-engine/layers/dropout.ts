import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Mode, type Param, type ResolvedLayerSpec, type StateBuffer } from './layer'

export const dropoutLayer = defineLayer({
  type: 'dropout',
  group: 'regularization',
  title: 'Dropout',
  summary: 'While training, zeroes each value with probability p and scales the rest by 1/(1−p); identity at evaluation.',
  fields: {
    rate: { kind: 'number', min: 0, max: 1, maxExclusive: true, default: 0.5, doc: 'Probability p of zeroing each value during training.' }
  },
  infer(_spec, input) {
    return { output: input.slice(), params: 0, macs: 0 }
  },
  create(spec, input, ctx): Layer {
    return new Dropout(spec, input, ctx)
  }
})

type DropoutSpec = ResolvedLayerSpec<typeof dropoutLayer>

/**
 * nn.Dropout(p) with inverted scaling: in training each value is kept with probability 1 − p and the
 * survivors are multiplied by 1/(1 − p), so the expected activation equals the input and evaluation is
 * the identity. (The original paper instead trained unscaled and multiplied by 1 − p at test time; both
 * match expectations between training and test, but inverted scaling leaves inference untouched.)
 * The mask is drawn from the run's seeded RNG, one nextFloat() per value in NCHW order (dropped when
 * < p), so runs are reproducible. p = 0 draws nothing and is the identity, as in PyTorch.
 */
class Dropout implements Layer {
  readonly type = 'dropout'
  readonly outputShape: readonly number[]
  private readonly out: TensorSlot
  private readonly maskSlot: TensorSlot
  private readonly dx: TensorSlot
  /** The last training forward's mask: 0 or 1/(1 − p) per value; null when the last forward was the identity. */
  private mask: Tensor | null = null
  private called = false

  constructor(
    private readonly spec: DropoutSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    this.outputShape = inputShape.slice()
    this.out = new TensorSlot(ctx.alloc)
    this.maskSlot = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor, mode: Mode): Tensor {
    // x: [N, ...] -> y: same shape
    this.called = true
    const p = this.spec.rate
    if (mode === 'eval' || p === 0) {
      this.mask = null
      return x
    }
    const scale = 1 / (1 - p)
    const y = this.out.get(x.shape)
    const mask = this.maskSlot.get(x.shape)
    const xd = x.data
    const yd = y.data
    const md = mask.data
    const rng = this.ctx.rng
    for (let i = 0; i < xd.length; i++) {
      const keep = rng.nextFloat() >= p ? scale : 0
      md[i] = keep
      yd[i] = xd[i] * keep
    }
    this.mask = mask
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, ...] -> dx: same shape
    if (!this.called) throw new Error('dropout: backward called before forward')
    if (!this.ctx.needInputGrad) return null
    const mask = this.mask
    if (!mask) return dy
    const dx = this.dx.get(dy.shape)
    const dd = dy.data
    const md = mask.data
    const xd = dx.data
    for (let i = 0; i < dd.length; i++) xd[i] = dd[i] * md[i]
    return dx
  }
}
