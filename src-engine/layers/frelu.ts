import { TensorSlot, type Tensor } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Mode, type Param, type StateBuffer } from './layer'
import { makeParam } from './params'
import { requireImage } from './geometry'
import { BatchNormCore } from './normalization-core'

export const freluLayer = defineLayer({
  type: 'frelu',
  group: 'activation',
  title: 'FReLU',
  summary: 'Funnel activation: max(x, T(x)) with T a learned 3×3 depthwise convolution plus batch norm, a spatial condition.',
  fields: {},
  infer(_spec, input) {
    const [c, h, w] = requireImage(input, 'frelu')
    // Depthwise 3×3 (weights + bias) and batch norm (γ, β).
    return { output: input.slice(), params: 9 * c + c + 2 * c, macs: 9 * c * h * w }
  },
  create(_spec, input, ctx): Layer {
    return new FRelu(input, ctx)
  },
  autoInitializer: () => 'he_normal'
})

/**
 * FReLU (Ma et al. 2020), as the reference FReLU(C) module:
 *   t = BN(DWConv3×3(x)),  y = max(x, t)
 * The depthwise convolution has one 3×3 filter per channel, stride 1, zero padding 1 and a bias
 * ('conv.weight' [C,1,3,3], 'conv.bias' [C]); the batch norm is 'bn.*' (momentum 0.1, eps 1e-5) and
 * behaves as the batchnorm layer in train and eval (normalization-core.ts).
 * Backward through the max: the gradient goes to x where x ≥ t and to t otherwise, so a tie sends it
 * all to x. (PyTorch's torch.max(x, t) splits a tie in half; exact ties between a value and its
 * convolved, normalized funnel essentially never happen in floating point.)
 */
class FRelu implements Layer {
  readonly type = 'frelu'
  readonly outputShape: readonly number[]
  private readonly c: number
  private readonly h: number
  private readonly w: number
  private readonly convWeight: Param
  private readonly convBias: Param
  private readonly bn: BatchNormCore
  private readonly convOut: TensorSlot
  private readonly out: TensorSlot
  private readonly dt: TensorSlot
  private readonly dx: TensorSlot
  /** Per-channel 3×3 weight-gradient sums, accumulated in double. */
  private readonly dWsum = new Float64Array(9)
  private input: Tensor | null = null
  private funnel: Tensor | null = null

  constructor(
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    ;[this.c, this.h, this.w] = requireImage(inputShape, 'frelu')
    this.outputShape = inputShape.slice()
    this.convWeight = makeParam(ctx.alloc, 'conv.weight', [this.c, 1, 3, 3], true, {
      kind: 'weight',
      fanIn: 9,
      fanOut: 9,
      initializer: 'he_normal'
    })
    this.convBias = makeParam(ctx.alloc, 'conv.bias', [this.c], false, { kind: 'zeros' })
    this.bn = new BatchNormCore('frelu', this.c, this.h * this.w, 0.1, 1e-5, ctx, 'bn.')
    this.convOut = new TensorSlot(ctx.alloc)
    this.out = new TensorSlot(ctx.alloc)
    this.dt = new TensorSlot(ctx.alloc)
    this.dx = new TensorSlot(ctx.alloc)
  }

  params(): Param[] {
    return [this.convWeight, this.convBias, ...this.bn.params()]
  }

  buffers(): StateBuffer[] {
    return this.bn.buffers()
  }

  forward(x: Tensor, mode: Mode): Tensor {
    // x: [N, C, H, W] -> u = DWConv3×3(x): [N, C, H, W] -> t = BN(u) -> y = max(x, t): [N, C, H, W]
    const n = x.shape[0]
    const { c, h, w } = this
    const u = this.convOut.get([n, c, h, w])
    const xd = x.data
    const ud = u.data
    const W = this.convWeight.value.data
    const b = this.convBias.value.data
    for (let s = 0; s < n; s++) {
      for (let ch = 0; ch < c; ch++) {
        const plane = (s * c + ch) * h * w
        const wb = ch * 9
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            let sum = b[ch]
            for (let ky = 0; ky < 3; ky++) {
              const ii = i + ky - 1
              if (ii < 0 || ii >= h) continue
              for (let kx = 0; kx < 3; kx++) {
                const jj = j + kx - 1
                if (jj < 0 || jj >= w) continue
                sum += W[wb + ky * 3 + kx] * xd[plane + ii * w + jj]
              }
            }
            ud[plane + i * w + j] = sum
          }
        }
      }
    }
    const t = this.bn.forward(u, mode)
    const y = this.out.get([n, c, h, w])
    const td = t.data
    const yd = y.data
    for (let i = 0; i < yd.length; i++) yd[i] = xd[i] >= td[i] ? xd[i] : td[i]
    this.input = x
    this.funnel = t
    return y
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, C, H, W] -> dt (where t won) -> du = BN'(dt) -> dW, db and dx = [x won]·dy + DWConvᵀ(du)
    const x = this.input
    const t = this.funnel
    if (!x || !t) throw new Error('frelu: backward called before forward')
    const n = x.shape[0]
    const { c, h, w } = this
    const xd = x.data
    const td = t.data
    const dd = dy.data
    const dt = this.dt.get([n, c, h, w])
    const dtd = dt.data
    for (let i = 0; i < dtd.length; i++) dtd[i] = xd[i] >= td[i] ? 0 : dd[i]
    const du = this.bn.backward(dt, true)
    if (!du) throw new Error('frelu: batch norm returned no gradient')
    const dud = du.data
    const W = this.convWeight.value.data
    const dW = this.convWeight.grad.data
    const db = this.convBias.grad.data
    const acc = this.dWsum
    const wantDx = this.ctx.needInputGrad
    const dx = wantDx ? this.dx.get([n, c, h, w]) : null
    if (dx) {
      // The max's own share first; the convolution's is added below.
      const dxd = dx.data
      for (let i = 0; i < dxd.length; i++) dxd[i] = xd[i] >= td[i] ? dd[i] : 0
    }
    for (let ch = 0; ch < c; ch++) {
      acc.fill(0)
      let biasSum = 0
      const wb = ch * 9
      for (let s = 0; s < n; s++) {
        const plane = (s * c + ch) * h * w
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const g = dud[plane + i * w + j]
            biasSum += g
            for (let ky = 0; ky < 3; ky++) {
              const ii = i + ky - 1
              if (ii < 0 || ii >= h) continue
              for (let kx = 0; kx < 3; kx++) {
                const jj = j + kx - 1
                if (jj < 0 || jj >= w) continue
                const at = plane + ii * w + jj
                acc[ky * 3 + kx] += g * xd[at]
                if (dx) dx.data[at] += g * W[wb + ky * 3 + kx]
              }
            }
          }
        }
      }
      for (let k = 0; k < 9; k++) dW[wb + k] += acc[k]
      db[ch] += biasSum
    }
    return dx
  }
}
