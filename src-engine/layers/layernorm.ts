import { sizeOf } from '../core/tensor'
import { defineLayer, type LayerContext, type ResolvedLayerSpec, type Layer } from './layer'
import { SampleNormLayer } from './normalization-core'

export const layerNormLayer = defineLayer({
  type: 'layernorm',
  group: 'normalization',
  title: 'Layer normalization',
  summary: "Normalizes all of a sample's values together, then scales and shifts each value (learned γ, β).",
  fields: {
    eps: { kind: 'number', min: 0, minExclusive: true, default: 1e-5, doc: 'Added to the variance before the square root, for stability.' }
  },
  infer(_spec, input) {
    const size = sizeOf(input)
    return { output: input.slice(), params: 2 * size, macs: size }
  },
  create(spec, input, ctx): Layer {
    return new LayerNorm(spec, input, ctx)
  }
})

type LayerNormSpec = ResolvedLayerSpec<typeof layerNormLayer>

/**
 * nn.LayerNorm(inputShape): one mean and variance per sample over all its C·H·W (or F) values;
 * weight and bias have the full per-sample shape. As groups: G = 1, K = every value, S = 1.
 */
class LayerNorm extends SampleNormLayer {
  readonly type = 'layernorm'

  constructor(spec: LayerNormSpec, inputShape: readonly number[], ctx: LayerContext) {
    const size = sizeOf(inputShape)
    super(inputShape, ctx, { groups: 1, channelsPerGroup: size, spatial: 1, acrossBatch: false }, inputShape.slice(), spec.eps)
  }
}
