/**
 * Input normalization. Statistics are fitted on the TRAINING split only (fitting on validation or
 * test data would leak information), stored as plain JSON-serializable data with the model, and
 * applied as a per-channel affine map.
 */

export type InputNormalization =
  | { kind: 'none' }
  | { kind: 'minmax'; range: [0, 1] | [-1, 1] }
  | { kind: 'standardize'; perChannel: boolean }

/** Fitted normalization: plain data, safe to JSON.stringify and store in a checkpoint. */
export type Normalizer =
  | { kind: 'none' }
  | { kind: 'minmax'; range: [number, number]; min: number; max: number }
  /** `mean`/`std` have one entry per channel when perChannel, otherwise a single entry. */
  | { kind: 'standardize'; perChannel: boolean; mean: number[]; std: number[] }

type FloatArray = Float32Array | Float64Array

/**
 * Below this population std a channel counts as constant and is only centred (divided by 1, as
 * scikit-learn does), so constant inputs never divide by zero or blow up small differences.
 */
export const STD_EPSILON = 1e-6

export class NormalizationError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'NormalizationError'
  }
}

/** Computes normalization statistics from training images (NCHW, inputShape = [C,H,W]). */
export function fitNormalizer(
  config: InputNormalization,
  trainImages: FloatArray,
  inputShape: readonly [number, number, number]
): Normalizer {
  checkImages(trainImages, inputShape)
  if (trainImages.length === 0) throw new NormalizationError('cannot fit a normalizer on an empty training set')
  switch (config.kind) {
    case 'none':
      return { kind: 'none' }
    case 'minmax': {
      checkRange(config.range)
      const { min, max } = minMax(trainImages)
      return { kind: 'minmax', range: [config.range[0], config.range[1]], min, max }
    }
    case 'standardize': {
      const stats = meanStd(trainImages, inputShape, config.perChannel)
      return { kind: 'standardize', perChannel: config.perChannel, ...stats }
    }
  }
}

function checkImages(images: FloatArray, shape: readonly [number, number, number]): void {
  const per = shape[0] * shape[1] * shape[2]
  if (!(per > 0) || images.length % per !== 0) {
    throw new NormalizationError(`${images.length} values are not a whole number of ${shape.join('×')} images`)
  }
}

function checkRange(range: readonly number[]): void {
  const ok = (range[0] === 0 || range[0] === -1) && range[1] === 1
  if (!ok) throw new NormalizationError(`min-max range must be [0, 1] or [-1, 1], got [${range.join(', ')}]`)
}

function minMax(values: FloatArray): { min: number; max: number } {
  let min = Infinity
  let max = -Infinity
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v)) throw new NormalizationError(`training value at index ${i} is ${v}`)
    if (v < min) min = v
    if (v > max) max = v
  }
  return { min, max }
}

/** Mean and population std per channel (or over all values), two-pass in float64 for accuracy. */
function meanStd(
  images: FloatArray,
  shape: readonly [number, number, number],
  perChannel: boolean
): { mean: number[]; std: number[] } {
  const channels = perChannel ? shape[0] : 1
  const groupSize = images.length / channels
  const sum = new Float64Array(channels)
  forEachPlane(images, shape, (c, start, end) => {
    const g = perChannel ? c : 0
    for (let i = start; i < end; i++) sum[g] += images[i]
  })
  const mean = Array.from(sum, (s) => s / groupSize)
  const sq = new Float64Array(channels)
  forEachPlane(images, shape, (c, start, end) => {
    const g = perChannel ? c : 0
    for (let i = start; i < end; i++) sq[g] += (images[i] - mean[g]) ** 2
  })
  return { mean, std: Array.from(sq, (s) => Math.sqrt(s / groupSize)) }
}

/** Calls fn once per (image, channel) plane with its channel and value range. */
function forEachPlane(
  images: FloatArray,
  shape: readonly [number, number, number],
  fn: (channel: number, start: number, end: number) => void
): void {
  const plane = shape[1] * shape[2]
  for (let start = 0, c = 0; start < images.length; start += plane, c = (c + 1) % shape[0]) {
    fn(c, start, start + plane)
  }
}

/**
 * The map for one channel as y = (x - sub) / div * mul + add. Dividing by the span (rather than
 * multiplying by its inverse) makes the training min and max land exactly on the range ends.
 */
interface ChannelMap {
  sub: number
  div: number
  mul: number
  add: number
}

// Reused by every call so applying a normalizer allocates nothing (JS is single-threaded).
const MAP: ChannelMap = { sub: 0, div: 1, mul: 1, add: 0 }

function channelMap(n: Normalizer, c: number): ChannelMap {
  MAP.sub = 0
  MAP.div = 1
  MAP.mul = 1
  MAP.add = 0
  if (n.kind === 'minmax') {
    // A constant training set (max === min) uses span 1: training values map to range[0].
    const span = n.max - n.min
    MAP.sub = n.min
    MAP.div = span > 0 ? span : 1
    MAP.mul = n.range[1] - n.range[0]
    MAP.add = n.range[0]
  } else if (n.kind === 'standardize') {
    const g = n.perChannel ? c : 0
    MAP.sub = n.mean[g]
    MAP.div = n.std[g] > STD_EPSILON ? n.std[g] : 1
  }
  return MAP
}

/**
 * Writes `count` normalized images from src (starting at value index srcOffset) to dst (starting at
 * dstOffset). src and dst may be the same array (in place). Allocates nothing.
 */
export function applyNormalizer(
  n: Normalizer,
  src: FloatArray,
  srcOffset: number,
  dst: FloatArray,
  dstOffset: number,
  count: number,
  inputShape: readonly [number, number, number]
): void {
  const [channels, h, w] = inputShape
  const plane = h * w
  const per = channels * plane
  checkBounds(src.length, srcOffset, dst.length, dstOffset, count * per)
  checkChannels(n, channels)
  for (let c = 0; c < channels; c++) {
    const { sub, div, mul, add } = channelMap(n, c)
    for (let s = 0; s < count; s++) {
      const si = srcOffset + s * per + c * plane
      const di = dstOffset + s * per + c * plane
      for (let k = 0; k < plane; k++) dst[di + k] = ((src[si + k] - sub) / div) * mul + add
    }
  }
}

function checkBounds(srcLen: number, srcOffset: number, dstLen: number, dstOffset: number, values: number): void {
  if (srcOffset < 0 || srcOffset + values > srcLen) {
    throw new NormalizationError(`applyNormalizer: source holds ${srcLen} values, need ${values} from offset ${srcOffset}`)
  }
  if (dstOffset < 0 || dstOffset + values > dstLen) {
    throw new NormalizationError(`applyNormalizer: destination holds ${dstLen} values, need ${values} from offset ${dstOffset}`)
  }
}

function checkChannels(n: Normalizer, channels: number): void {
  if (n.kind === 'standardize' && n.perChannel && n.mean.length !== channels) {
    throw new NormalizationError(`normalizer was fitted on ${n.mean.length} channels but the input has ${channels}`)
  }
}

/** The normalized value of one raw pixel value in channel c (e.g. to find the background value). */
export function normalizeValue(n: Normalizer, value: number, c = 0): number {
  const { sub, div, mul, add } = channelMap(n, c)
  return ((value - sub) / div) * mul + add
}
