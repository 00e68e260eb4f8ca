/*
 * Max pooling forward/backward (f32 values, i32 argmax; byte addresses), with the exact semantics
 * of src-engine/kernels/js/pool.ts: first maximum in row-major window order, NaN wins, a window
 * entirely in the padding gives −Infinity with argmax −1.
 */

export function maxPoolForward(
  x: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, y: usize, argmax: usize
): void {
  const plane = height * width
  let o: usize = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = x + <usize>(pl * plane) * 4
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = max(y0, 0)
      const iy1 = min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o += 4) {
        const x0 = ox * strideW - padLeft
        const ix0 = max(x0, 0)
        const ix1 = min(x0 + kernelW, width)
        if (iy1 - iy0 == 2 && ix1 - ix0 == 2) {
          const i0 = iy0 * width + ix0
          const i2 = i0 + width
          const p0 = base + <usize>i0 * 4
          const p2 = base + <usize>i2 * 4
          const v1 = load<f32>(p0, 4), v2 = load<f32>(p2), v3 = load<f32>(p2, 4)
          let m = load<f32>(p0)
          let best = i0
          if (v1 > m || v1 != v1) { m = v1; best = i0 + 1 }
          if (v2 > m || v2 != v2) { m = v2; best = i2 }
          if (v3 > m || v3 != v3) { m = v3; best = i2 + 1 }
          store<f32>(y + o, m)
          store<i32>(argmax + o, best)
          continue
        }
        if (iy0 >= iy1 || ix0 >= ix1) {
          store<f32>(y + o, -Infinity)
          store<i32>(argmax + o, -1)
          continue
        }
        let best = iy0 * width + ix0
        let m = load<f32>(base + <usize>best * 4)
        for (let iy = iy0; iy < iy1; iy++) {
          const row = iy * width
          for (let ix = ix0; ix < ix1; ix++) {
            const v = load<f32>(base + <usize>(row + ix) * 4)
            if (v > m || v != v) {
              m = v
              best = row + ix
            }
          }
        }
        store<f32>(y + o, m)
        store<i32>(argmax + o, best)
      }
    }
  }
}

/** dx (planes×H×W) = 0, then dx[plane, argmax[i]] += dy[i]; argmax −1 is skipped. */
export function maxPoolBackward(dy: usize, argmax: usize, planes: i32, height: i32, width: i32, outH: i32, outW: i32, dx: usize): void {
  const plane = height * width
  const outPlane = outH * outW
  memory.fill(dx, 0, <usize>(planes * plane) * 4)
  let o: usize = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = dx + <usize>(pl * plane) * 4
    for (let e = 0; e < outPlane; e++, o += 4) {
      const a = load<i32>(argmax + o)
      if (a >= 0) {
        const d = base + <usize>a * 4
        store<f32>(d, load<f32>(d) + load<f32>(dy + o))
      }
    }
  }
}

/**
 * Average pooling (divisor kH·kW, padding counted), summing in f64 as the reference does, so the
 * results are bit-identical to src-engine/kernels/js/pool.ts.
 */
export function avgPoolForward(
  x: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, y: usize
): void {
  const plane = height * width
  const scale: f64 = 1.0 / <f64>(kernelH * kernelW)
  let o: usize = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = x + <usize>(pl * plane) * 4
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = max(y0, 0)
      const iy1 = min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o += 4) {
        const x0 = ox * strideW - padLeft
        const ix0 = max(x0, 0)
        const ix1 = min(x0 + kernelW, width)
        let s: f64 = 0
        for (let iy = iy0; iy < iy1; iy++) {
          const row = base + <usize>(iy * width) * 4
          for (let ix = ix0; ix < ix1; ix++) s += <f64>load<f32>(row + <usize>ix * 4)
        }
        store<f32>(y + o, <f32>(s * scale))
      }
    }
  }
}

/** dx = 0, then every input in window i receives dy[i] / (kH·kW) (accumulated in f32 like the reference). */
export function avgPoolBackward(
  dy: usize, planes: i32, height: i32, width: i32,
  kernelH: i32, kernelW: i32, strideH: i32, strideW: i32,
  padTop: i32, padLeft: i32, outH: i32, outW: i32, dx: usize
): void {
  const plane = height * width
  const scale: f64 = 1.0 / <f64>(kernelH * kernelW)
  memory.fill(dx, 0, <usize>(planes * plane) * 4)
  let o: usize = 0
  for (let pl = 0; pl < planes; pl++) {
    const base = dx + <usize>(pl * plane) * 4
    for (let oy = 0; oy < outH; oy++) {
      const y0 = oy * strideH - padTop
      const iy0 = max(y0, 0)
      const iy1 = min(y0 + kernelH, height)
      for (let ox = 0; ox < outW; ox++, o += 4) {
        const x0 = ox * strideW - padLeft
        const ix0 = max(x0, 0)
        const ix1 = min(x0 + kernelW, width)
        const g = <f64>load<f32>(dy + o) * scale
        for (let iy = iy0; iy < iy1; iy++) {
          const row = base + <usize>(iy * width) * 4
          for (let ix = ix0; ix < ix1; ix++) {
            const d = row + <usize>ix * 4
            store<f32>(d, <f32>(<f64>load<f32>(d) + g))
          }
        }
      }
    }
  }
}
