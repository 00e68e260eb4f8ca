import type { FloatArray } from '../../core/tensor'

/*
 * im2col / col2im for one image. Row r = (c·kH + ki)·kW + kj of col holds, for every output
 * position (oy, ox), the input x[c, oy·strideH − padTop + ki, ox·strideW − padLeft + kj] (0 outside).
 *
 * For a given kernel offset (ki, kj) the in-image output rows form one range [yLo, yHi) and the
 * in-image output columns one range [xLo, xHi), independent of c and of each other, so both
 * functions copy / add whole runs of xHi − xLo elements with no per-element bounds tests; im2col
 * writes the padding zeros around them (whole zero rows with a native fill). In V8 every loop
 * iteration over argument arrays re-checks their maps and reloads their lengths, so the runs are
 * unrolled to amortise that (with int32 loop bounds, ~1.5× faster than plain per-element loops).
 */

/** First output index o ≥ 0 with o·stride − pad + k ≥ 0 (clamped to outSize). */
function firstInside(pad: number, k: number, stride: number, outSize: number): number {
  const lo = pad - k > 0 ? Math.ceil((pad - k) / stride) : 0
  return Math.min(lo, outSize) | 0 // `| 0`: keep loop bounds int32 (Math.ceil returns a double)
}

/** One past the last output index o with o·stride − pad + k ≤ size − 1 (clamped to [lo, outSize]). */
function endInside(pad: number, k: number, stride: number, size: number, outSize: number, lo: number): number {
  const last = size - 1 + pad - k
  if (last < 0) return lo
  return Math.max(lo, Math.min(outSize, Math.floor(last / stride) + 1)) | 0
}

export function im2col(
  x: FloatArray, xOffset: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  col: FloatArray, colOffset: number
): void {
  const plane = height * width
  const outPlane = outH * outW
  const rowStep = strideH * width
  let r = colOffset // start of col row (c, ki, kj)
  for (let c = 0; c < channels; c++) {
    const xc = xOffset + c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++, r += outPlane) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const xHi = endInside(padLeft, kj, strideW, width, outW, xLo)
        const n = xHi - xLo
        if (n <= 0 || yHi <= yLo) {
          zeros(col, r, r + outPlane)
          continue
        }
        zeros(col, r, r + yLo * outW)
        let src = xc + (yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj
        let dst = r + yLo * outW
        for (let oy = yLo; oy < yHi; oy++, src += rowStep, dst += outW) {
          for (let k = 0; k < xLo; k++) col[dst + k] = 0
          if (strideW === 1) copyRun(x, src, col, dst + xLo, n)
          else for (let k = 0, s = src; k < n; k++, s += strideW) col[dst + xLo + k] = x[s]
          for (let k = xHi; k < outW; k++) col[dst + k] = 0
        }
        zeros(col, dst, r + outPlane)
      }
    }
  }
}

/** col[from, to) = 0: a native fill for long runs, a loop for short ones (fill has call overhead). */
function zeros(col: FloatArray, from: number, to: number): void {
  if (to - from > 32) col.fill(0, from, to)
  else for (let k = from; k < to; k++) col[k] = 0
}

/** col[dst, dst + n) = x[src, src + n). */
function copyRun(x: FloatArray, src: number, col: FloatArray, dst: number, n: number): void {
  let k = 0
  for (; k + 7 < n; k = (k + 8) | 0) {
    const s = (src + k) | 0, d = (dst + k) | 0
    col[d] = x[s]
    col[(d + 1) | 0] = x[(s + 1) | 0]
    col[(d + 2) | 0] = x[(s + 2) | 0]
    col[(d + 3) | 0] = x[(s + 3) | 0]
    col[(d + 4) | 0] = x[(s + 4) | 0]
    col[(d + 5) | 0] = x[(s + 5) | 0]
    col[(d + 6) | 0] = x[(s + 6) | 0]
    col[(d + 7) | 0] = x[(s + 7) | 0]
  }
  for (; k < n; k = (k + 1) | 0) col[(dst + k) | 0] = x[(src + k) | 0]
}

export function col2im(
  col: FloatArray, colOffset: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  dx: FloatArray, dxOffset: number
): void {
  const plane = height * width
  const outPlane = outH * outW
  const rowStep = strideH * width
  let r = colOffset
  for (let c = 0; c < channels; c++) {
    const xc = dxOffset + c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++, r += outPlane) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const n = endInside(padLeft, kj, strideW, width, outW, xLo) - xLo
        if (n <= 0) continue
        let dst = xc + (yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj
        let src = r + yLo * outW + xLo
        for (let oy = yLo; oy < yHi; oy++, dst += rowStep, src += outW) {
          if (strideW === 1) addRun(col, src, dx, dst, n)
          else for (let k = 0, d = dst; k < n; k++, d += strideW) dx[d] += col[src + k]
        }
      }
    }
  }
}

/** dx[dst, dst + n) += col[src, src + n). */
function addRun(col: FloatArray, src: number, dx: FloatArray, dst: number, n: number): void {
  let k = 0
  for (; k + 3 < n; k = (k + 4) | 0) {
    const s = (src + k) | 0, d = (dst + k) | 0
    dx[d] += col[s]
    dx[(d + 1) | 0] += col[(s + 1) | 0]
    dx[(d + 2) | 0] += col[(s + 2) | 0]
    dx[(d + 3) | 0] += col[(s + 3) | 0]
  }
  for (; k < n; k = (k + 1) | 0) dx[(dst + k) | 0] += col[(src + k) | 0]
}
