import { describe, it, expect } from 'vitest'
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from '../../src-engine/kernels/js/pool'
import { makeRandom, randomArray } from '../helpers/random'

interface Pool {
  planes: number; height: number; width: number
  kernelH: number; kernelW: number; strideH: number; strideW: number
  padTop: number; padLeft: number; outH: number; outW: number
}

function pool(
  planes: number, height: number, width: number, kernelH: number, kernelW: number, strideH: number, strideW: number,
  padTop: number, padBottom: number, padLeft: number, padRight: number
): Pool {
  const outH = Math.floor((height + padTop + padBottom - kernelH) / strideH) + 1
  const outW = Math.floor((width + padLeft + padRight - kernelW) / strideW) + 1
  return { planes, height, width, kernelH, kernelW, strideH, strideW, padTop, padLeft, outH, outW }
}

const CASES: Pool[] = [
  pool(3, 28, 28, 2, 2, 2, 2, 0, 0, 0, 0), // LeNet
  pool(2, 7, 7, 2, 2, 2, 2, 0, 0, 0, 0), // odd size, last row/col dropped
  pool(2, 7, 6, 3, 3, 2, 2, 1, 1, 1, 1), // overlapping, padded
  pool(1, 5, 5, 3, 3, 1, 1, 1, 1, 1, 1), // stride 1
  pool(2, 6, 5, 2, 3, 1, 2, 1, 0, 0, 1), // asymmetric padding, rectangular window
  pool(1, 8, 8, 2, 2, 3, 3, 0, 0, 0, 0), // stride > size (skipped pixels)
  pool(1, 7, 7, 3, 3, 2, 2, 0, 1, 0, 1) // padding only at bottom/right (ceil-mode style)
]

function describePool(p: Pool): string {
  return `${p.planes}×${p.height}×${p.width} k${p.kernelH}×${p.kernelW} s${p.strideH},${p.strideW} ` +
    `pad t${p.padTop} l${p.padLeft} → ${p.outH}×${p.outW}`
}

/** Scans the full kH×kW window, reading −Infinity (max) or 0 (avg) in the padding. */
function naiveForward(x: ArrayLike<number>, p: Pool, kind: 'max' | 'avg'): { y: number[]; argmax: number[] } {
  const y: number[] = []
  const argmax: number[] = []
  for (let pl = 0; pl < p.planes; pl++) {
    for (let oy = 0; oy < p.outH; oy++) {
      for (let ox = 0; ox < p.outW; ox++) {
        let m = -Infinity
        let best = -1
        let s = 0
        for (let ki = 0; ki < p.kernelH; ki++) {
          for (let kj = 0; kj < p.kernelW; kj++) {
            const iy = oy * p.strideH - p.padTop + ki
            const ix = ox * p.strideW - p.padLeft + kj
            const inside = iy >= 0 && iy < p.height && ix >= 0 && ix < p.width
            const v = inside ? x[(pl * p.height + iy) * p.width + ix] : kind === 'max' ? -Infinity : 0
            s += v
            if (inside && (best < 0 || v > m)) {
              m = v
              best = iy * p.width + ix
            }
          }
        }
        y.push(kind === 'max' ? m : s / (p.kernelH * p.kernelW))
        argmax.push(best)
      }
    }
  }
  return { y, argmax }
}

function randomX(p: Pool, seed: number, Type: Float32ArrayConstructor | Float64ArrayConstructor): Float32Array | Float64Array {
  const rnd = makeRandom(seed)
  const x = new Type(p.planes * p.height * p.width)
  // Quantised values so windows contain ties (the first maximum must win).
  for (let i = 0; i < x.length; i++) x[i] = Math.round(rnd() * 4) / 4
  return x
}

