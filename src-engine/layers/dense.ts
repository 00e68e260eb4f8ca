import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, ShapeError, type Layer, type LayerContext, type Param, type ResolvedLayerSpec } from './layer'
import { makeParam } from './params'

export const denseLayer = defineLayer({
  type: 'dense',
  group: 'dense',
  title: 'Dense (affine)',
  summary: 'Fully connected: every output is a weighted sum of all inputs plus a bias (y = Wx + b).',
  fields: {
    units: { kind: 'int', min: 1, max: 65536, doc: 'Number of outputs.' },
    bias: { kind: 'bool', default: true, doc: 'Add a learned bias per output.' },
    init: { kind: 'init', default: 'auto', doc: 'Weight initializer; auto picks He for ReLU-like activations, Xavier otherwise.' }
  },
  infer(spec, input) {
    if (input.length !== 1) {
      throw new ShapeError(null, `input ${input.join('×')} is not flat; add a flatten layer before dense`)
    }
    return { output: [spec.units], params: spec.units * input[0] + (spec.bias ? spec.units : 0), macs: spec.units * input[0] }
  },
  create(spec, input, ctx): Layer {
    return new Dense(spec, input, ctx)
  }
})

type DenseSpec = ResolvedLayerSpec<typeof denseLayer>

/** y[N, out] = x[N, in] · Wᵀ + b, with W stored [out, in] as in PyTorch's nn.Linear. */
class Dense implements Layer {
  readonly type = 'dense'
  readonly outputShape: readonly number[]
  private readonly inFeatures: number
  private readonly weight: Param
  private readonly bias: Param | null
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private input: Tensor | null = null

  constructor(
    private readonly spec: DenseSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    this.inFeatures = inputShape[0]
    this.outputShape = [spec.units]
    this.weight = makeParam(ctx.alloc, 'weight', [spec.units, this.inFeatures], true, {
      kind: 'weight',
      fanIn: this.inFeatures,
      fanOut: spec.units,
      initializer: spec.init
    })
    this.bias = spec.bias ? makeParam(ctx.alloc, 'bias', [spec.units], false, { kind: 'zeros' }) : null
    this.out = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  params(): Param[] {
    return this.bias ? [this.weight, this.bias] : [this.weight]
  }

  buffers() {
    return []
  }

  forward(x: Tensor): Tensor {
    // x: [N, in] -> y: [N, out]
    const n = x.shape[0]
    const units = this.spec.units
    const y = this.out.get([n, units])
    this.ctx.kernels.gemm(false, true, n, units, this.inFeatures, x.data, 0, this.inFeatures, this.weight.value.data, 0, this.inFeatures, 0, y.data, 0, units)
    // The bias as n samples × units channels of one value each.
    if (this.bias) this.ctx.kernels.addChannelBias(y.data, this.bias.value.data, n, units, 1)
    this.input = x
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, out] -> dx: [N, in]
    const x = this.input
    if (!x) throw new Error('dense: backward called before forward')
    const n = x.shape[0]
    const units = this.spec.units
    const inF = this.inFeatures
    // dW[out, in] += dyᵀ[out, N] · x[N, in]
    this.ctx.kernels.gemm(true, false, units, inF, n, dy.data, 0, units, x.data, 0, inF, 1, this.weight.grad.data, 0, inF)
    if (this.bias) this.ctx.kernels.channelSums(dy.data, this.bias.grad.data, n, units, 1)
    if (!this.ctx.needInputGrad) return null
    const dx = this.dx.get([n, inF])
    // dx[N, in] = dy[N, out] · W[out, in]
    this.ctx.kernels.gemm(false, false, n, inF, units, dy.data, 0, units, this.weight.value.data, 0, inF, 0, dx.data, 0, inF)
    return dx
  }
}
