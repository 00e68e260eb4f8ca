/**
 * The ink of a drawn digit, kept as numbers (0..1 per pixel) rather than read back from a canvas: the
 * input the model sees then does not depend on a browser's canvas rasterizer, and tests can draw
 * without one. A stroke is a chain of round-capped segments of radius r; a pixel's ink is its
 * anti-aliased coverage, clamp(r + ½ − distance from its centre to the stroke, 0, 1), the darker of
 * overlapping strokes winning (ink does not add up, as with a pen).
 */
import type { InkImage } from '../../../src-engine/data/digit-preprocess'

/** The drawing pad's side in pixels (MNIST's 28 × 10). */
export const PAD_SIZE = 280
/**
 * The pen's radius on the pad. MNIST strokes are about 2.4 px wide in the 20-px box (its mean digit has
 * ~100 px of full ink along ~45 px of stroke); a digit drawn ~190 px tall is scaled by 20/190, so a
 * 22-px pen gives that width.
 */
export const PEN_RADIUS = 11

export class InkRaster {
  readonly data: Float32Array
  private inked = false

  constructor(
    readonly width: number,
    readonly height: number,
    readonly radius: number
  ) {
    this.data = new Float32Array(width * height)
  }

  get empty(): boolean {
    return !this.inked
  }

  clear(): void {
    this.data.fill(0)
    this.inked = false
  }

  /** A dot: a segment of length 0. */
  dot(x: number, y: number): void {
    this.segment(x, y, x, y)
  }

  /** Inks the capsule around the segment (ax, ay)–(bx, by), in pixel coordinates (pixel i spans [i, i+1)). */
  segment(ax: number, ay: number, bx: number, by: number): void {
    const r = this.radius
    const reach = r + 1
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach))
    const x1 = Math.min(this.width - 1, Math.ceil(Math.max(ax, bx) + reach))
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach))
    const y1 = Math.min(this.height - 1, Math.ceil(Math.max(ay, by) + reach))
    const vx = bx - ax
    const vy = by - ay
    const len2 = vx * vx + vy * vy
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5 - ax
        const py = y + 0.5 - ay
        const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, (px * vx + py * vy) / len2))
        const dx = px - t * vx
        const dy = py - t * vy
        const cover = r + 0.5 - Math.sqrt(dx * dx + dy * dy)
        if (cover <= 0) continue
        const v = cover >= 1 ? 1 : cover
        const i = y * this.width + x
        if (v > this.data[i]) this.data[i] = v
        this.inked = true
      }
    }
  }

  /** The drawing as preprocessDigit takes it (1 = full ink). */
  image(): InkImage {
    return { width: this.width, height: this.height, data: this.data }
  }
}
