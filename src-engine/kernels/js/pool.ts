import type { FloatArray } from '../../core/tensor'

/*
 * 2-D pooling over `planes` independent H×W planes (N·C of them), outputs planes×outH×outW.
 * Window (oy, ox) covers input rows oy·strideH − padTop + [0, kH) and columns
 * ox·strideW − padLeft + [0, kW); the part outside the image is padding. Windows are clipped to
 * the image once per output row / column, so the inner loops carry no bounds tests.
 */

/**
 * Max pooling; padding acts as −Infinity. Like PyTorch, the first maximum in row-major window order
 * wins and NaN propagates (the last NaN in the window is the max). A window lying entirely in the padding
 * (not possible with PyTorch's pad ≤ kernel/2 rule) yields −Infinity with argmax −1.
 */
export function maxPoolForward(
  x: FloatArray, planes: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  y: FloatArray, argmax: Int32Array
): void {
  const plane = height * width
  let o = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * plane
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = y0 > 0 ? y0 : 0
      const iy1 = Math.min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft
        const ix0 = x0 > 0 ? x0 : 0
        const ix1 = Math.min(x0 + kernelW, width)
        if (iy1 - iy0 === 2 && ix1 - ix0 === 2) {
          // The common 2×2 window unrolled (~1.7× faster), same order and tie / NaN rules.
          const i0 = iy0 * width + ix0
          const i2 = i0 + width
          const v0 = x[base + i0], v1 = x[base + i0 + 1], v2 = x[base + i2], v3 = x[base + i2 + 1]
          let m = v0
          let best = i0
          if (v1 > m || v1 !== v1) { m = v1; best = i0 + 1 }
          if (v2 > m || v2 !== v2) { m = v2; best = i2 }
          if (v3 > m || v3 !== v3) { m = v3; best = i2 + 1 }
          y[o] = m
          argmax[o] = best
          continue
        }
        if (iy0 >= iy1 || ix0 >= ix1) {
          y[o] = -Infinity
          argmax[o] = -1
          continue
        }
        let best = iy0 * width + ix0
        let m = x[base + best]
        for (let iy = iy0; iy < iy1; iy++) {
          const row = iy * width
          for (let ix = ix0; ix < ix1; ix++) {
            const v = x[base + row + ix]
            // Same test as PyTorch's CPU kernel: `v !== v` (NaN) always wins.
            if (v > m || v !== v) {
              m = v
              best = row + ix
            }
          }
        }
        y[o] = m
        argmax[o] = best
      }
    }
  }
}

/** dx (planes×H×W) = 0, then dx[plane, argmax[i]] += dy[i]. Entries with argmax −1 are skipped. */
export function maxPoolBackward(
  dy: FloatArray, argmax: Int32Array, planes: number, height: number, width: number,
  outH: number, outW: number, dx: FloatArray
): void {
  const plane = height * width
  const outPlane = outH * outW
  dx.fill(0, 0, planes * plane)
  let o = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * plane
    for (let e = o + outPlane; o < e; o++) {
      const a = argmax[o]
      if (a >= 0) dx[base + a] += dy[o]
    }
  }
}

/** Average pooling; the divisor is always kH·kW (zero padding counts, count_include_pad=True). */
export function avgPoolForward(
  x: FloatArray, planes: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  y: FloatArray
): void {
  const plane = height * width
  const scale = 1 / (kernelH * kernelW)
  let o = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * plane
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = y0 > 0 ? y0 : 0
      const iy1 = Math.min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft
        const ix0 = x0 > 0 ? x0 : 0
        const ix1 = Math.min(x0 + kernelW, width)
        if (iy1 - iy0 === 2 && ix1 - ix0 === 2) {
          const i0 = base + iy0 * width + ix0
          y[o] = (x[i0] + x[i0 + 1] + x[i0 + width] + x[i0 + width + 1]) * scale
          continue
        }
        let s = 0
        for (let iy = iy0; iy < iy1; iy++) {
          const row = base + iy * width
          for (let ix = ix0; ix < ix1; ix++) s += x[row + ix]
        }
        y[o] = s * scale
      }
    }
  }
}

/** dx = 0, then every input in window i receives dy[i] / (kH·kW). */
export function avgPoolBackward(
  dy: FloatArray, planes: number, height: number, width: number,
  kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padLeft: number, outH: number, outW: number,
  dx: FloatArray
): void {
  const plane = height * width
  const scale = 1 / (kernelH * kernelW)
  dx.fill(0, 0, planes * plane)
  let o = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * plane
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = y0 > 0 ? y0 : 0
      const iy1 = Math.min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o++) {
        const x0 = ox * strideW - padLeft
        const ix0 = x0 > 0 ? x0 : 0
        const ix1 = Math.min(x0 + kernelW, width)
        const g = dy[o] * scale
        if (iy1 - iy0 === 2 && ix1 - ix0 === 2) {
          const i0 = base + iy0 * width + ix0
          dx[i0] += g
          dx[i0 + 1] += g
          dx[i0 + width] += g
          dx[i0 + width + 1] += g
          continue
        }
        for (let iy = iy0; iy < iy1; iy++) {
          const row = base + iy * width
          for (let ix = ix0; ix < ix1; ix++) dx[row + ix] += g
        }
      }
    }
  }
}
