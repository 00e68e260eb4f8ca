/**
 * A hand-drawn digit made into a dataset sample the way MNIST was made (LeCun et al.): the ink's
 * bounding box is scaled, preserving its aspect ratio and with anti-aliasing, to fit a 20×20 box, then
 * placed in the 28×28 field so that its centre of mass sits at the field's centre. In the MNIST files
 * that centre is (14, 14) in pixel-index coordinates (every digit's centre of mass lies within half a
 * pixel of it: the shift was a whole number of pixels), and this module does the same.
 *
 * Generalized to any target H×W (the box is 20/28 of each side) and to C channels (the gray image is
 * replicated). Pure: no DOM, no Node.
 */

/** A drawn grayscale image, row-major; larger values mean more ink (e.g. a canvas' alpha channel). */
export interface InkImage {
  width: number
  height: number
  data: ArrayLike<number>
}

export interface DigitPreprocessOptions {
  /** The dataset's sample shape [C, H, W] (default [1, 28, 28]). */
  shape?: readonly number[]
  /** The ink value that means a fully inked pixel (default: the image's largest value). */
  inkMax?: number
  /** Pixels with more ink than this count towards the bounding box (default 0: any ink). */
  threshold?: number
}

export interface Box {
  x: number
  y: number
  width: number
  height: number
}

export interface PreprocessedDigit {
  /** CHW, whole numbers 0..255, length C·H·W; all zeros when empty. */
  pixels: number[]
  shape: [number, number, number]
  /** True when the drawing has no ink: the pixels are all zero and nothing was scaled or centred. */
  empty: boolean
  /** The ink's bounding box in the drawing (null when empty). */
  inkBox: Box | null
  /** Output pixels per drawing pixel. */
  scale: number
  /** The output's centre of mass in pixel-index coordinates (null when empty); within half a pixel of (W/2, H/2). */
  centerOfMass: { x: number; y: number } | null
}

/** The fraction of each side the scaled digit may fill (MNIST: 20 of 28). */
export const DIGIT_BOX_FRACTION = 20 / 28

export class DigitPreprocessError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DigitPreprocessError'
  }
}

export function preprocessDigit(image: InkImage, options: DigitPreprocessOptions = {}): PreprocessedDigit {
  const shape = checkShape(options.shape ?? [1, 28, 28])
  const [channels, outH, outW] = shape
  checkImage(image)
  const threshold = options.threshold ?? 0
  const inkBox = boundingBox(image, threshold)
  if (options.inkMax !== undefined && !(options.inkMax > 0 && Number.isFinite(options.inkMax))) {
    throw new DigitPreprocessError(`inkMax must be a positive number, got ${options.inkMax}`)
  }
  const inkMax = options.inkMax ?? maxValue(image.data)
  if (!inkBox || !(inkMax > 0)) {
    return { pixels: new Array<number>(channels * outH * outW).fill(0), shape, empty: true, inkBox: null, scale: 0, centerOfMass: null }
  }

  // Fit the box inside (20/28)·W × (20/28)·H, preserving its aspect ratio.
  const scale = Math.min((DIGIT_BOX_FRACTION * outW) / inkBox.width, (DIGIT_BOX_FRACTION * outH) / inkBox.height)
  const scaledW = inkBox.width * scale
  const scaledH = inkBox.height * scale
  // A first placement with the box's left/top edge on a pixel boundary (a 20-pixel side stays sharp).
  const left0 = Math.floor((outW - scaledW) / 2)
  const top0 = Math.floor((outH - scaledH) / 2)
  // The centre of mass is taken on the whole-number pixels the sample will hold (rounding moves it a little).
  const first = quantize(render(image, inkBox, scale, left0, top0, outW, outH, inkMax))
  const com0 = centerOfMass(first, outW, outH)
  if (!com0) {
    return { pixels: new Array<number>(channels * outH * outW).fill(0), shape, empty: true, inkBox: null, scale: 0, centerOfMass: null }
  }
  // Whole-pixel shift that brings the centre of mass nearest to (W/2, H/2), as MNIST did.
  const dx = Math.round(outW / 2 - com0.x)
  const dy = Math.round(outH / 2 - com0.y)
  const gray = dx === 0 && dy === 0 ? first : quantize(render(image, inkBox, scale, left0 + dx, top0 + dy, outW, outH, inkMax))
  const plane = outH * outW
  const pixels = new Array<number>(channels * plane)
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) pixels[c * plane + i] = gray[i]
  }
  return { pixels, shape, empty: false, inkBox, scale, centerOfMass: centerOfMass(gray, outW, outH) ?? com0 }
}

