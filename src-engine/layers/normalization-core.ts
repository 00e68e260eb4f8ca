import { TensorSlot, sizeOf, type Allocator, type FloatArray, type Tensor } from '../core/tensor'
import type { Layer, LayerContext, Mode, Param, StateBuffer } from './layer'
import { makeParam } from './params'

/**
 * The arithmetic shared by every normalization layer (batch, layer, instance and group norm, and the
 * batch norm inside FReLU): normalize x over groups of values, then apply a learned affine
 *   ŷ = (x − μ) / σ,   σ = √(var + eps)   (biased variance: divided by m, the number of values in the group)
 *   y = γ ⊙ ŷ + β
 * The layers differ only in which values share one (μ, σ) and which share one (γ, β). Every layer views
 * its input, batch first, as [N, G, K, S]:
 *   G  statistics groups per sample       K  affine channels per group     S  contiguous values per channel
 * and one (μ, σ) covers either the G-th group of every sample (batch norm: acrossBatch) or one group of
 * one sample (everything else):
 *   batch norm     [C,H,W] → G = C, K = 1, S = H·W, acrossBatch     [F] → G = F, K = 1, S = 1, acrossBatch
 *   layer norm     G = 1, K = C·H·W (or F), S = 1   (γ, β per value)
 *   instance norm  G = C, K = 1, S = H·W
 *   group norm     G = groups, K = C / groups, S = H·W (or 1 on [F])
 * The affine channel of a value is g·K + k, so γ and β have G·K entries.
 *
 * Backward, per statistics group of m values, with dŷ = dy ⊙ γ (the compact form):
 *   dx = (1 / (σ·m)) · (m·dŷ − Σdŷ − ŷ·Σ(dŷ ⊙ ŷ))
 *   dγ += Σ dy ⊙ ŷ,  dβ += Σ dy      (summed over every value of the affine channel)
 * and, when the statistics are constants (batch norm in eval mode uses its running statistics),
 *   dx = dŷ / σ.
 * Values are stored in the array's dtype; sums are accumulated in JS numbers (double).
 */
export interface NormGrouping {
  /** G: statistics groups per sample. */
  groups: number
  /** K: affine channels in each group. */
  channelsPerGroup: number
  /** S: contiguous values sharing one affine channel. */
  spatial: number
  /** True for batch norm: a group's statistics span the whole batch. */
  acrossBatch: boolean
}

export class Normalizer {
  private readonly out: TensorSlot
  private readonly dx: TensorSlot
  private readonly xhatSlot: TensorSlot
  private readonly meanSlot: TensorSlot
  private readonly varianceSlot: TensorSlot
  private readonly invStdSlot: TensorSlot
  /** Cached by forward for backward. */
  private xhat: Tensor | null = null
  private mean: Tensor | null = null
  private variance: Tensor | null = null
  private invStd: Tensor | null = null
  private batch = 0
  /** False when the last forward used given (constant) statistics. */
  private fromBatch = true

  constructor(
    readonly grouping: NormGrouping,
    private readonly eps: number,
    alloc: Allocator
  ) {
    this.out = new TensorSlot(alloc)
    this.dx = new TensorSlot(alloc)
    this.xhatSlot = new TensorSlot(alloc)
    this.meanSlot = new TensorSlot(alloc)
    this.varianceSlot = new TensorSlot(alloc)
    this.invStdSlot = new TensorSlot(alloc)
  }

  /** Number of (μ, σ) pairs for a batch of n: G, or N·G. */
  statisticsCount(n: number): number {
    return this.grouping.acrossBatch ? this.grouping.groups : n * this.grouping.groups
  }

  /** m: how many values each statistic is computed over. */
  groupSize(n: number): number {
    const { channelsPerGroup, spatial, acrossBatch } = this.grouping
    return (acrossBatch ? n : 1) * channelsPerGroup * spatial
  }

  /** The last forward's means, one per statistics group (G, or N·G). */
  lastMean(): FloatArray {
    if (!this.mean) throw new Error('normalization: statistics read before forward')
    return this.mean.data
  }

