/**
 * The numbers behind the "Inside" views, as pure functions: kernels and activations turned into RGBA
 * images, histograms re-binned onto one axis, confusion-matrix shading. Components only paint what
 * these return, so tests check the pictures' numbers without a canvas.
 */
import type { ConfusionMatrix, FilterBank, Histogram, WeightsChoice } from '../../../../src-main/contract/inspect-types'

export interface RgbaImage {
  width: number
  height: number
  rgba: Uint8ClampedArray<ArrayBuffer>
}

/** Diverging colour map (ColorBrewer RdBu ends): -1 blue, 0 near-white, +1 red; t is clamped to [-1, 1]. */
const NEG: readonly [number, number, number] = [33, 102, 172]
const MID: readonly [number, number, number] = [247, 247, 247]
const POS: readonly [number, number, number] = [178, 24, 43]
export function diverging(t: number): [number, number, number] {
  const v = Number.isFinite(t) ? Math.max(-1, Math.min(1, t)) : 0
  const end = v < 0 ? NEG : POS
  const a = Math.abs(v)
  return [0, 1, 2].map((k) => Math.round(MID[k]! + (end[k]! - MID[k]!) * a)) as [number, number, number]
}

/** Background between tiles of a grid image. */
export const GAP_RGB: readonly [number, number, number] = [255, 255, 255]

/** Kernel (o, i) of a bank, row-major kh×kw, read from PyTorch's [o][i][kh][kw] order. */
export function kernelOf(bank: FilterBank, o: number, i: number): number[] {
  const size = bank.kernelH * bank.kernelW
  const start = (o * bank.inChannels + i) * size
  return bank.weights.slice(start, start + size)
}

/**
 * The bank as one image: rows = output channels, columns = input channels, each kernel divided by its own
 * largest |w| (so every kernel's pattern shows, whatever its scale), times `gain`, through the diverging map.
 * Tiles are kernelH×kernelW pixels with a `gap`-pixel white border between them.
 */
export function filterBankImage(bank: FilterBank, gain: number, gap = 1): RgbaImage {
  const { outChannels: rows, inChannels: cols, kernelH: kh, kernelW: kw } = bank
  if (bank.weights.length !== rows * cols * kh * kw) {
    throw new Error(`filter bank "${bank.name}": ${rows}×${cols}×${kh}×${kw} needs ${rows * cols * kh * kw} weights, got ${bank.weights.length}`)
  }
  const width = cols * kw + (cols + 1) * gap
  const height = rows * kh + (rows + 1) * gap
  const rgba = filled(width, height, GAP_RGB)
  for (let o = 0; o < rows; o++) {
    for (let i = 0; i < cols; i++) {
      const k = kernelOf(bank, o, i)
      const scale = maxAbs(k)
      for (let y = 0; y < kh; y++) {
        for (let x = 0; x < kw; x++) {
          const t = scale === 0 ? 0 : (k[y * kw + x]! / scale) * gain
          put(rgba, width, gap + i * (kw + gap) + x, gap + o * (kh + gap) + y, diverging(t))
        }
      }
    }
  }
  return { width, height, rgba }
}

/** Where kernel (o, i)'s pixel (y, x) lands in filterBankImage's output. */
export function filterPixel(bank: FilterBank, o: number, i: number, y: number, x: number, gap = 1): { x: number; y: number } {
  return { x: gap + i * (bank.kernelW + gap) + x, y: gap + o * (bank.kernelH + gap) + y }
}

export function maxAbs(values: readonly number[]): number {
  let m = 0
  for (const v of values) if (Math.abs(v) > m) m = Math.abs(v)
  return m
}

export function range(values: readonly number[]): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (const v of values) {
    if (v < min) min = v
    if (v > max) max = v
  }
  return values.length === 0 ? { min: 0, max: 0 } : { min, max }
}

/**
 * One feature map (channel c of a C×H×W activation) in grey levels: `lo` black, `hi` white (the layer's
 * range, shared by its channels so their strengths compare). A flat range gives mid grey.
 */
export function featureMapImage(values: readonly number[], shape: readonly number[], channel: number, lo: number, hi: number): RgbaImage {
  const [c, h, w] = shape as [number, number, number]
  if (shape.length !== 3 || values.length !== c * h * w) throw new Error(`feature maps need [C, H, W] values; got shape [${shape.join(', ')}] with ${values.length} values`)
  const rgba = new Uint8ClampedArray(h * w * 4)
  const span = hi - lo
  for (let p = 0; p < h * w; p++) {
    const v = values[channel * h * w + p]!
    const g = span > 0 ? Math.round(((v - lo) / span) * 255) : 128
    rgba[p * 4] = g
    rgba[p * 4 + 1] = g
    rgba[p * 4 + 2] = g
    rgba[p * 4 + 3] = 255
  }
  return { width: w, height: h, rgba }
}

/** A vector activation as a 1-pixel-high strip through the diverging map, scaled by its largest |v|. */
export function vectorStripImage(values: readonly number[]): RgbaImage {
  const scale = maxAbs(values)
  const rgba = new Uint8ClampedArray(values.length * 4)
  values.forEach((v, i) => {
    const [r, g, b] = diverging(scale === 0 ? 0 : v / scale)
    rgba.set([r, g, b, 255], i * 4)
  })
  return { width: values.length, height: 1, rgba }
}

