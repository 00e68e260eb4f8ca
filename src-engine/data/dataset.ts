/**
 * The in-memory labelled image dataset used by training, and seeded train/validation splitting.
 */
import { createRng, shuffleInPlace, type Rng } from '../core/rng'
import type { IdxArray } from './idx'

export interface Dataset {
  name: string
  /** Channels, height, width of one image. */
  inputShape: [number, number, number]
  numClasses: number
  classNames: string[]
  /** size × C × H × W values, NCHW, raw pixel values as stored (e.g. 0..255); normalization comes later. */
  images: Float32Array
  /** One class index in 0..numClasses-1 per image. */
  labels: Int32Array
  size: number
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'DatasetError'
  }
}

/** Optional names of the sources (e.g. file paths), used in error messages. */
export interface IdxSources {
  images?: string
  labels?: string
}

export function imageSize(ds: Pick<Dataset, 'inputShape'>): number {
  const [c, h, w] = ds.inputShape
  return c * h * w
}

/**
 * Builds a dataset from an images array shaped [N,H,W] (one channel) or [N,C,H,W] and a labels
 * array shaped [N]. Without class names, numClasses is the largest label + 1 and the names are
 * the label numbers.
 */
export function datasetFromIdx(
  name: string,
  images: IdxArray,
  labels: IdxArray,
  classNames?: string[],
  sources: IdxSources = {}
): Dataset {
  const imagesWhat = sources.images ?? 'images'
  const labelsWhat = sources.labels ?? 'labels'
  const inputShape = imageShapeOf(images, imagesWhat)
  const n = images.dims[0]
  if (labels.dims.length !== 1) {
    throw new DatasetError(`${labelsWhat}: labels must be 1-dimensional, got dims ${labels.dims.join('×')}`)
  }
  if (labels.dims[0] !== n) {
    throw new DatasetError(`${imagesWhat} has ${n} items but ${labelsWhat} has ${labels.dims[0]}`)
  }
  const labelArray = toLabels(labels, labelsWhat)
  const numClasses = classNames ? classNames.length : maxOf(labelArray) + 1
  if (numClasses < 1) throw new DatasetError(`${name}: at least one class name is needed`)
  checkLabelRange(labelArray, numClasses, labelsWhat)
  return {
    name,
    inputShape,
    numClasses,
    classNames: classNames ? classNames.slice() : Array.from({ length: numClasses }, (_, i) => String(i)),
    images: Float32Array.from(images.data),
    labels: labelArray,
    size: n
  }
}

function imageShapeOf(images: IdxArray, what: string): [number, number, number] {
  const d = images.dims
  if (d.length === 3) return [1, d[1], d[2]]
  if (d.length === 4) return [d[1], d[2], d[3]]
  throw new DatasetError(`${what}: images must have dims [N,H,W] or [N,C,H,W], got ${d.join('×')}`)
}

function toLabels(labels: IdxArray, what: string): Int32Array {
  const out = new Int32Array(labels.data.length)
  for (let i = 0; i < out.length; i++) {
    const v = labels.data[i]
    if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) {
      throw new DatasetError(`${what}: label at index ${i} is ${v}; labels must be integers >= 0`)
    }
    out[i] = v
  }
  return out
}

function maxOf(a: Int32Array): number {
  let m = -1
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i]
  return m
}

function checkLabelRange(labels: Int32Array, numClasses: number, what: string): void {
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] >= numClasses) {
      throw new DatasetError(
        `${what}: label at index ${i} is ${labels[i]}, but there are only ${numClasses} classes (0..${numClasses - 1})`
      )
    }
  }
}

/** Number of samples of each class. */
export function classCounts(ds: Pick<Dataset, 'labels' | 'numClasses'>): number[] {
  const counts = new Array<number>(ds.numClasses).fill(0)
  for (let i = 0; i < ds.labels.length; i++) counts[ds.labels[i]]++
  return counts
}

/** A new dataset holding copies of the given samples, in the given order. */
export function subset(ds: Dataset, indices: ArrayLike<number>, name = ds.name): Dataset {
  const per = imageSize(ds)
  const images = new Float32Array(indices.length * per)
  const labels = new Int32Array(indices.length)
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]
    if (!Number.isInteger(i) || i < 0 || i >= ds.size) {
      throw new DatasetError(`subset of ${ds.name}: index ${i} at position ${k} is outside 0..${ds.size - 1}`)
    }
    images.set(ds.images.subarray(i * per, (i + 1) * per), k * per)
    labels[k] = ds.labels[i]
  }
  return {
    name,
    inputShape: [...ds.inputShape],
    numClasses: ds.numClasses,
    classNames: ds.classNames.slice(),
    images,
    labels,
    size: indices.length
  }
}

export interface SplitOptions {
  /** Fraction of the dataset held out for validation, in [0, 1). Exclusive with validationSize. */
  validationFraction?: number
  /** Number of samples held out for validation. Default: no validation set. */
  validationSize?: number
  /** Use only this many of the remaining samples for training (default: all of them). */
  trainSize?: number
  /** Seed for the shuffle; used when no Rng is passed to splitDataset. */
  seed?: number
  /**
   * Class-stratified selection: the validation set keeps the dataset's class proportions, and a
   * training subset (trainSize) gets equal counts per class as far as the remaining samples allow.
   */
  stratified?: boolean
}

export interface Split {
  train: Dataset
  validation: Dataset
}

