/**
 * Progress, ETA and curve smoothing for a training run, as pure functions of what the store holds.
 * Steps are global and 1-based (the step just taken); epochs are 0-based in events.
 */

export interface ProgressInput {
  /** Planned epochs (training.epochs). */
  epochs: number
  /** From the run's summary or the run:start event; null before the engine reported it. */
  stepsPerEpoch: number | null
  trainSize: number | null
  batchSize: number
  /** Last step taken (0 before the first). */
  lastStep: number
  /** Epochs fully completed (validation included). */
  epochsCompleted: number
  /** Recent training throughput (images per second); null or 0 when unknown. */
  imagesPerSecond: number | null
}

export interface Progress {
  /** 0..1 of all planned steps. null while stepsPerEpoch is unknown. */
  fraction: number | null
  /** The epoch being trained, 1-based, capped at epochs. */
  currentEpoch: number
  totalSteps: number | null
  /** Seconds to the end at the recent throughput; null when unknown. */
  etaSeconds: number | null
}

export function computeProgress(p: ProgressInput): Progress {
  const currentEpoch = Math.min(p.epochs, p.epochsCompleted + 1)
  if (!p.stepsPerEpoch || p.stepsPerEpoch <= 0) return { fraction: null, currentEpoch, totalSteps: null, etaSeconds: null }
  const totalSteps = p.stepsPerEpoch * p.epochs
  const done = Math.min(totalSteps, Math.max(p.lastStep, p.epochsCompleted * p.stepsPerEpoch))
  const fraction = totalSteps > 0 ? done / totalSteps : 1
  let etaSeconds: number | null = null
  if (p.imagesPerSecond && p.imagesPerSecond > 0) {
    // Images left: the whole training split each remaining epoch (the last batch may be partial).
    const perEpoch = p.trainSize ?? p.stepsPerEpoch * p.batchSize
    const stepsLeft = totalSteps - done
    const fullEpochsLeft = Math.floor(stepsLeft / p.stepsPerEpoch)
    const partialSteps = stepsLeft - fullEpochsLeft * p.stepsPerEpoch
    const imagesLeft = fullEpochsLeft * perEpoch + Math.min(perEpoch, partialSteps * p.batchSize)
    etaSeconds = imagesLeft / p.imagesPerSecond
  }
  return { fraction, currentEpoch, totalSteps, etaSeconds }
}

/** Mean of the last `window` finite values (recent throughput from per-step images/s). */
export function recentMean(values: readonly { y: number }[], window = 20): number | null {
  let sum = 0
  let n = 0
  for (let i = values.length - 1; i >= 0 && n < window; i--) {
    const y = values[i]!.y
    if (Number.isFinite(y)) {
      sum += y
      n++
    }
  }
  return n > 0 ? sum / n : null
}

/** "1:02:03", "4:05", "0:07". */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return '—'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  const pad = (n: number) => String(n).padStart(2, '0')
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`
}

export interface XYPoint {
  x: number
  y: number
}

/**
 * Exponential moving average with bias correction (TensorBoard's smoothing): weight 0 is the raw curve,
 * 0.99 very smooth. Non-finite values (a diverged step) are skipped.
 */
/** The bias-corrected EMA of `source`, as a new array (the reference extendSmoothed matches). */
export function smooth(source: readonly XYPoint[], weight: number): XYPoint[] {
  const out: XYPoint[] = []
  const s = newSmoother()
  extendSmoothed(source, out, weight, s)
  return out
}

export interface Smoother {
  /** Points of source consumed. */
  consumed: number
  /** Raw (biased) running average and the number of finite points averaged. */
  average: number
  finite: number
}

export function newSmoother(): Smoother {
  return { consumed: 0, average: 0, finite: 0 }
}

/** Appends the smoothed points for source[s.consumed…] to out. */
export function extendSmoothed(source: readonly XYPoint[], out: XYPoint[], weight: number, s: Smoother): void {
  for (let i = s.consumed; i < source.length; i++) {
    const p = source[i]!
    if (!Number.isFinite(p.y)) continue
    s.average = s.average * weight + (1 - weight) * p.y
    s.finite++
    const correction = 1 - weight ** s.finite
    out.push({ x: p.x, y: correction > 0 ? s.average / correction : p.y })
  }
  s.consumed = source.length
}