/** Counts of `h` spread onto `bins` equal bins over [lo, hi], each source bin's count shared by overlap. */
export function rebinHistogram(h: Histogram, lo: number, hi: number, bins: number): number[] {
  const out = new Array<number>(bins).fill(0)
  const n = h.counts.length
  const target = (v: number) => Math.min(bins - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * bins)))
  if (!(hi > lo)) {
    // One value on the whole axis (e.g. biases still at 0): the middle bin.
    out[Math.floor(bins / 2)] = h.counts.reduce((a, b) => a + b, 0)
    return out
  }
  const width = (h.max - h.min) / n
  for (let k = 0; k < n; k++) {
    const count = h.counts[k]!
    if (count === 0) continue
    if (!(width > 0)) {
      out[target(h.min)]! += count
      continue
    }
    const a = h.min + k * width
    const b = a + width
    for (let t = target(a); t <= target(b); t++) {
      const ta = lo + (t * (hi - lo)) / bins
      const tb = lo + ((t + 1) * (hi - lo)) / bins
      const overlap = Math.min(b, tb) - Math.max(a, ta)
      if (overlap > 0) out[t]! += (count * overlap) / width
    }
  }
  return out
}

/**
 * Histograms of several epochs on one shared axis: one row per epoch (first epoch on top), each row's
 * counts divided by its own largest bin, drawn dark on white. Returns the image and the axis.
 */
export function histogramHeatImage(histograms: readonly Histogram[], bins: number): RgbaImage & { lo: number; hi: number; rows: number[][] } {
  const lo = Math.min(...histograms.map((h) => h.min))
  const hi = Math.max(...histograms.map((h) => h.max))
  const rows = histograms.map((h) => rebinHistogram(h, lo, hi, bins))
  const rgba = new Uint8ClampedArray(bins * rows.length * 4)
  rows.forEach((row, y) => {
    const top = Math.max(...row)
    row.forEach((c, x) => {
      const t = top > 0 ? c / top : 0
      // White (empty) → dark blue #1e3a8a (the row's fullest bin).
      const r = Math.round(255 - t * (255 - 30))
      const g = Math.round(255 - t * (255 - 58))
      const b = Math.round(255 - t * (255 - 138))
      rgba.set([r, g, b, 255], (y * bins + x) * 4)
    })
  })
  return { width: bins, height: rows.length, rgba, lo, hi, rows }
}

/** Share of a confusion-matrix row that one cell holds (0 for an empty row): the cell's shade. */
export function cellShare(cm: ConfusionMatrix, t: number, p: number): number {
  const row = cm.counts[t]!.reduce((a, b) => a + b, 0)
  return row === 0 ? 0 : cm.counts[t]![p]! / row
}

/** Checks that what the backend sent adds up, so a view never shows numbers that contradict each other. */
export function confusionProblems(cm: ConfusionMatrix): string[] {
  const problems: string[] = []
  const k = cm.classes.length
  if (cm.counts.length !== k || cm.counts.some((r) => r.length !== k)) problems.push(`the matrix is not ${k}×${k}`)
  const sum = cm.counts.flat().reduce((a, b) => a + b, 0)
  if (sum !== cm.total) problems.push(`its counts sum to ${sum}, not the total ${cm.total}`)
  return problems
}

/** Weights choices in slider order: every recorded epoch, then best, then final (those that exist). */
export function weightsChoices(epochs: readonly number[], hasBest: boolean, hasFinal: boolean): WeightsChoice[] {
  const out: WeightsChoice[] = epochs.map((epoch) => ({ epoch }))
  if (hasBest) out.push('best')
  if (hasFinal) out.push('final')
  return out
}

export function weightsLabel(w: WeightsChoice): string {
  return typeof w === 'string' ? `${w} weights` : `epoch ${w.epoch + 1}`
}

export function sameWeights(a: WeightsChoice, b: WeightsChoice): boolean {
  return typeof a === 'string' || typeof b === 'string' ? a === b : a.epoch === b.epoch
}

export function formatScore(v: number, kind: 'probability' | 'output'): string {
  if (!Number.isFinite(v)) return String(v)
  return kind === 'probability' ? `${(v * 100).toFixed(1)}%` : v.toFixed(3)
}

function filled(width: number, height: number, rgb: readonly [number, number, number]): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(width * height * 4)
  for (let p = 0; p < width * height; p++) out.set([rgb[0], rgb[1], rgb[2], 255], p * 4)
  return out
}

function put(rgba: Uint8ClampedArray, width: number, x: number, y: number, rgb: readonly [number, number, number]): void {
  rgba.set([rgb[0], rgb[1], rgb[2], 255], (y * width + x) * 4)
}

/** How one activation is drawn: C×H×W as one grey image per channel (shared range), anything else as a strip. */
export type ActivationPicture =
  | { kind: 'maps'; maps: RgbaImage[]; hidden: number; min: number; max: number }
  | { kind: 'vector'; strip: RgbaImage; min: number; max: number }

export function activationPicture(values: readonly number[], shape: readonly number[], maxMaps: number): ActivationPicture {
  const { min, max } = range(values)
  if (shape.length === 3) {
    const shown = Math.min(shape[0]!, maxMaps)
    const maps = Array.from({ length: shown }, (_, c) => featureMapImage(values, shape, c, min, max))
    return { kind: 'maps', maps, hidden: shape[0]! - shown, min, max }
  }
  return { kind: 'vector', strip: vectorStripImage(values), min, max }
}
