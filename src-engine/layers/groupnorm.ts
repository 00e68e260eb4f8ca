import { sizeOf } from '../core/tensor'
import { defineLayer, ShapeError, type LayerContext, type ResolvedLayerSpec, type Layer } from './layer'
import { SampleNormLayer } from './normalization-core'

export const groupNormLayer = defineLayer({
  type: 'groupnorm',
  group: 'normalization',
  title: 'Group normalization',
  summary: 'Splits the channels into groups and normalizes each group of each sample, then scales and shifts per channel.',
  fields: {
    groups: { kind: 'int', min: 1, default: 2, doc: 'Number of channel groups; must divide the number of channels.' },
    eps: { kind: 'number', min: 0, minExclusive: true, default: 1e-5, doc: 'Added to the variance before the square root, for stability.' }
  },
  infer(spec, input) {
    const channels = input[0]
    if (channels % spec.groups !== 0) {
      throw new ShapeError('groups', `groups ${spec.groups} does not divide ${channels} channels`)
    }
    return {
      output: input.slice(),
      params: 2 * channels,
      macs: sizeOf(input),
      formula: `${channels} channels / ${spec.groups} groups = ${channels / spec.groups} per group`
    }
  },
  create(spec, input, ctx): Layer {
    return new GroupNorm(spec, input, ctx)
  }
})

type GroupNormSpec = ResolvedLayerSpec<typeof groupNormLayer>

/**
 * nn.GroupNorm(groups, C): one mean and variance per sample and group of C/groups channels (over
 * their H×W pixels); weight and bias [C]. On [F] the F features are the channels, one value each.
 * As groups: G = groups, K = C / groups, S = H·W (or 1).
 */
class GroupNorm extends SampleNormLayer {
  readonly type = 'groupnorm'

  constructor(spec: GroupNormSpec, inputShape: readonly number[], ctx: LayerContext) {
    const channels = inputShape[0]
    const spatial = inputShape.length === 3 ? inputShape[1] * inputShape[2] : 1
    const grouping = { groups: spec.groups, channelsPerGroup: channels / spec.groups, spatial, acrossBatch: false }
    super(inputShape, ctx, grouping, [channels], spec.eps)
  }
}
