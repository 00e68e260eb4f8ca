/*
 * Tatami's WebAssembly kernels (f32). Built twice by `npm run build:wasm` (asconfig.json):
 * kernels-simd.wasm (SIMD) and kernels-relaxed.wasm (SIMD + relaxed SIMD fused multiply-add).
 * The memory is imported: the host sizes it once and plans tensors above scratchEnd().
 */
import { SCRATCH, SCRATCH_END, SCRATCH_BYTES } from './layout'

export { setScratch } from './layout'

export { gemm } from './gemm'
export { im2col, col2im } from './im2col'
export { relu, reluBackward, addChannelBias, channelSums } from './elementwise'
export { maxPoolForward, maxPoolBackward, avgPoolForward, avgPoolBackward } from './pool'
export { convForward, convBackwardData, convBackwardWeights } from './conv'

/** End of the module's static data; must lie below the scratch area. */
export function heapBase(): usize {
  return __heap_base
}

export function scratchStart(): usize {
  return SCRATCH
}

/** First byte the host may use for tensors. */
export function scratchEnd(): usize {
  return SCRATCH_END
}

/** 1 when compiled with relaxed SIMD. */
export function relaxed(): i32 {
  return ASC_FEATURE_RELAXED_SIMD ? 1 : 0
}

/** Bytes of one instance's scratch area (a helper thread's is planned by the host). */
export function scratchBytes(): usize {
  return SCRATCH_BYTES
}
export { adamUpdate, sgdUpdate, momentumUpdate } from './optim'
export { activation, activationBackward } from './activations'
