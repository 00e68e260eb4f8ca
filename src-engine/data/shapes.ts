/**
 * A small generated dataset for fast tests and demos: one-channel images of four shapes (square,
 * circle, triangle, cross) at random positions, sizes and brightness on a black background.
 * Pixel values are whole numbers 0..255 like real image data. Deterministic for a seed.
 */
import { createRng, shuffleInPlace, type Rng } from '../core/rng'
import type { Dataset } from './dataset'

export const SHAPE_CLASSES = ['square', 'circle', 'triangle', 'cross'] as const

export interface ShapesOptions {
  count: number
  /** Image width and height in pixels (default 16, at least 8). */
  size?: number
  seed: number
  /** Std of Gaussian pixel noise in pixel units (0..255 scale); default 0. Values are clamped. */
  noise?: number
}

// Supersampling factor per axis for anti-aliased edges.
const SUB = 4

type Inside = (dx: number, dy: number, r: number) => boolean

/** Point tests relative to the shape centre, for a shape of half-size r. */
const INSIDE: Record<(typeof SHAPE_CLASSES)[number], Inside> = {
  square: (dx, dy, r) => Math.abs(dx) <= r && Math.abs(dy) <= r,
  circle: (dx, dy, r) => dx * dx + dy * dy <= r * r,
  // Upward isosceles triangle: apex at (0, -r), base from (-r, r) to (r, r).
  triangle: (dx, dy, r) => dy >= -r && dy <= r && Math.abs(dx) <= (dy + r) / 2,
  cross: (dx, dy, r) => {
    const t = Math.max(0.8, 0.3 * r)
    return (Math.abs(dx) <= t && Math.abs(dy) <= r) || (Math.abs(dy) <= t && Math.abs(dx) <= r)
  }
}

export function makeShapesDataset(options: ShapesOptions): Dataset {
  const { count, seed } = options
  const size = options.size ?? 16
  const noise = options.noise ?? 0
  checkOptions(count, size, noise)
  const rng = createRng(seed)
  const labels = balancedLabels(count, SHAPE_CLASSES.length, rng)
  const images = new Float32Array(count * size * size)
  for (let i = 0; i < count; i++) {
    drawShape(images.subarray(i * size * size, (i + 1) * size * size), size, INSIDE[SHAPE_CLASSES[labels[i]]], rng)
    if (noise > 0) addPixelNoise(images.subarray(i * size * size, (i + 1) * size * size), noise, rng)
  }
  return {
    name: `shapes-${size}px`,
    inputShape: [1, size, size],
    numClasses: SHAPE_CLASSES.length,
    classNames: [...SHAPE_CLASSES],
    images,
    labels,
    size: count
  }
}

function checkOptions(count: number, size: number, noise: number): void {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`shapes: count must be an integer >= 1, got ${count}`)
  if (!Number.isInteger(size) || size < 8) throw new RangeError(`shapes: size must be an integer >= 8, got ${size}`)
  if (!(noise >= 0 && Number.isFinite(noise))) throw new RangeError(`shapes: noise must be >= 0, got ${noise}`)
}

/** Class i % k for each sample (counts differ by at most one), then shuffled. */
function balancedLabels(count: number, k: number, rng: Rng): Int32Array {
  const labels = Int32Array.from({ length: count }, (_, i) => i % k)
  shuffleInPlace(labels, rng)
  return labels
}

/** Draws one anti-aliased shape at a random position, size and brightness. */
function drawShape(out: Float32Array, size: number, inside: Inside, rng: Rng): void {
  const r = size * (0.2 + 0.18 * rng.nextFloat())
  // Keep the whole shape inside the image.
  const cx = r + rng.nextFloat() * (size - 2 * r)
  const cy = r + rng.nextFloat() * (size - 2 * r)
  const brightness = 160 + 95 * rng.nextFloat()
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const coverage = pixelCoverage(x, y, cx, cy, r, inside)
      out[y * size + x] = Math.round(brightness * coverage)
    }
  }
}

function pixelCoverage(x: number, y: number, cx: number, cy: number, r: number, inside: Inside): number {
  let hits = 0
  for (let sy = 0; sy < SUB; sy++) {
    for (let sx = 0; sx < SUB; sx++) {
      if (inside(x + (sx + 0.5) / SUB - cx, y + (sy + 0.5) / SUB - cy, r)) hits++
    }
  }
  return hits / (SUB * SUB)
}

function addPixelNoise(out: Float32Array, std: number, rng: Rng): void {
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(255, Math.max(0, Math.round(out[i] + std * rng.nextNormal())))
  }
}
