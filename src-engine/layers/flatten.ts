import type { Tensor } from '../core/tensor'
import { sizeOf } from '../core/tensor'
import { defineLayer, type Layer, type Param, type StateBuffer } from './layer'

export const flattenLayer = defineLayer({
  type: 'flatten',
  group: 'reshape',
  title: 'Flatten',
  summary: 'Reshapes C×H×W feature maps into one vector so dense layers can follow.',
  fields: {},
  infer(_spec, input) {
    return { output: [sizeOf(input)], params: 0, macs: 0 }
  },
  create(_spec, input): Layer {
    return new Flatten(input)
  }
})

/** [N, C, H, W] -> [N, C·H·W]; NCHW storage is already in that order, so only the shape changes. */
class Flatten implements Layer {
  readonly type = 'flatten'
  readonly outputShape: readonly number[]

  constructor(readonly inputShape: readonly number[]) {
    this.outputShape = [sizeOf(inputShape)]
  }

  params(): Param[] {
    return []
  }

  buffers(): StateBuffer[] {
    return []
  }

  forward(x: Tensor): Tensor {
    return { shape: [x.shape[0], this.outputShape[0]], data: x.data }
  }

  backward(dy: Tensor): Tensor {
    return { shape: [dy.shape[0], ...this.inputShape], data: dy.data }
  }
}
