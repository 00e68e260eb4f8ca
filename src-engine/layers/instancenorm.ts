import { sizeOf } from '../core/tensor'
import { defineLayer, ShapeError, type LayerContext, type ResolvedLayerSpec, type Layer } from './layer'
import { requireImage } from './geometry'
import { SampleNormLayer } from './normalization-core'

export const instanceNormLayer = defineLayer({
  type: 'instancenorm',
  group: 'normalization',
  title: 'Instance normalization',
  summary: 'Normalizes each channel of each image over its H×W pixels, then scales and shifts per channel.',
  fields: {
    eps: { kind: 'number', min: 0, minExclusive: true, default: 1e-5, doc: 'Added to the variance before the square root, for stability.' }
  },
  infer(_spec, input) {
    const [c, h, w] = requireImage(input, 'instancenorm')
    if (h * w < 2) {
      // As PyTorch: a single pixel per channel has no spread, so the output would be the bias alone.
      throw new ShapeError(null, `instancenorm needs more than one pixel per channel, got ${c}×${h}×${w}`)
    }
    return { output: input.slice(), params: 2 * c, macs: sizeOf(input) }
  },
  create(spec, input, ctx): Layer {
    return new InstanceNorm(spec, input, ctx)
  }
})

type InstanceNormSpec = ResolvedLayerSpec<typeof instanceNormLayer>

/**
 * nn.InstanceNorm2d(C, affine=True): one mean and variance per sample and channel over H×W, the same
 * in train and eval (no running statistics); weight and bias [C]. As groups: G = C, K = 1, S = H·W.
 */
class InstanceNorm extends SampleNormLayer {
  readonly type = 'instancenorm'

  constructor(spec: InstanceNormSpec, inputShape: readonly number[], ctx: LayerContext) {
    const [c, h, w] = requireImage(inputShape, 'instancenorm')
    super(inputShape, ctx, { groups: c, channelsPerGroup: 1, spatial: h * w, acrossBatch: false }, [c], spec.eps)
  }
}
