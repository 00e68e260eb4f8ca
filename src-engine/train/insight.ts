/**
 * What a run records at every epoch end so its model can be looked inside afterwards: the validation
 * predictions (confusion matrix, top-k classes and scores per sample), histograms of every parameter
 * and of its gradient, and the weights. Pure and allocation-light: the trainer feeds it the
 * evaluation outputs batch by batch.
 */
import type { FloatArray } from '../core/tensor'
import type { NamedParam, StateDict } from '../network'

/** How many classes each sample's record keeps (fewer when the network has fewer outputs). */
export const TOP_K = 3
/** Bins per histogram. */
export const HISTOGRAM_BINS = 40

export interface HistogramData {
  min: number
  max: number
  mean: number
  std: number
  counts: number[]
}

export interface ParameterHistogram {
  name: string
  layer: number
  weights: HistogramData
  /** The gradient of the epoch's last training step (loss only: weight decay is applied by the optimizer). */
  gradients: HistogramData
}

export interface EpochInsight {
  /** 0-based epoch. */
  epoch: number
  classes: number
  /** 'probability' when the network ends in softmax (scores are softmax outputs), else raw outputs. */
  scoreKind: 'probability' | 'output'
  /** counts[t * classes + p]: validation samples of true class t predicted as p. */
  confusion: Int32Array
  k: number
  /** Per validation sample, in split order: its true class. */
  labels: Uint16Array
  /** Per validation sample, its k best classes (most likely first) and their scores. */
  topLabels: Uint16Array
  topScores: Float32Array
  histograms: ParameterHistogram[]
  /** The weights at this epoch's end (before any early-stopping restore). */
  weights: StateDict
}

/** Collects the predictions of one evaluation pass over the validation split, batch by batch. */
export class PredictionRecorder {
  readonly k: number
  readonly confusion: Int32Array
  readonly topLabels: Uint16Array
  readonly topScores: Float32Array
  readonly labels: Uint16Array
  private seen = 0
  private readonly scores: Float64Array

  constructor(
    readonly size: number,
    readonly classes: number,
    /** Scores are logits to be softmaxed (the network ends in softmax and was run for logits). */
    private readonly softmaxLogits: boolean
  ) {
    if (classes > 65535) throw new Error(`insight: ${classes} classes do not fit the recorded label width`)
    this.k = Math.min(TOP_K, classes)
    this.confusion = new Int32Array(classes * classes)
    this.topLabels = new Uint16Array(size * this.k)
    this.topScores = new Float32Array(size * this.k)
    this.labels = new Uint16Array(size)
    this.scores = new Float64Array(classes)
  }

  /** y: the network's outputs for `labels.length` consecutive samples, [b, classes]. */
  add(y: FloatArray, labels: Int32Array): void {
    const c = this.classes
    const b = labels.length
    if (y.length < b * c) throw new Error(`insight: ${y.length} outputs for ${b} samples of ${c} classes`)
    if (this.seen + b > this.size) throw new Error(`insight: more than the ${this.size} validation samples were recorded`)
    for (let i = 0; i < b; i++) {
      const s = this.scores
      for (let j = 0; j < c; j++) s[j] = y[i * c + j]
      if (this.softmaxLogits) softmaxInPlace(s)
      const row = (this.seen + i) * this.k
      topK(s, this.k, this.topLabels, this.topScores, row)
      this.labels[this.seen + i] = labels[i]
      this.confusion[labels[i] * c + this.topLabels[row]]++
    }
    this.seen += b
  }

  get complete(): boolean {
    return this.seen === this.size
  }
}

function softmaxInPlace(s: Float64Array): void {
  let max = -Infinity
  for (let j = 0; j < s.length; j++) if (s[j] > max) max = s[j]
  let sum = 0
  for (let j = 0; j < s.length; j++) {
    s[j] = Math.exp(s[j] - max)
    sum += s[j]
  }
  for (let j = 0; j < s.length; j++) s[j] /= sum
}

/** The k largest of s (ties: lower class first, as argmax; NaN ranks last) into labels/scores at `at`. */
function topK(s: Float64Array, k: number, labels: Uint16Array, scores: Float32Array, at: number): void {
  for (let r = 0; r < k; r++) {
    let best = -1
    for (let j = 0; j < s.length; j++) {
      if (taken(labels, at, r, j)) continue
      if (best < 0 || s[j] > s[best] || (Number.isNaN(s[best]) && !Number.isNaN(s[j]))) best = j
    }
    labels[at + r] = best
    scores[at + r] = s[best]
  }
}

function taken(labels: Uint16Array, at: number, count: number, j: number): boolean {
  for (let r = 0; r < count; r++) if (labels[at + r] === j) return true
  return false
}

/** Equal-width histogram over [min, max] with mean and standard deviation; NaN/Inf values are skipped. */
export function histogram(values: FloatArray, bins = HISTOGRAM_BINS): HistogramData {
  let min = Infinity
  let max = -Infinity
  let sum = 0
  let n = 0
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v)) continue
    if (v < min) min = v
    if (v > max) max = v
    sum += v
    n++
  }
  const counts = new Array<number>(bins).fill(0)
  if (n === 0) return { min: 0, max: 0, mean: 0, std: 0, counts }
  const mean = sum / n
  let sq = 0
  const width = (max - min) / bins
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (!Number.isFinite(v)) continue
    sq += (v - mean) * (v - mean)
    const bin = width > 0 ? Math.min(bins - 1, Math.floor((v - min) / width)) : Math.floor(bins / 2)
    counts[bin]++
  }
  return { min, max, mean, std: Math.sqrt(sq / n), counts }
}

export function parameterHistograms(params: readonly NamedParam[]): ParameterHistogram[] {
  return params.map((p) => ({ name: p.name, layer: p.layer, weights: histogram(p.value.data), gradients: histogram(p.grad.data) }))
}
