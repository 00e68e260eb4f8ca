import { describe, it, expect } from 'vitest'
import { col2im, im2col } from '../../src-engine/kernels/js/im2col'
import type { FloatArray } from '../../src-engine/core/tensor'
import { makeRandom, randomArray } from '../helpers/random'

interface Conv {
  channels: number; height: number; width: number
  kernelH: number; kernelW: number; strideH: number; strideW: number
  padTop: number; padBottom: number; padLeft: number; padRight: number
}

function outSize(c: Conv): [number, number] {
  return [
    Math.floor((c.height + c.padTop + c.padBottom - c.kernelH) / c.strideH) + 1,
    Math.floor((c.width + c.padLeft + c.padRight - c.kernelW) / c.strideW) + 1
  ]
}

function conv(
  channels: number, height: number, width: number, kernelH: number, kernelW: number,
  strideH: number, strideW: number, padTop: number, padBottom: number, padLeft: number, padRight: number
): Conv {
  return { channels, height, width, kernelH, kernelW, strideH, strideW, padTop, padBottom, padLeft, padRight }
}

const CASES: Conv[] = [
  conv(1, 5, 5, 3, 3, 1, 1, 0, 0, 0, 0), // valid
  conv(2, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1), // same
  conv(3, 8, 9, 3, 3, 2, 2, 1, 1, 1, 1), // stride 2, kernel > stride
  conv(2, 7, 7, 3, 3, 2, 2, 1, 0, 0, 1), // asymmetric padding (TF "SAME" style)
  conv(1, 6, 5, 2, 4, 1, 2, 0, 1, 2, 1), // rectangular kernel, different strides
  conv(4, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0), // 1×1
  conv(3, 9, 8, 1, 1, 2, 2, 0, 0, 0, 0), // 1×1 stride 2
  conv(1, 28, 28, 5, 5, 1, 1, 2, 2, 2, 2), // LeNet conv1
  conv(6, 14, 14, 5, 5, 1, 1, 0, 0, 0, 0), // LeNet conv2
  conv(2, 3, 4, 5, 5, 1, 1, 2, 2, 2, 2), // kernel larger than the image
  conv(1, 5, 5, 2, 2, 3, 3, 0, 0, 0, 0), // stride > kernel (skipped pixels)
  conv(2, 4, 4, 3, 3, 1, 1, 3, 0, 0, 3), // padding ≥ kernel: whole rows/cols of zeros
  conv(1, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1) // single pixel
]

/** The definition: col[(c·kH + ki)·kW + kj, oy·outW + ox] = x[c, oy·sH − padTop + ki, ox·sW − padLeft + kj]. */
function naiveIm2col(x: ArrayLike<number>, xOffset: number, c: Conv): Float64Array {
  const [outH, outW] = outSize(c)
  const col = new Float64Array(c.channels * c.kernelH * c.kernelW * outH * outW)
  for (let ch = 0; ch < c.channels; ch++) {
    for (let ki = 0; ki < c.kernelH; ki++) {
      for (let kj = 0; kj < c.kernelW; kj++) {
        const row = (ch * c.kernelH + ki) * c.kernelW + kj
        for (let oy = 0; oy < outH; oy++) {
          for (let ox = 0; ox < outW; ox++) {
            const iy = oy * c.strideH - c.padTop + ki
            const ix = ox * c.strideW - c.padLeft + kj
            const inside = iy >= 0 && iy < c.height && ix >= 0 && ix < c.width
            col[row * outH * outW + oy * outW + ox] = inside ? x[xOffset + (ch * c.height + iy) * c.width + ix] : 0
          }
        }
      }
    }
  }
  return col
}

function runIm2col(x: FloatArray, xOffset: number, c: Conv, col: FloatArray, colOffset: number): void {
  const [outH, outW] = outSize(c)
  im2col(x, xOffset, c.channels, c.height, c.width, c.kernelH, c.kernelW, c.strideH, c.strideW,
    c.padTop, c.padLeft, outH, outW, col, colOffset)
}