describe('js pooling', () => {
  for (const p of CASES) {
    const outLen = p.planes * p.outH * p.outW
    const inLen = p.planes * p.height * p.width

    it(`max pool forward/backward: ${describePool(p)}`, () => {
      for (const Type of [Float64Array, Float32Array]) {
        const x = randomX(p, inLen, Type)
        const y = new Type(outLen).fill(NaN)
        const argmax = new Int32Array(outLen).fill(-7)
        maxPoolForward(x, p.planes, p.height, p.width, p.kernelH, p.kernelW, p.strideH, p.strideW,
          p.padTop, p.padLeft, p.outH, p.outW, y, argmax)
        const ref = naiveForward(x, p, 'max')
        expect(Array.from(y)).toEqual(ref.y)
        expect(Array.from(argmax)).toEqual(ref.argmax)

        const rnd = makeRandom(outLen)
        const dy = new Type(outLen)
        for (let i = 0; i < outLen; i++) dy[i] = rnd()
        const dx = new Type(inLen).fill(NaN) // must be overwritten, not accumulated into
        maxPoolBackward(dy, argmax, p.planes, p.height, p.width, p.outH, p.outW, dx)
        const expected = new Float64Array(inLen)
        for (let i = 0; i < outLen; i++) {
          const pl = Math.floor(i / (p.outH * p.outW))
          expected[pl * p.height * p.width + ref.argmax[i]] += dy[i]
        }
        for (let i = 0; i < inLen; i++) expect(dx[i]).toBeCloseTo(expected[i], 6)
      }
    })

    it(`avg pool forward/backward (divisor kH·kW): ${describePool(p)}`, () => {
      for (const Type of [Float64Array, Float32Array]) {
        const x = randomX(p, inLen + 1, Type)
        const y = new Type(outLen).fill(NaN)
        avgPoolForward(x, p.planes, p.height, p.width, p.kernelH, p.kernelW, p.strideH, p.strideW,
          p.padTop, p.padLeft, p.outH, p.outW, y)
        const ref = naiveForward(x, p, 'avg')
        for (let i = 0; i < outLen; i++) expect(y[i]).toBeCloseTo(ref.y[i], 6)
      }
      // Backward is the adjoint of the (linear) forward: <avg(x), g> = <x, avgBackward(g)>.
      const rnd = makeRandom(3 * inLen)
      const x = randomArray('float64', inLen, rnd)
      const g = randomArray('float64', outLen, rnd)
      const y = new Float64Array(outLen)
      avgPoolForward(x, p.planes, p.height, p.width, p.kernelH, p.kernelW, p.strideH, p.strideW,
        p.padTop, p.padLeft, p.outH, p.outW, y)
      const dx = new Float64Array(inLen).fill(NaN)
      avgPoolBackward(g, p.planes, p.height, p.width, p.kernelH, p.kernelW, p.strideH, p.strideW,
        p.padTop, p.padLeft, p.outH, p.outW, dx)
      let lhs = 0
      let rhs = 0
      for (let i = 0; i < outLen; i++) lhs += y[i] * g[i]
      for (let i = 0; i < inLen; i++) rhs += x[i] * dx[i]
      expect(Math.abs(lhs - rhs)).toBeLessThan(1e-12 * Math.max(1, Math.abs(lhs)))
    })
  }

  it('max pool propagates NaN like PyTorch and keeps −Infinity inputs', () => {
    const x = new Float64Array([1, NaN, 3, 2, -Infinity, -Infinity, -Infinity, -Infinity])
    const y = new Float64Array(2)
    const argmax = new Int32Array(2)
    // Two 2×2 windows over a 2×4 plane.
    maxPoolForward(x, 1, 2, 4, 2, 2, 2, 2, 0, 0, 1, 2, y, argmax)
    expect(y[0]).toBeNaN()
    expect(argmax[0]).toBe(1)
    expect(y[1]).toBe(3)
    expect(argmax[1]).toBe(2)
    const allInf = new Float64Array(4).fill(-Infinity)
    maxPoolForward(allInf, 1, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, y, argmax)
    expect(y[0]).toBe(-Infinity)
    expect(argmax[0]).toBe(0) // the first in-image position, as in PyTorch
  })
})
