import { describe, it, expect, beforeAll } from 'vitest'
import {
  boundingBox,
  centerOfMass,
  DigitPreprocessError,
  preprocessDigit,
  type InkImage
} from '../../src-engine/data/digit-preprocess'
import { loadBundledMnist } from '../../src-engine/node/load-dataset'
import type { Dataset } from '../../src-engine/data/dataset'

type Point = [number, number]

/**
 * Rasterizes a polyline as a round-capped stroke of the given width (bilevel ink 255, like NIST's
 * scans), points in drawing pixels. Pixel (x, y) is inked when its centre is within width/2 of a segment.
 */
function stroke(width: number, height: number, points: Point[], penWidth: number): InkImage {
  const data = new Uint8Array(width * height)
  const r2 = (penWidth / 2) ** 2
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const px = x + 0.5
      const py = y + 0.5
      for (let k = 0; k + 1 < points.length; k++) {
        if (distance2ToSegment(px, py, points[k], points[k + 1]) <= r2) {
          data[y * width + x] = 255
          break
        }
      }
    }
  }
  return { width, height, data }
}

function distance2ToSegment(px: number, py: number, [ax, ay]: Point, [bx, by]: Point): number {
  const vx = bx - ax
  const vy = by - ay
  const len2 = vx * vx + vy * vy
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((px - ax) * vx + (py - ay) * vy) / len2))
  const dx = px - (ax + t * vx)
  const dy = py - (ay + t * vy)
  return dx * dx + dy * dy
}

/** A "7" and a "2"-like zigzag, drawn in unit coordinates, then placed at (ox, oy) with size s. */
const SEVEN: Point[] = [[0.1, 0.05], [0.9, 0.05], [0.45, 0.95]]
const TWO: Point[] = [[0.15, 0.25], [0.4, 0.05], [0.75, 0.15], [0.7, 0.45], [0.15, 0.95], [0.9, 0.95]]
const ONE: Point[] = [[0.5, 0.05], [0.5, 0.95]]
const DASH: Point[] = [[0.05, 0.5], [0.95, 0.5]]

function place(shape: Point[], ox: number, oy: number, sx: number, sy = sx): Point[] {
  return shape.map(([x, y]) => [ox + x * sx, oy + y * sy])
}

/** Mean |a − b| over pixels inked in either image (the background would dilute the mean). */
function meanAbsDiffOnInk(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0
  let n = 0
  for (let i = 0; i < a.length; i++) {
    if (a[i] > 0 || b[i] > 0) {
      s += Math.abs(a[i] - b[i])
      n++
    }
  }
  return s / n
}

describe('preprocessDigit: an empty drawing', () => {
  it('gives all zeros, flagged empty', () => {
    const out = preprocessDigit({ width: 280, height: 280, data: new Float32Array(280 * 280) })
    expect(out.empty).toBe(true)
    expect(out.shape).toEqual([1, 28, 28])
    expect(out.pixels).toHaveLength(784)
    expect(out.pixels.every((v) => v === 0)).toBe(true)
    expect(out.inkBox).toBeNull()
    expect(out.centerOfMass).toBeNull()
  })

  it('ignores ink at or below the threshold', () => {
    const data = new Uint8Array(100 * 100).fill(3)
    const out = preprocessDigit({ width: 100, height: 100, data }, { threshold: 3 })
    expect(out.empty).toBe(true)
    expect(out.pixels.every((v) => v === 0)).toBe(true)
  })

  it('is empty in every channel of a 3-channel shape', () => {
    const out = preprocessDigit({ width: 10, height: 10, data: new Array(100).fill(0) }, { shape: [3, 32, 32] })
    expect(out.empty).toBe(true)
    expect(out.pixels).toHaveLength(3 * 32 * 32)
  })
})

