/*
 * Convolution loops over the samples [s0, s1) of a batch (the contract of Kernels.convForward and
 * friends, src-engine/kernels/kernels.ts): one call per layer instead of one per sample, and the unit
 * of work shared between threads. With counter = 0 the call does the whole range; otherwise every
 * thread running the same call takes the next sample (or block of dW's columns) from the shared i32
 * at `counter` until none is left, so a thread that gets less of the CPU simply does less. Each item's
 * result does not depend on which thread computed it: the output is deterministic and identical to
 * one thread's. Pointers are byte addresses.
 */
import { gemm } from './gemm'
import { im2col, col2im } from './im2col'

/** The next item of [s0, s1): s0 + the shared counter's old value (atomic), or s0 + i for the static walk. */
// @ts-ignore: decorator
@inline function next(counter: usize, s0: i32, i: i32): i32 {
  return counter ? s0 + atomic.add<i32>(counter, 1) : s0 + i
}

/** Columns of dW per work item of convBackwardWeights (a multiple of the GEMM's 8-column panels). */
const DW_BLOCK: i32 = 48

/**
 * For s in [s0, s1): col = im2col(x_s); y_s[F, P] = W[F, K]·col. With keep = 1, sample s's columns
 * go to cols + s·K·P (kept for the backward pass), else all samples reuse cols (K·P floats).
 */
export function convForward(
  x: usize, channels: i32, height: i32, width: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  w: usize, filters: i32, y: usize, cols: usize, keep: i32, s0: i32, s1: i32, counter: usize
): void {
  const K = channels * kH * kW
  const P = outH * outW
  const xStep = <usize>(channels * height * width) * 4
  const colStep = <usize>(K * P) * 4
  const yStep = <usize>(filters * P) * 4
  for (let i = 0; ; i++) {
    const s = next(counter, s0, i)
    if (s >= s1) break
    const col = keep ? cols + <usize>s * colStep : cols
    im2col(x + <usize>s * xStep, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, col)
    gemm(0, 0, filters, P, K, w, K, col, P, 0, y + <usize>s * yStep, P)
  }
}

/**
 * For s in [s0, s1): dcol[K, P] = Wᵀ·dy_s; dx_s = col2im(dcol) (overwritten). dcol is K·P floats
 * of scratch.
 */
export function convBackwardData(
  w: usize, filters: i32, dy: usize, channels: i32, height: i32, width: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  dx: usize, dcol: usize, s0: i32, s1: i32, counter: usize
): void {
  const K = channels * kH * kW
  const P = outH * outW
  const xBytes = <usize>(channels * height * width) * 4
  const yStep = <usize>(filters * P) * 4
  for (let i = 0; ; i++) {
    const s = next(counter, s0, i)
    if (s >= s1) break
    gemm(1, 0, K, P, filters, w, K, dy + <usize>s * yStep, P, 0, dcol, P)
    const d = dx + <usize>s * xBytes
    memory.fill(d, 0, xBytes)
    col2im(dcol, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, d)
  }
}

/**
 * dW[F, k0..k1) += Σ_{s < n} dy_s[F, P] · cols_s[k0..k1, P]ᵀ: the weight gradient's columns
 * [k0, k1) from the batch's kept columns (cols: n × K × P); with a shared counter, in blocks of
 * DW_BLOCK columns taken from it.
 */
export function convBackwardWeights(
  dy: usize, cols: usize, n: i32, filters: i32, K: i32, P: i32, dW: usize, k0: i32, k1: i32, counter: usize
): void {
  const colStep = <usize>(K * P) * 4
  const yStep = <usize>(filters * P) * 4
  // One thread alone takes all the columns at once (fewer passes over dy).
  const block = counter ? DW_BLOCK : max(k1 - k0, 1)
  const blocks = (k1 - k0 + block - 1) / block
  for (let i = 0; ; i++) {
    const b = next(counter, 0, i)
    if (b >= blocks) break
    const c0 = k0 + b * block
    const width = min(block, k1 - c0)
    for (let s = 0; s < n; s++) {
      gemm(0, 1, filters, width, P, dy + <usize>s * yStep, P, cols + <usize>s * colStep + <usize>(c0 * P) * 4, P, 1, dW + <usize>c0 * 4, K)
    }
  }
}
