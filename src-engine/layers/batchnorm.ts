import type { Tensor } from '../core/tensor'
import { sizeOf } from '../core/tensor'
import { defineLayer, type Layer, type LayerContext, type Mode, type Param, type ResolvedLayerSpec, type StateBuffer } from './layer'
import { BatchNormCore } from './normalization-core'

export const batchNormLayer = defineLayer({
  type: 'batchnorm',
  group: 'normalization',
  title: 'Batch normalization',
  summary: 'Normalizes each channel with the batch mean and variance, then scales and shifts (learned γ, β).',
  fields: {
    momentum: { kind: 'number', min: 0, max: 1, default: 0.1, doc: 'Weight of the current batch in the running mean and variance used at evaluation.' },
    eps: { kind: 'number', min: 0, minExclusive: true, default: 1e-5, doc: 'Added to the variance before the square root, for stability.' }
  },
  infer(_spec, input) {
    // BatchNorm2d on [C,H,W] (per channel over N×H×W), BatchNorm1d on [F] (per feature over N).
    return { output: input.slice(), params: 2 * input[0], macs: sizeOf(input) }
  },
  create(spec, input, ctx): Layer {
    return new BatchNorm(spec, input, ctx)
  }
})

type BatchNormSpec = ResolvedLayerSpec<typeof batchNormLayer>

/**
 * nn.BatchNorm2d(C) / nn.BatchNorm1d(F): the statistics, running averages and gradients live in
 * BatchNormCore (normalization-core.ts). State dict order as PyTorch: weight, bias, running_mean,
 * running_var, num_batches_tracked.
 */
class BatchNorm implements Layer {
  readonly type = 'batchnorm'
  readonly outputShape: readonly number[]
  private readonly core: BatchNormCore

  constructor(
    spec: BatchNormSpec,
    readonly inputShape: readonly number[],
    private readonly ctx: LayerContext
  ) {
    this.outputShape = inputShape.slice()
    const spatial = inputShape.length === 3 ? inputShape[1] * inputShape[2] : 1
    this.core = new BatchNormCore('batchnorm', inputShape[0], spatial, spec.momentum, spec.eps, ctx)
  }

  params(): Param[] {
    return this.core.params()
  }

  buffers(): StateBuffer[] {
    return this.core.buffers()
  }

  forward(x: Tensor, mode: Mode): Tensor {
    // x: [N, C, H, W] or [N, F] -> y: same shape
    return this.core.forward(x, mode)
  }

  backward(dy: Tensor): Tensor | null {
    // dy: [N, C, H, W] or [N, F] -> dx: same shape
    return this.core.backward(dy, this.ctx.needInputGrad)
  }
}
