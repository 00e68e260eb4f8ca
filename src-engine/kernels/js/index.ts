import type { Kernels } from '../kernels'
import { gemm } from './gemm'
import { col2im, im2col } from './im2col'
import { addChannelBias, channelSums, relu, reluBackward } from './elementwise'
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './pool'

/** The reference kernels in plain JavaScript (the portable fallback for every other backend). */
export const jsKernels: Kernels = {
  name: 'js',
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
  avgPoolBackward
}