  /** The last forward's biased variances, one per statistics group. */
  lastVariance(): FloatArray {
    if (!this.variance) throw new Error('normalization: statistics read before forward')
    return this.variance.data
  }

  /** Normalizes with the statistics of x itself (train mode; always for layer, instance and group norm). */
  forward(x: Tensor, gamma: FloatArray, beta: FloatArray): Tensor {
    // x: [N, ...] viewed as [N, G, K, S] -> y: same shape
    const n = x.shape[0]
    const { groups, channelsPerGroup, spatial, acrossBatch } = this.grouping
    const block = channelsPerGroup * spatial
    const count = this.statisticsCount(n)
    const m = this.groupSize(n)
    const mean = this.meanSlot.get([count])
    const variance = this.varianceSlot.get([count])
    const invStd = this.invStdSlot.get([count])
    const xd = x.data
    for (let q = 0; q < count; q++) {
      // Statistics group q covers the contiguous block (s, g) of K·S values for samples s in [s0, s1).
      const g = acrossBatch ? q : q % groups
      const s0 = acrossBatch ? 0 : (q - g) / groups
      const s1 = acrossBatch ? n : s0 + 1
      let sum = 0
      for (let s = s0; s < s1; s++) {
        const start = (s * groups + g) * block
        for (let i = start; i < start + block; i++) sum += xd[i]
      }
      const mu = sum / m
      // Second pass for the variance: Σ(x − μ)² is more accurate than Σx² − mμ².
      let squares = 0
      for (let s = s0; s < s1; s++) {
        const start = (s * groups + g) * block
        for (let i = start; i < start + block; i++) {
          const d = xd[i] - mu
          squares += d * d
        }
      }
      const v = squares / m
      mean.data[q] = mu
      variance.data[q] = v
      invStd.data[q] = 1 / Math.sqrt(v + this.eps)
    }
    this.fromBatch = true
    return this.normalize(x, gamma, beta, mean, variance, invStd)
  }

  /**
   * Normalizes with given statistics, one mean and variance per group (acrossBatch groupings only:
   * batch norm's running statistics in eval mode). Backward then treats them as constants.
   */
  forwardWithStatistics(x: Tensor, gamma: FloatArray, beta: FloatArray, givenMean: FloatArray, givenVariance: FloatArray): Tensor {
    // x: [N, ...] viewed as [N, G, K, S] -> y: same shape
    if (!this.grouping.acrossBatch) throw new Error('normalization: given statistics need a grouping across the batch')
    const count = this.grouping.groups
    const mean = this.meanSlot.get([count])
    const variance = this.varianceSlot.get([count])
    const invStd = this.invStdSlot.get([count])
    for (let q = 0; q < count; q++) {
      mean.data[q] = givenMean[q]
      variance.data[q] = givenVariance[q]
      invStd.data[q] = 1 / Math.sqrt(givenVariance[q] + this.eps)
    }
    this.fromBatch = false
    return this.normalize(x, gamma, beta, mean, variance, invStd)
  }

  /** ŷ = (x − μ)·(1/σ) (cached), y = γ·ŷ + β. */
  private normalize(x: Tensor, gamma: FloatArray, beta: FloatArray, mean: Tensor, variance: Tensor, invStd: Tensor): Tensor {
    const n = x.shape[0]
    const { groups, channelsPerGroup, spatial, acrossBatch } = this.grouping
    const y = this.out.get(x.shape)
    const xhat = this.xhatSlot.get(x.shape)
    const xd = x.data
    const yd = y.data
    const hd = xhat.data
    for (let s = 0; s < n; s++) {
      for (let g = 0; g < groups; g++) {
        const q = acrossBatch ? g : s * groups + g
        const mu = mean.data[q]
        const is = invStd.data[q]
        for (let k = 0; k < channelsPerGroup; k++) {
          const c = g * channelsPerGroup + k
          const gc = gamma[c]
          const bc = beta[c]
          const start = ((s * groups + g) * channelsPerGroup + k) * spatial
          for (let i = start; i < start + spatial; i++) {
            const h = (xd[i] - mu) * is
            hd[i] = h
            yd[i] = h * gc + bc
          }
        }
      }
    }
    this.xhat = xhat
    this.mean = mean
    this.variance = variance
    this.invStd = invStd
    this.batch = n
    return y
  }

