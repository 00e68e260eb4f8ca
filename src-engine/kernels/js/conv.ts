import type { FloatArray } from '../../core/tensor'
import type { ConvGeometry, Kernels } from '../kernels'

/*
 * The per-layer convolution kernels as loops over samples of the primitive kernels (im2col, gemm,
 * col2im): the reference, and the fallback of faster backends for operands they cannot take.
 */
type Primitives = Pick<Kernels, 'im2col' | 'gemm' | 'col2im'>

export function convForwardWith(
  k: Primitives, x: FloatArray, samples: number, g: ConvGeometry, w: FloatArray, filters: number,
  y: FloatArray, cols: FloatArray, keep: boolean
): void {
  const K = g.channels * g.kernelH * g.kernelW
  const P = g.outH * g.outW
  const xStep = g.channels * g.height * g.width
  for (let s = 0; s < samples; s++) {
    const at = keep ? s * K * P : 0
    k.im2col(x, s * xStep, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW, cols, at)
    k.gemm(false, false, filters, P, K, w, 0, K, cols, at, P, 0, y, s * filters * P, P)
  }
}

export function convBackwardDataWith(
  k: Primitives, w: FloatArray, filters: number, dy: FloatArray, samples: number, g: ConvGeometry,
  dx: FloatArray, dcol: FloatArray
): void {
  const K = g.channels * g.kernelH * g.kernelW
  const P = g.outH * g.outW
  const xStep = g.channels * g.height * g.width
  dx.fill(0, 0, samples * xStep)
  for (let s = 0; s < samples; s++) {
    k.gemm(true, false, K, P, filters, w, 0, K, dy, s * filters * P, P, 0, dcol, 0, P)
    k.col2im(dcol, 0, g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW, dx, s * xStep)
  }
}

export function convBackwardWeightsWith(
  k: Primitives, dy: FloatArray, cols: FloatArray, samples: number, filters: number, K: number, P: number, dW: FloatArray
): void {
  for (let s = 0; s < samples; s++) k.gemm(false, true, filters, K, P, dy, s * filters * P, P, cols, s * K * P, P, 1, dW, 0, K)
}
