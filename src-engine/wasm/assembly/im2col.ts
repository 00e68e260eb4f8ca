/*
 * im2col / col2im for one image (the contract of Kernels.im2col / col2im). Pointers are byte
 * addresses. Row r = (c·kH + ki)·kW + kj of col holds x[c, oy·sH − padTop + ki, ox·sW − padLeft + kj]
 * for every output position (0 outside the image). For a kernel offset (ki, kj) the in-image output
 * rows form one range [yLo, yHi) and columns one range [xLo, xHi), so whole runs are copied
 * (memory.copy for stride 1) or added (f32x4) with no per-element bounds tests.
 */

/** First output index o ≥ 0 with o·stride − pad + k ≥ 0 (clamped to outSize). */
// @ts-ignore: decorator
@inline function firstInside(pad: i32, k: i32, stride: i32, outSize: i32): i32 {
  const lo = pad - k > 0 ? (pad - k + stride - 1) / stride : 0
  return min(lo, outSize)
}

/** One past the last output index o with o·stride − pad + k ≤ size − 1 (clamped to [lo, outSize]). */
// @ts-ignore: decorator
@inline function endInside(pad: i32, k: i32, stride: i32, size: i32, outSize: i32, lo: i32): i32 {
  const last = size - 1 + pad - k
  if (last < 0) return lo
  return max(lo, min(outSize, last / stride + 1))
}

export function im2col(
  x: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, col: usize
): void {
  const plane = <usize>(height * width) * 4
  const outPlane = <usize>(outH * outW) * 4
  const rowStep = <usize>(strideH * width) * 4
  const outRow = <usize>outW * 4
  let r = col
  for (let c = 0; c < channels; c++) {
    const xc = x + <usize>c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++, r += outPlane) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const xHi = endInside(padLeft, kj, strideW, width, outW, xLo)
        const n = xHi - xLo
        if (n <= 0 || yHi <= yLo) {
          memory.fill(r, 0, outPlane)
          continue
        }
        memory.fill(r, 0, <usize>yLo * outRow)
        let src = xc + <usize>((yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj) * 4
        let dst = r + <usize>yLo * outRow
        const head = <usize>xLo * 4
        const tail = <usize>(outW - xHi) * 4
        for (let oy = yLo; oy < yHi; oy++, src += rowStep, dst += outRow) {
          // Runs are short (an output row): inline loops beat memory.copy / memory.fill's call.
          for (let z: usize = 0; z < head; z += 4) store<f32>(dst + z, 0)
          if (strideW == 1) copyRun(dst + head, src, <usize>n * 4)
          else {
            const sw = <usize>strideW * 4
            for (let k = 0, s = src, d = dst + head; k < n; k++, s += sw, d += 4) store<f32>(d, load<f32>(s))
          }
          const t = dst + head + <usize>n * 4
          for (let z: usize = 0; z < tail; z += 4) store<f32>(t + z, 0)
        }
        memory.fill(dst, 0, r + outPlane - dst)
      }
    }
  }
}

export function col2im(
  col: usize, channels: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, dx: usize
): void {
  const plane = <usize>(height * width) * 4
  const outPlane = <usize>(outH * outW) * 4
  const rowStep = <usize>(strideH * width) * 4
  const outRow = <usize>outW * 4
  let r = col
  for (let c = 0; c < channels; c++) {
    const xc = dx + <usize>c * plane
    for (let ki = 0; ki < kernelH; ki++) {
      const yLo = firstInside(padTop, ki, strideH, outH)
      const yHi = endInside(padTop, ki, strideH, height, outH, yLo)
      for (let kj = 0; kj < kernelW; kj++, r += outPlane) {
        const xLo = firstInside(padLeft, kj, strideW, outW)
        const n = endInside(padLeft, kj, strideW, width, outW, xLo) - xLo
        if (n <= 0) continue
        let dst = xc + <usize>((yLo * strideH - padTop + ki) * width + xLo * strideW - padLeft + kj) * 4
        let src = r + <usize>yLo * outRow + <usize>xLo * 4
        for (let oy = yLo; oy < yHi; oy++, dst += rowStep, src += outRow) {
          if (strideW == 1) addRun(src, dst, n)
          else {
            const sw = <usize>strideW * 4
            for (let k = 0, s = src, d = dst; k < n; k++, s += 4, d += sw) store<f32>(d, load<f32>(d) + load<f32>(s))
          }
        }
      }
    }
  }
}

/** Copies `bytes` (a multiple of 4) from src to dst, 16 bytes at a time. */
// @ts-ignore: decorator
@inline function copyRun(dst: usize, src: usize, bytes: usize): void {
  let k: usize = 0
  for (; k + 16 <= bytes; k += 16) v128.store(dst + k, v128.load(src + k))
  for (; k < bytes; k += 4) store<f32>(dst + k, load<f32>(src + k))
}

/** dst[0, n) += src[0, n) (f32). */
// @ts-ignore: decorator
@inline function addRun(src: usize, dst: usize, n: i32): void {
  let k = 0
  for (; k + 3 < n; k += 4) {
    const o = <usize>k * 4
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)))
  }
  for (; k < n; k++) {
    const o = <usize>k * 4
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o))
  }
}