  /**
   * Accumulates dγ and dβ and returns dL/dx (or null when wantDx is false). The returned tensor is
   * owned by the normalizer until its next backward.
   */
  backward(dy: Tensor, gamma: FloatArray, dgamma: FloatArray, dbeta: FloatArray, wantDx: boolean): Tensor | null {
    // dy: [N, ...] viewed as [N, G, K, S] -> dx: same shape
    const xhat = this.xhat
    const invStd = this.invStd
    if (!xhat || !invStd) throw new Error('normalization: backward called before forward')
    const n = this.batch
    const { groups, channelsPerGroup, spatial, acrossBatch } = this.grouping
    const block = channelsPerGroup * spatial
    const count = this.statisticsCount(n)
    const m = this.groupSize(n)
    const dd = dy.data
    const hd = xhat.data
    const dx = wantDx ? this.dx.get(dy.shape) : null
    for (let q = 0; q < count; q++) {
      const g = acrossBatch ? q : q % groups
      const s0 = acrossBatch ? 0 : (q - g) / groups
      const s1 = acrossBatch ? n : s0 + 1
      // Pass 1: per affine channel Σdy and Σdy·ŷ, giving dβ, dγ and (times γ) Σdŷ and Σdŷ·ŷ.
      let sumD = 0
      let sumDH = 0
      for (let s = s0; s < s1; s++) {
        for (let k = 0; k < channelsPerGroup; k++) {
          const c = g * channelsPerGroup + k
          const start = (s * groups + g) * block + k * spatial
          let sb = 0
          let sg = 0
          for (let i = start; i < start + spatial; i++) {
            const d = dd[i]
            sb += d
            sg += d * hd[i]
          }
          dbeta[c] += sb
          dgamma[c] += sg
          sumD += gamma[c] * sb
          sumDH += gamma[c] * sg
        }
      }
      if (!dx) continue
      // Pass 2: dx = (1/(σ·m))·(m·dŷ − Σdŷ − ŷ·Σ(dŷ⊙ŷ)), or dŷ/σ for constant statistics.
      const is = invStd.data[q]
      const scale = is / m
      const xd = dx.data
      for (let s = s0; s < s1; s++) {
        for (let k = 0; k < channelsPerGroup; k++) {
          const gc = gamma[g * channelsPerGroup + k]
          const start = (s * groups + g) * block + k * spatial
          if (this.fromBatch) {
            for (let i = start; i < start + spatial; i++) xd[i] = scale * (m * dd[i] * gc - sumD - hd[i] * sumDH)
          } else {
            const factor = gc * is
            for (let i = start; i < start + spatial; i++) xd[i] = dd[i] * factor
          }
        }
      }
    }
    return dx
  }
}

/**
 * Batch normalization over C channels of S values each (S = H·W for images, 1 for vectors), with its
 * parameters and running statistics; used by the batchnorm layer (prefix '') and by FReLU (prefix 'bn.').
 *   train: normalize with the batch's mean and biased variance, then
 *          running_mean = (1 − momentum)·running_mean + momentum·mean
 *          running_var  = (1 − momentum)·running_var  + momentum·var·m/(m − 1)   (unbiased, as PyTorch)
 *          num_batches_tracked += 1
 *   eval:  normalize with running_mean and running_var (constants for backward).
 */
export class BatchNormCore {
  readonly weight: Param
  readonly bias: Param
  readonly runningMean: StateBuffer
  readonly runningVar: StateBuffer
  readonly numBatchesTracked: StateBuffer
  private readonly norm: Normalizer

