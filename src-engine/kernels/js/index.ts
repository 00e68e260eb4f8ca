import type { Kernels } from '../kernels'
import { gemm } from './gemm'
import { col2im, im2col } from './im2col'
import { addChannelBias, channelSums, relu, reluBackward } from './elementwise'
import { convBackwardDataWith, convBackwardWeightsWith, convForwardWith } from './conv'
import { adamUpdate, momentumUpdate, sgdUpdate } from './optim'
import { activation, activationBackward } from './activations'
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './pool'

const primitives = { gemm, im2col, col2im }

/** The reference kernels in plain JavaScript (the portable fallback for every other backend). */
export const jsKernels: Kernels = {
  name: 'js',
  threads: 1,
  dispose() {},
  gemm,
  im2col,
  col2im,
  relu,
  reluBackward,
  addChannelBias,
  channelSums,
  maxPoolForward,
  maxPoolBackward,
  avgPoolForward,
  avgPoolBackward,
  activation,
  activationBackward,
  adamUpdate,
  sgdUpdate,
  momentumUpdate,
  convForward(x, samples, g, w, filters, y, cols, keep) {
    convForwardWith(primitives, x, samples, g, w, filters, y, cols, keep)
  },
  convBackwardData(w, filters, dy, samples, g, dx, dcol) {
    convBackwardDataWith(primitives, w, filters, dy, samples, g, dx, dcol)
  },
  convBackwardWeights(dy, cols, samples, filters, K, P, dW) {
    convBackwardWeightsWith(primitives, dy, cols, samples, filters, K, P, dW)
  }
}