describe('preprocessDigit: the MNIST recipe', () => {
  const drawings: [string, InkImage][] = [
    ['seven', stroke(280, 280, place(SEVEN, 40, 30, 180), 18)],
    ['two, off-centre and small', stroke(280, 280, place(TWO, 150, 20, 90, 110), 9)],
    ['one', stroke(280, 280, place(ONE, 100, 40, 200), 16)],
    ['dash', stroke(300, 200, place(DASH, 20, 60, 240, 60), 20)]
  ]

  for (const [name, drawing] of drawings) {
    it(`${name}: whole-number pixels 0..255 with the centre of mass within 0.5 px of (14, 14)`, () => {
      const out = preprocessDigit(drawing)
      expect(out.empty).toBe(false)
      expect(out.pixels.every((v) => Number.isInteger(v) && v >= 0 && v <= 255)).toBe(true)
      expect(Math.max(...out.pixels)).toBe(255)
      const com = centerOfMass(out.pixels, 28, 28)!
      expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5)
      expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5)
      expect(out.centerOfMass!.x).toBeCloseTo(com.x, 1)
      expect(out.centerOfMass!.y).toBeCloseTo(com.y, 1)
    })

    it(`${name}: the ink fits a 20×20 box, its long side filling it`, () => {
      const out = preprocessDigit(drawing)
      const box = boundingBox({ width: 28, height: 28, data: out.pixels })!
      expect(box.width).toBeLessThanOrEqual(21)
      expect(box.height).toBeLessThanOrEqual(21)
      expect(Math.max(box.width, box.height)).toBeGreaterThanOrEqual(19)
      const ink = out.inkBox!
      expect(Math.max(ink.width, ink.height) * out.scale).toBeCloseTo(20, 9)
    })

    it(`${name}: keeps the aspect ratio (within a pixel)`, () => {
      const out = preprocessDigit(drawing)
      const ink = out.inkBox!
      const box = boundingBox({ width: 28, height: 28, data: out.pixels })!
      const scale = 20 / Math.max(ink.width, ink.height)
      expect(Math.abs(box.width - ink.width * scale)).toBeLessThanOrEqual(1.5)
      expect(Math.abs(box.height - ink.height * scale)).toBeLessThanOrEqual(1.5)
    })
  }

  it('centres by the mass of the whole-number pixels it returns: 300 random scribbles within 0.5 px', () => {
    let seed = 12345
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648)
    for (let k = 0; k < 300; k++) {
      const points: Point[] = Array.from({ length: 2 + Math.floor(rand() * 5) }, () => [20 + rand() * 100, 20 + rand() * 100])
      const out = preprocessDigit(stroke(140, 140, points, 4 + rand() * 10))
      const com = centerOfMass(out.pixels, 28, 28)!
      expect(Math.max(Math.abs(com.x - 14), Math.abs(com.y - 14)), `scribble ${k}`).toBeLessThanOrEqual(0.5 + 1e-9)
      expect(out.centerOfMass).toEqual(com)
    }
  })

  it('a tall "1" becomes a narrow upright bar, a dash a flat one', () => {
    const one = preprocessDigit(stroke(280, 280, place(ONE, 100, 40, 200), 16))
    const oneBox = boundingBox({ width: 28, height: 28, data: one.pixels })!
    expect(oneBox.height).toBeGreaterThanOrEqual(19)
    expect(oneBox.width).toBeLessThanOrEqual(4)
    const dash = preprocessDigit(stroke(300, 200, place(DASH, 20, 60, 240, 60), 20))
    const dashBox = boundingBox({ width: 28, height: 28, data: dash.pixels })!
    expect(dashBox.width).toBeGreaterThanOrEqual(19)
    expect(dashBox.height).toBeLessThanOrEqual(4)
  })

  it('a shifted copy of the same stroke gives the same 28×28, a scaled one nearly the same', () => {
    const base = preprocessDigit(stroke(280, 280, place(TWO, 40, 40, 160), 14)).pixels
    const shifted = preprocessDigit(stroke(280, 280, place(TWO, 97, 11, 160), 14)).pixels
    expect(shifted).toEqual(base)
    // Twice as large on a larger canvas (pen scaled too): the same digit after area averaging.
    const scaled = preprocessDigit(stroke(560, 560, place(TWO, 150, 90, 320), 28)).pixels
    expect(meanAbsDiffOnInk(scaled, base)).toBeLessThan(12)
    // A different digit is far from it, so the bound above says something.
    const seven = preprocessDigit(stroke(280, 280, place(SEVEN, 40, 40, 160), 14)).pixels
    expect(meanAbsDiffOnInk(seven, base)).toBeGreaterThan(60)
  })

  it('accepts 0..1 float ink as well as 0..255 (the scale of the ink does not matter)', () => {
    const u8 = stroke(140, 140, place(SEVEN, 20, 10, 100), 10)
    const f32: InkImage = { ...u8, data: Float32Array.from(u8.data, (v) => v / 255) }
    expect(preprocessDigit(f32).pixels).toEqual(preprocessDigit(u8).pixels)
    // With an explicit inkMax, half-strength ink stays half as dark.
    const half = preprocessDigit(f32, { inkMax: 2 }).pixels
    expect(Math.abs(Math.max(...half) - 127.5)).toBeLessThanOrEqual(0.5)
  })

  it('generalizes to another H×W (box 20/28 of each side) and replicates the gray image over 3 channels', () => {
    const drawing = stroke(280, 280, place(SEVEN, 40, 30, 180), 18)
    const out = preprocessDigit(drawing, { shape: [3, 16, 16] })
    expect(out.shape).toEqual([3, 16, 16])
    expect(out.pixels).toHaveLength(3 * 256)
    const plane = out.pixels.slice(0, 256)
    expect(out.pixels.slice(256, 512)).toEqual(plane)
    expect(out.pixels.slice(512)).toEqual(plane)
    const com = centerOfMass(plane, 16, 16)!
    expect(Math.abs(com.x - 8)).toBeLessThanOrEqual(0.5)
    expect(Math.abs(com.y - 8)).toBeLessThanOrEqual(0.5)
    const ink = out.inkBox!
    expect(Math.max(ink.width, ink.height) * out.scale).toBeCloseTo((16 * 20) / 28, 9)
    // Non-square targets: each side's box is 20/28 of that side.
    const wide = preprocessDigit(drawing, { shape: [1, 28, 56] })
    expect(Math.max(wide.inkBox!.width * wide.scale / 40, wide.inkBox!.height * wide.scale / 20)).toBeCloseTo(1, 9)
  })

  it('rejects malformed input with a clear message', () => {
    expect(() => preprocessDigit({ width: 10, height: 10, data: new Float32Array(99) })).toThrow(/10×10 needs 100 values, got 99/)
    expect(() => preprocessDigit({ width: 0, height: 10, data: [] })).toThrow(DigitPreprocessError)
    expect(() => preprocessDigit({ width: 2, height: 1, data: [0, Number.NaN] })).toThrow(/value 1 \(x 1, y 0\) is NaN/)
    expect(() => preprocessDigit({ width: 2, height: 1, data: [0, 1] }, { shape: [28, 28] })).toThrow(/\[C, H, W\]/)
    expect(() => preprocessDigit({ width: 2, height: 1, data: [0, 1] }, { inkMax: 0 })).toThrow(/inkMax/)
  })
})

