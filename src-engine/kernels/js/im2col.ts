import type { FloatArray } from '../../core/tensor'

/*
 * im2col / col2im for one image. Row r = (c·kH + ki)·kW + kj of col holds, for every output
 * position (oy, ox), the input x[c, oy·strideH − padTop + ki, ox·strideW − padLeft + kj] (0 outside).
 *
 * Both walk col row by row. For a given kernel column kj the in-bounds output columns form one
 * contiguous range [oxLo, oxHi) that does not depend on c, ki or oy, so it is computed once per
 * row and the inner loops carry no bounds tests: zeros (im2col only) / copy-or-add / zeros.
 */

/** First ox ≥ 0 with ox·stride − pad + k ≥ 0, i.e. the first output column inside the image. */
function firstInside(pad: number, k: number, stride: number, outSize: number): number {
  const lo = pad - k > 0 ? Math.ceil((pad - k) / stride) : 0
  return Math.min(lo, outSize)
}

/** One past the last ox with ox·stride − pad + k ≤ size − 1 (clamped to [lo, outSize]). */
function endInside(pad: number, k: number, stride: number, size: number, outSize: number, lo: number): number {
  const last = size - 1 + pad - k // ox·stride ≤ last
  if (last < 0) return lo
  return Math.max(lo, Math.min(outSize, Math.floor(last / stride) + 1))
}

export function im2col(
  x: FloatArray, xOffset: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  col: FloatArray, colOffset: number
): void {
  const plane = height * width
  let o = colOffset // write cursor: col is filled strictly in order
  for (let c = 0; c < channels; c++) {
    const xc = xOffset + c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      // Output rows whose input row iy = oy·strideH − padTop + ki lies inside the image.
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const xHi = endInside(padLeft, kj, strideW, width, outW, xLo)
        // Rows above / below the image are all zeros.
        for (let n = yLo * outW; n > 0; n--) col[o++] = 0
        let src = xc + (yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj
        const rowStep = strideH * width
        for (let oy = yLo; oy < yHi; oy++, src += rowStep) {
          for (let ox = 0; ox < xLo; ox++) col[o++] = 0
          if (strideW === 1) {
            for (let s = src, e = src + (xHi - xLo); s < e; s++) col[o++] = x[s]
          } else {
            for (let ox = xLo, s = src; ox < xHi; ox++, s += strideW) col[o++] = x[s]
          }
          for (let ox = xHi; ox < outW; ox++) col[o++] = 0
        }
        for (let n = (outH - yHi) * outW; n > 0; n--) col[o++] = 0
      }
    }
  }
}

export function col2im(
  col: FloatArray, colOffset: number, channels: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  dx: FloatArray, dxOffset: number
): void {
  const plane = height * width
  const outPlane = outH * outW
  let r = colOffset // start of the current col row
  for (let c = 0; c < channels; c++) {
    const xc = dxOffset + c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++, r += outPlane) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const xHi = endInside(padLeft, kj, strideW, width, outW, xLo)
        const n = xHi - xLo
        if (n <= 0) continue
        let dst = xc + (yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj
        const rowStep = strideH * width
        for (let oy = yLo, s = r + yLo * outW + xLo; oy < yHi; oy++, dst += rowStep, s += outW) {
          if (strideW === 1) {
            for (let k = 0; k < n; k++) dx[dst + k] += col[s + k]
          } else {
            for (let k = 0, d = dst; k < n; k++, d += strideW) dx[d] += col[s + k]
          }
        }
      }
    }
  }
}