/**
 * Seeded split into training and validation sets (Fisher–Yates with the given Rng, or one created
 * from options.seed). Both sets come out in shuffled order.
 */
export function splitDataset(ds: Dataset, options: SplitOptions, rng?: Rng): Split {
  const random = rng ?? rngFromSeed(options.seed)
  const validationSize = resolveValidationSize(ds, options)
  const trainSize = resolveTrainSize(ds, options, validationSize)
  const { trainIdx, validationIdx } = options.stratified
    ? stratifiedIndices(ds, validationSize, trainSize, random)
    : plainIndices(ds.size, validationSize, trainSize, random)
  return {
    train: subset(ds, trainIdx, `${ds.name} (train)`),
    validation: subset(ds, validationIdx, `${ds.name} (validation)`)
  }
}

function rngFromSeed(seed: number | undefined): Rng {
  if (seed === undefined) throw new DatasetError('splitDataset needs either an Rng or options.seed')
  return createRng(seed)
}

function resolveValidationSize(ds: Dataset, o: SplitOptions): number {
  if (o.validationFraction !== undefined && o.validationSize !== undefined) {
    throw new DatasetError('give either validationFraction or validationSize, not both')
  }
  if (o.validationFraction !== undefined) {
    const f = o.validationFraction
    if (!(f >= 0 && f < 1)) throw new DatasetError(`validationFraction must be in [0, 1), got ${f}`)
    return Math.round(f * ds.size)
  }
  const v = o.validationSize ?? 0
  if (!Number.isInteger(v) || v < 0 || v >= ds.size) {
    throw new DatasetError(
      `validationSize must be an integer from 0 to ${ds.size - 1} (${ds.name} has ${ds.size} samples), got ${v}`
    )
  }
  return v
}

function resolveTrainSize(ds: Dataset, o: SplitOptions, validationSize: number): number {
  const available = ds.size - validationSize
  if (available < 1) {
    throw new DatasetError(`no samples left for training: ${ds.name} has ${ds.size}, validation takes ${validationSize}`)
  }
  if (o.trainSize === undefined) return available
  const t = o.trainSize
  if (!Number.isInteger(t) || t < 1 || t > available) {
    throw new DatasetError(
      `trainSize must be an integer from 1 to ${available} (${ds.size} samples minus ${validationSize} for validation), got ${t}`
    )
  }
  return t
}

interface SplitIndices {
  trainIdx: Int32Array
  validationIdx: Int32Array
}

function plainIndices(n: number, validationSize: number, trainSize: number, rng: Rng): SplitIndices {
  const order = Int32Array.from({ length: n }, (_, i) => i)
  shuffleInPlace(order, rng)
  return {
    validationIdx: order.slice(0, validationSize),
    trainIdx: order.slice(validationSize, validationSize + trainSize)
  }
}

function stratifiedIndices(ds: Dataset, validationSize: number, trainSize: number, rng: Rng): SplitIndices {
  const pools = shuffledClassPools(ds, rng)
  const counts = pools.map((p) => p.length)
  const validationQuota = proportionalQuotas(counts, validationSize)
  const validationIdx = takeFromPools(pools, validationQuota)
  const remaining = pools.map((p) => p.length)
  const trainIdx = takeFromPools(pools, balancedQuotas(remaining, trainSize))
  shuffleInPlace(validationIdx, rng)
  shuffleInPlace(trainIdx, rng)
  return { trainIdx, validationIdx }
}

/** Sample indices of each class, each list shuffled. */
function shuffledClassPools(ds: Dataset, rng: Rng): number[][] {
  const pools: number[][] = Array.from({ length: ds.numClasses }, () => [])
  for (let i = 0; i < ds.size; i++) pools[ds.labels[i]].push(i)
  for (const p of pools) shuffleInPlace(p, rng)
  return pools
}

/** Removes quota[c] indices from the front of each pool and returns them together. */
function takeFromPools(pools: number[][], quota: number[]): Int32Array {
  const out: number[] = []
  pools.forEach((p, c) => {
    for (const i of p.splice(0, quota[c])) out.push(i)
  })
  return Int32Array.from(out)
}

/**
 * Splits `total` across classes in proportion to their counts (largest-remainder rounding, ties to
 * the lower class index). Never exceeds a class's count because total <= sum(counts).
 */
export function proportionalQuotas(counts: number[], total: number): number[] {
  const sum = counts.reduce((a, b) => a + b, 0)
  if (sum === 0) return counts.map(() => 0)
  const exact = counts.map((c) => (c * total) / sum)
  const quota = exact.map(Math.floor)
  let left = total - quota.reduce((a, b) => a + b, 0)
  const byRemainder = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c)
  for (const { c } of byRemainder) {
    if (left === 0) break
    if (quota[c] < counts[c]) {
      quota[c]++
      left--
    }
  }
  return quota
}

/**
 * Splits `total` as evenly as possible across classes, capped by what each class has: classes
 * that run short give their share to the others (water filling). Leftover single samples go to
 * the lower class indices.
 */
export function balancedQuotas(available: number[], total: number): number[] {
  const quota = available.map(() => 0)
  let left = total
  while (left > 0) {
    const open = available.map((_, c) => c).filter((c) => quota[c] < available[c])
    if (open.length === 0) break
    const share = Math.floor(left / open.length)
    if (share === 0) {
      for (const c of open.slice(0, left)) quota[c]++
      break
    }
    for (const c of open) {
      const add = Math.min(share, available[c] - quota[c])
      quota[c] += add
      left -= add
    }
  }
  return quota
}