describe('preprocessDigit: a real MNIST digit, upscaled ×10 and moved, comes back', () => {
  let ds: Dataset

  beforeAll(async () => {
    ds = await loadBundledMnist()
  })

  /** Sample k as a 280×280 drawing at (ox, oy) on a 400×360 canvas, each pixel a 10×10 block. */
  function upscaled(k: number, ox: number, oy: number): InkImage {
    const width = 400
    const height = 360
    const data = new Float32Array(width * height)
    for (let y = 0; y < 280; y++) {
      for (let x = 0; x < 280; x++) data[(oy + y) * width + ox + x] = ds.images[k * 784 + Math.floor(y / 10) * 28 + Math.floor(x / 10)]
    }
    return { width, height, data }
  }

  function original(k: number): number[] {
    return Array.from(ds.images.subarray(k * 784, (k + 1) * 784))
  }

  it('MNIST made its digits this way: ink 20 pixels on the long side (all but 2 of 10,000), centre of mass within 0.5 px of (14, 14)', () => {
    const shorter: number[] = []
    for (let k = 0; k < ds.size; k++) {
      const box = boundingBox({ width: 28, height: 28, data: original(k) })!
      if (Math.max(box.width, box.height) !== 20) shorter.push(k)
      const com = centerOfMass(original(k), 28, 28)!
      expect(Math.max(Math.abs(com.x - 14), Math.abs(com.y - 14)), `sample ${k}`).toBeLessThanOrEqual(0.5)
    }
    // Two digits span 19 pixels (their faintest edge was rounded to 0 in the files).
    expect(shorter).toEqual([7107, 7549])
  })

  it('closely, for the two digits whose ink spans 19 pixels (scaled up to 20 here)', () => {
    for (const k of [7107, 7549]) {
      const out = preprocessDigit(upscaled(k, 50, 20), { inkMax: 255 })
      let diff = 0
      for (let i = 0; i < 784; i++) diff += Math.abs(out.pixels[i] - ds.images[k * 784 + i])
      expect(diff / 784, `sample ${k}`).toBeLessThan(8)
      expect(diff, `sample ${k}`).toBeGreaterThan(0)
    }
  })

  it('pixel for pixel, for the first 250 digits, wherever they are drawn', () => {
    for (let k = 0; k < 250; k++) {
      const out = preprocessDigit(upscaled(k, 3 + ((k * 37) % 110), 1 + ((k * 53) % 75)), { inkMax: 255 })
      expect(out.pixels, `sample ${k}`).toEqual(original(k))
    }
  })
})
