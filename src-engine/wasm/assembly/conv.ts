/*
 * Convolution loops over a range of samples [s0, s1) of a batch (the contract of Kernels.convForward
 * and friends, src-engine/kernels/kernels.ts): one call per layer instead of one per sample, and the
 * unit of work the host splits between threads (each thread takes a range of samples, or of dW's
 * columns). Pointers are byte addresses.
 */
import { gemm } from './gemm'
import { im2col, col2im } from './im2col'

/**
 * For s in [s0, s1): col = im2col(x_s); y_s[F, P] = W[F, K]·col. With keep = 1, sample s's columns
 * go to cols + s·K·P (kept for the backward pass), else all samples reuse cols (K·P floats).
 */
export function convForward(
  x: usize, channels: i32, height: i32, width: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, padTop: i32, padLeft: i32, outH: i32, outW: i32,
  w: usize, filters: i32, y: usize, cols: usize, keep: i32, s0: i32, s1: i32
): void {
  const K = channels * kH * kW
  const P = outH * outW
  const xStep = <usize>(channels * height * width) * 4
  const colStep = <usize>(K * P) * 4
  const yStep = <usize>(filters * P) * 4
  for (let s = s0; s < s1; s++) {
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
  dx: usize, dcol: usize, s0: i32, s1: i32
): void {
  const K = channels * kH * kW
  const P = outH * outW
  const xBytes = <usize>(channels * height * width) * 4
  const yStep = <usize>(filters * P) * 4
  for (let s = s0; s < s1; s++) {
    gemm(1, 0, K, P, filters, w, K, dy + <usize>s * yStep, P, 0, dcol, P)
    const d = dx + <usize>s * xBytes
    memory.fill(d, 0, xBytes)
    col2im(dcol, channels, height, width, kH, kW, sH, sW, padTop, padLeft, outH, outW, d)
  }
}

/**
 * dW[F, k0..k1) += Σ_{s < n} dy_s[F, P] · cols_s[k0..k1, P]ᵀ: the weight gradient's columns
 * [k0, k1) from the batch's kept columns (cols: n × K × P).
 */
export function convBackwardWeights(
  dy: usize, cols: usize, n: i32, filters: i32, K: i32, P: i32, dW: usize, k0: i32, k1: i32
): void {
  if (k1 <= k0) return
  const colStep = <usize>(K * P) * 4
  const yStep = <usize>(filters * P) * 4
  for (let s = 0; s < n; s++) {
    gemm(0, 1, filters, k1 - k0, P, dy + <usize>s * yStep, P, cols + <usize>s * colStep + <usize>(k0 * P) * 4, P, 1, dW + <usize>k0 * 4, K)
  }
}