function runCol2im(col: FloatArray, colOffset: number, c: Conv, dx: FloatArray, dxOffset: number): void {
  const [outH, outW] = outSize(c)
  col2im(col, colOffset, c.channels, c.height, c.width, c.kernelH, c.kernelW, c.strideH, c.strideW,
    c.padTop, c.padLeft, outH, outW, dx, dxOffset)
}

function describeConv(c: Conv): string {
  return `C${c.channels} ${c.height}×${c.width} k${c.kernelH}×${c.kernelW} s${c.strideH},${c.strideW} ` +
    `pad t${c.padTop} b${c.padBottom} l${c.padLeft} r${c.padRight}`
}

describe('js im2col / col2im', () => {
  for (const c of CASES) {
    const [outH, outW] = outSize(c)
    const xLen = c.channels * c.height * c.width
    const colLen = c.channels * c.kernelH * c.kernelW * outH * outW

    it(`im2col matches the definition: ${describeConv(c)}`, () => {
      const rnd = makeRandom(xLen + colLen)
      for (const Type of [Float64Array, Float32Array]) {
        const xOffset = 3
        const colOffset = 5
        const x = new Type(xOffset + xLen + 2)
        for (let i = 0; i < x.length; i++) x[i] = rnd()
        const col = new Type(colOffset + colLen + 4).fill(NaN) // every col element must be written
        runIm2col(x, xOffset, c, col, colOffset)
        const expected = naiveIm2col(x, xOffset, c)
        expect(Array.from(col.subarray(colOffset, colOffset + colLen))).toEqual(Array.from(expected))
        // Nothing written outside [colOffset, colOffset + colLen).
        for (let i = 0; i < colOffset; i++) expect(col[i]).toBeNaN()
        for (let i = colOffset + colLen; i < col.length; i++) expect(col[i]).toBeNaN()
      }
    })

    it(`col2im is the adjoint of im2col and adds into dx: ${describeConv(c)}`, () => {
      const rnd = makeRandom(7 * xLen + colLen)
      const x = randomArray('float64', xLen, rnd)
      const g = randomArray('float64', colLen, rnd)

      const col = new Float64Array(colLen)
      runIm2col(x, 0, c, col, 0)
      let lhs = 0
      for (let i = 0; i < colLen; i++) lhs += col[i] * g[i]

      // col2im with offsets into a dx that already holds values: it must add, not overwrite.
      const dxOffset = 2
      const colOffset = 3
      const gPadded = new Float64Array(colOffset + colLen)
      gPadded.set(g, colOffset)
      const before = new Float64Array(dxOffset + xLen + 2)
      for (let i = 0; i < before.length; i++) before[i] = rnd()
      const dx = before.slice()
      runCol2im(gPadded, colOffset, c, dx, dxOffset)
      let rhs = 0
      for (let i = 0; i < xLen; i++) rhs += x[i] * (dx[dxOffset + i] - before[dxOffset + i])
      expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(lhs)))
      for (let i = 0; i < dxOffset; i++) expect(dx[i]).toBe(before[i])
      for (let i = dxOffset + xLen; i < dx.length; i++) expect(dx[i]).toBe(before[i])

      // And element-wise against the scatter definition, in float32 too.
      const ref = new Float64Array(xLen)
      for (let ch = 0; ch < c.channels; ch++) {
        for (let ki = 0; ki < c.kernelH; ki++) {
          for (let kj = 0; kj < c.kernelW; kj++) {
            const row = (ch * c.kernelH + ki) * c.kernelW + kj
            for (let oy = 0; oy < outH; oy++) {
              for (let ox = 0; ox < outW; ox++) {
                const iy = oy * c.strideH - c.padTop + ki
                const ix = ox * c.strideW - c.padLeft + kj
                if (iy >= 0 && iy < c.height && ix >= 0 && ix < c.width) {
                  ref[(ch * c.height + iy) * c.width + ix] += g[row * outH * outW + oy * outW + ox]
                }
              }
            }
          }
        }
      }
      const g32 = Float32Array.from(g)
      const dx32 = new Float32Array(xLen)
      runCol2im(g32, 0, c, dx32, 0)
      for (let i = 0; i < xLen; i++) expect(Math.abs(dx32[i] - ref[i])).toBeLessThan(1e-5)
    })
  }
})