/** Coverage 0..1 to whole-number gray levels 0..255. */
function quantize(coverage: Float64Array): Float64Array {
  for (let i = 0; i < coverage.length; i++) coverage[i] = Math.min(255, Math.max(0, Math.round(coverage[i] * 255)))
  return coverage
}

/** Centre of mass of a row-major W×H image in pixel-index coordinates; null without mass. */
export function centerOfMass(values: ArrayLike<number>, width: number, height: number): { x: number; y: number } | null {
  let m = 0
  let mx = 0
  let my = 0
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = values[y * width + x]
      m += v
      mx += v * x
      my += v * y
    }
  }
  return m > 0 ? { x: mx / m, y: my / m } : null
}

/** The smallest box holding every value above `threshold`; null when there is none. */
export function boundingBox(image: InkImage, threshold = 0): Box | null {
  const { width, height, data } = image
  let x0 = width
  let x1 = -1
  let y0 = height
  let y1 = -1
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[y * width + x] > threshold) {
        if (x < x0) x0 = x
        if (x > x1) x1 = x
        if (y < y0) y0 = y
        if (y > y1) y1 = y
      }
    }
  }
  return x1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 }
}

/**
 * Area-averaging resample of the box onto the output, the box's left/top edge at (left, top) and each
 * drawing pixel `scale` output pixels wide: every output pixel is the mean ink over the part of the
 * drawing it covers (so a shrunk stroke is anti-aliased). Values are coverage in 0..1.
 */
function render(
  image: InkImage,
  box: Box,
  scale: number,
  left: number,
  top: number,
  outW: number,
  outH: number,
  inkMax: number
): Float64Array {
  const wx = axisWeights(box.x, box.width, scale, left, outW)
  const wy = axisWeights(box.y, box.height, scale, top, outH)
  const out = new Float64Array(outW * outH)
  // Separable: first along x for every row of the box, then along y.
  const rows = new Float64Array(box.height * outW)
  for (let r = 0; r < box.height; r++) {
    const src = (box.y + r) * image.width
    for (const { out: j, src: i, w } of wx) rows[r * outW + j] += w * Math.min(image.data[src + i], inkMax)
  }
  for (const { out: j, src: r, w } of wy) {
    for (let x = 0; x < outW; x++) out[j * outW + x] += w * rows[(r - box.y) * outW + x]
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.max(0, out[i]) / inkMax
  return out
}

interface AxisWeight {
  out: number
  src: number
  w: number
}

/**
 * One axis of the resample: drawing pixel i in [start, start+length) maps to the output interval
 * [offset + (i−start)·scale, offset + (i−start+1)·scale); its weight in output pixel j is the overlap of
 * that interval with [j, j+1) (the output pixel's area is 1). Output pixels outside the field are dropped.
 */
function axisWeights(start: number, length: number, scale: number, offset: number, outLength: number): AxisWeight[] {
  const weights: AxisWeight[] = []
  for (let k = 0; k < length; k++) {
    const a = offset + k * scale
    const b = a + scale
    for (let j = Math.max(0, Math.floor(a)); j < Math.min(outLength, Math.ceil(b)); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j)
      if (overlap > 0) weights.push({ out: j, src: start + k, w: overlap })
    }
  }
  return weights
}

function checkShape(shape: readonly number[]): [number, number, number] {
  if (shape.length !== 3 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new DigitPreprocessError(`sample shape must be [C, H, W] with positive whole numbers, got [${shape.join(', ')}]`)
  }
  return [shape[0], shape[1], shape[2]]
}

function checkImage(image: InkImage): void {
  const { width, height, data } = image
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new DigitPreprocessError(`drawing size must be positive whole numbers, got ${width}×${height}`)
  }
  if (data.length !== width * height) {
    throw new DigitPreprocessError(`drawing of ${width}×${height} needs ${width * height} values, got ${data.length}`)
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) throw new DigitPreprocessError(`drawing value ${i} (x ${i % width}, y ${Math.floor(i / width)}) is ${data[i]}`)
  }
}

function maxValue(data: ArrayLike<number>): number {
  let m = 0
  for (let i = 0; i < data.length; i++) {
    if (data[i] > m) m = data[i]
  }
  return m
}