  constructor(
    private readonly what: string,
    readonly channels: number,
    spatial: number,
    private readonly momentum: number,
    eps: number,
    ctx: LayerContext,
    prefix = ''
  ) {
    this.norm = new Normalizer({ groups: channels, channelsPerGroup: 1, spatial, acrossBatch: true }, eps, ctx.alloc)
    this.weight = makeParam(ctx.alloc, `${prefix}weight`, [channels], false, { kind: 'ones' })
    this.bias = makeParam(ctx.alloc, `${prefix}bias`, [channels], false, { kind: 'zeros' })
    this.runningMean = { name: `${prefix}running_mean`, value: { shape: [channels], data: ctx.alloc.alloc(channels) } }
    this.runningVar = { name: `${prefix}running_var`, value: { shape: [channels], data: ctx.alloc.alloc(channels) } }
    this.runningVar.value.data.fill(1)
    this.numBatchesTracked = { name: `${prefix}num_batches_tracked`, value: { shape: [], data: ctx.alloc.alloc(1) } }
  }

  params(): Param[] {
    return [this.weight, this.bias]
  }

  buffers(): StateBuffer[] {
    return [this.runningMean, this.runningVar, this.numBatchesTracked]
  }

  forward(x: Tensor, mode: Mode): Tensor {
    // x: [N, C, ...] -> y: same shape
    const gamma = this.weight.value.data
    const beta = this.bias.value.data
    if (mode === 'eval') {
      return this.norm.forwardWithStatistics(x, gamma, beta, this.runningMean.value.data, this.runningVar.value.data)
    }
    const m = this.norm.groupSize(x.shape[0])
    if (m < 2) {
      // PyTorch refuses too: one value has no variance, and the unbiased estimate divides by m − 1.
      throw new Error(`${this.what}: expected more than 1 value per channel when training, got input [${x.shape.join(', ')}]`)
    }
    const y = this.norm.forward(x, gamma, beta)
    const mean = this.norm.lastMean()
    const variance = this.norm.lastVariance()
    const rm = this.runningMean.value.data
    const rv = this.runningVar.value.data
    const mom = this.momentum
    const unbias = m / (m - 1)
    for (let c = 0; c < this.channels; c++) {
      rm[c] = (1 - mom) * rm[c] + mom * mean[c]
      rv[c] = (1 - mom) * rv[c] + mom * variance[c] * unbias
    }
    this.numBatchesTracked.value.data[0] += 1
    return y
  }

  backward(dy: Tensor, wantDx: boolean): Tensor | null {
    // dy: [N, C, ...] -> dx: same shape
    return this.norm.backward(dy, this.weight.value.data, this.weight.grad.data, this.bias.grad.data, wantDx)
  }
}

/**
 * Base for the normalizations that use each sample's own statistics in both modes (layer, instance and
 * group norm): affine `weight` (ones) and `bias` (zeros) of `affineShape`, no buffers.
 */
export abstract class SampleNormLayer implements Layer {
  abstract readonly type: string
  readonly outputShape: readonly number[]
  private readonly weight: Param
  private readonly bias: Param
  private readonly norm: Normalizer

  constructor(
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext,
    grouping: NormGrouping,
    affineShape: number[],
    eps: number
  ) {
    if (sizeOf(affineShape) !== grouping.groups * grouping.channelsPerGroup) {
      throw new Error(`normalization: affine shape ${affineShape.join('×')} does not match ${grouping.groups}×${grouping.channelsPerGroup} channels`)
    }
    this.outputShape = inputShape.slice()
    this.norm = new Normalizer(grouping, eps, ctx.alloc)
    this.weight = makeParam(ctx.alloc, 'weight', affineShape, false, { kind: 'ones' })
    this.bias = makeParam(ctx.alloc, 'bias', affineShape.slice(), false, { kind: 'zeros' })
  }

  params(): Param[] {
    return [this.weight, this.bias]
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor, _mode: Mode): Tensor {
    // x: [N, ...inputShape] -> y: same shape
    return this.norm.forward(x, this.weight.value.data, this.bias.value.data)
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, ...inputShape] -> dx: same shape
    return this.norm.backward(dy, this.weight.value.data, this.weight.grad.data, this.bias.grad.data, this.ctx.needInputGrad)
  }
}
