/**
 * Data augmentation: random, label-preserving changes applied to each training sample at train time
 * only (never to validation or test data), as a regularizer. Works in place on an already-normalized
 * NCHW batch, draws all randomness from the seeded Rng, and allocates nothing per step.
 */
import type { Rng } from '../core/rng'

export interface Augmentation {
  /** Max pixels of random integer translation in x and y (each uniform in -shift..shift), zero fill. */
  shift?: number
  /**
   * Pad by `padding` pixels of zeros and randomly crop back to the original size (CIFAR practice).
   * This is the same as a random translation by -padding..padding with zero fill; when both shift
   * and crop are set, their offsets add.
   */
  crop?: { padding: number }
  /** Standard deviation of Gaussian noise added to every value, in normalized units. */
  noise?: number
  /**
   * Mirror left–right with probability 1/2. Only for data whose classes are mirror-symmetric
   * (photos of objects, as in CIFAR); NOT for digits, letters or anything where a mirrored image
   * is a different or an invalid class.
   */
  flipHorizontal?: boolean
}

/** Reusable working memory for augmentBatch; grows to one image and is then reused. */
export interface AugmentScratch {
  buffer: Float64Array
}

export function createAugmentScratch(): AugmentScratch {
  return { buffer: new Float64Array(0) }
}

type FloatArray = Float32Array | Float64Array

const KEYS = new Set(['shift', 'crop', 'noise', 'flipHorizontal'])

/**
 * Checks an augmentation config (e.g. parsed from JSON); returns human-readable errors, empty when
 * valid. With an input shape, also rejects translations that would move the whole image out.
 */
export function validateAugmentation(x: unknown, inputShape?: readonly [number, number, number]): string[] {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return ['augmentation must be an object']
  const o = x as Record<string, unknown>
  const errors: string[] = []
  for (const k of Object.keys(o)) {
    if (!KEYS.has(k)) errors.push(`augmentation: unknown option '${k}' (known: ${[...KEYS].join(', ')})`)
  }
  checkPixels(o.shift, 'shift', errors)
  if (o.crop !== undefined) {
    if (typeof o.crop !== 'object' || o.crop === null) errors.push('augmentation.crop must be an object { padding }')
    else checkPixels((o.crop as Record<string, unknown>).padding, 'crop.padding', errors, true)
  }
  if (o.noise !== undefined && !(typeof o.noise === 'number' && Number.isFinite(o.noise) && o.noise >= 0)) {
    errors.push(`augmentation.noise must be a number >= 0 (a standard deviation), got ${String(o.noise)}`)
  }
  if (o.flipHorizontal !== undefined && typeof o.flipHorizontal !== 'boolean') {
    errors.push(`augmentation.flipHorizontal must be true or false, got ${String(o.flipHorizontal)}`)
  }
  if (inputShape && errors.length === 0) checkAgainstShape(o as Augmentation, inputShape, errors)
  return errors
}

function checkPixels(v: unknown, name: string, errors: string[], required = false): void {
  if (v === undefined && !required) return
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
    errors.push(`augmentation.${name} must be a whole number of pixels >= 0, got ${String(v)}`)
  }
}

function checkAgainstShape(a: Augmentation, shape: readonly [number, number, number], errors: string[]): void {
  const maxShift = (a.shift ?? 0) + (a.crop?.padding ?? 0)
  const smaller = Math.min(shape[1], shape[2])
  if (maxShift >= smaller) {
    errors.push(`augmentation: shift + crop padding (${maxShift}) must be less than the image size (${shape[1]}×${shape[2]})`)
  }
}

/** True when the config changes nothing (the trainer can skip augmentBatch). */
export function isIdentityAugmentation(a: Augmentation | undefined): boolean {
  return !a || (!a.shift && !a.crop?.padding && !a.noise && !a.flipHorizontal)
}

/**
 * Augments the first `batch` images of `data` (NCHW, shape = [C,H,W]) in place. Random draws per
 * sample, in this order: flip, shift dx, dy, crop dx, dy, then one normal per value for noise.
 * Pixels moved in from outside get `fill` (default 0, i.e. the normalized value 0: black for
 * min-max [0,1], mid-grey for [-1,1], the training mean for standardization).
 */
export function augmentBatch(
  aug: Augmentation,
  data: FloatArray,
  batch: number,
  shape: readonly [number, number, number],
  rng: Rng,
  scratch: AugmentScratch,
  fill = 0
): void {
  const per = shape[0] * shape[1] * shape[2]
  if (batch * per > data.length) {
    throw new RangeError(`augmentBatch: ${batch} images of ${shape.join('×')} need ${batch * per} values, data has ${data.length}`)
  }
  if (isIdentityAugmentation(aug)) return
  if (scratch.buffer.length < per) scratch.buffer = new Float64Array(per)
  for (let s = 0; s < batch; s++) augmentSample(aug, data, s * per, shape, rng, scratch.buffer, fill)
}

function augmentSample(
  aug: Augmentation,
  data: FloatArray,
  offset: number,
  shape: readonly [number, number, number],
  rng: Rng,
  scratch: Float64Array,
  fill: number
): void {
  const flip = aug.flipHorizontal === true && rng.nextFloat() < 0.5
  let dx = 0
  let dy = 0
  if (aug.shift) {
    dx += randomOffset(aug.shift, rng)
    dy += randomOffset(aug.shift, rng)
  }
  if (aug.crop?.padding) {
    dx += randomOffset(aug.crop.padding, rng)
    dy += randomOffset(aug.crop.padding, rng)
  }
  if (flip || dx !== 0 || dy !== 0) transformSample(data, offset, shape, dx, dy, flip, scratch, fill)
  if (aug.noise) addNoise(data, offset, shape[0] * shape[1] * shape[2], aug.noise, rng)
}

/** Uniform integer in -max..max. */
function randomOffset(max: number, rng: Rng): number {
  return rng.nextInt(2 * max + 1) - max
}

/** out(x, y) = in'(x - dx, y - dy), where in' is the input mirrored left–right when flip is set. */
function transformSample(
  data: FloatArray,
  offset: number,
  shape: readonly [number, number, number],
  dx: number,
  dy: number,
  flip: boolean,
  scratch: Float64Array,
  fill: number
): void {
  const [channels, h, w] = shape
  const per = channels * h * w
  for (let i = 0; i < per; i++) scratch[i] = data[offset + i]
  for (let c = 0; c < channels; c++) {
    const plane = c * h * w
    for (let y = 0; y < h; y++) {
      const sy = y - dy
      const row = offset + plane + y * w
      for (let x = 0; x < w; x++) {
        const sx = flip ? w - 1 - (x - dx) : x - dx
        data[row + x] = sy >= 0 && sy < h && sx >= 0 && sx < w ? scratch[plane + sy * w + sx] : fill
      }
    }
  }
}

function addNoise(data: FloatArray, offset: number, count: number, std: number, rng: Rng): void {
  for (let i = 0; i < count; i++) data[offset + i] += std * rng.nextNormal()
}
