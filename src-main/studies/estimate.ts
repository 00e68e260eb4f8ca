/**
 * How long a study will take, before it is launched: multiply-adds per image from shape inference,
 * times the images each run will see, over a throughput in multiply-adds per second (measured from this
 * database's finished runs when there are any), spread over the runs that train at once.
 */
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import type { StudyVariant } from './study-types'

/** LeNet-5 trains at ~700 images/s on one core of the reference machine with the JavaScript kernels: ≈ 0.9 GMAC/s. */
export const DEFAULT_MACS_PER_SECOND = 0.9e9

/** Training an image costs about three forward passes (forward, gradient of inputs, gradient of weights). */
const TRAIN_COST = 3

export interface RunShape {
  macsPerImage: number
  trainImages: number
  validationImages: number
  epochs: number
}

export function runShape(variant: Pick<StudyVariant, 'network' | 'training'>, datasetSize: number | null): RunShape {
  const analysis = analyzeNetwork(variant.network)
  const d = variant.training.dataset
  const size = datasetSize ?? 10_000
  const validationImages = d.validationSize ?? Math.round(size * 0.2)
  const trainImages = Math.min(d.trainSize ?? size - validationImages, size - validationImages)
  return { macsPerImage: analysis.totalMacs, trainImages, validationImages, epochs: variant.training.epochs }
}

export function runMacs(s: RunShape): number {
  return s.epochs * s.macsPerImage * (TRAIN_COST * s.trainImages + s.validationImages)
}

/**
 * Wall time of all runs with `concurrency` at a time, each on one core at `macsPerSecond`. Longest runs
 * first onto the least-loaded slot (how a queue drains, closely enough for an estimate).
 */
export function estimateSeconds(runs: RunShape[], macsPerSecond: number, concurrency: number): number {
  const slots = new Array<number>(Math.max(1, concurrency)).fill(0)
  for (const t of runs.map((r) => runMacs(r) / macsPerSecond).sort((a, b) => b - a)) {
    let i = 0
    for (let j = 1; j < slots.length; j++) if (slots[j]! < slots[i]!) i = j
    slots[i]! += t
  }
  return Math.max(...slots)
}

/**
 * Throughput observed in finished runs: total multiply-adds over total training seconds, and how many runs it
 * rests on; null without data. Runs under a second are left out: their time is mostly process start-up.
 */
export function measuredMacsPerSecond(finished: { shape: RunShape; seconds: number }[]): { macsPerSecond: number; runs: number } | null {
  const usable = finished.filter((f) => f.seconds > 1 && f.shape.macsPerImage > 0)
  if (usable.length === 0) return null
  const macs = usable.reduce((a, f) => a + runMacs(f.shape), 0)
  const seconds = usable.reduce((a, f) => a + f.seconds, 0)
  return { macsPerSecond: macs / seconds, runs: usable.length }
}
