/**
 * From a study's runs to its ranking and a few sentences in words. Pure: the service feeds it the runs'
 * per-epoch metrics from the store; tests feed it numbers.
 */
import type { EpochPoint, StudyDefinition, VariantResult } from './study-types'

export interface RunOutcome {
  runId: number
  status: string
  /** The engine's outcome ('completed', 'early_stopped', …) when finished. */
  outcome: string | null
  epochs: EpochPoint[]
  seconds: number | null
}

const ENDED = new Set(['completed', 'stopped', 'diverged', 'failed'])

/** A run that will train no more (paused and interrupted runs may go on). */
export function runEnded(status: string): boolean {
  return ENDED.has(status)
}

export function mean(xs: number[]): number | null {
  return xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length
}
/** Sample standard deviation; null below two values. */
export function std(xs: number[]): number | null {
  const m = mean(xs)
  if (m === null || xs.length < 2) return null
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1))
}
function present(xs: (number | null)[]): number[] {
  return xs.filter((x): x is number => x !== null && Number.isFinite(x))
}

/** Train − validation accuracy (points) and loss per epoch, for the gap overlay. */
export function gapSeries(epochs: EpochPoint[]): { epoch: number; accuracyPoints: number | null; loss: number | null }[] {
  return epochs.map((e) => ({
    epoch: e.epoch,
    accuracyPoints: e.trainAccuracy !== null && e.valAccuracy !== null ? (e.trainAccuracy - e.valAccuracy) * 100 : null,
    loss: e.trainLoss !== null && e.valLoss !== null ? e.valLoss - e.trainLoss : null
  }))
}

export function variantResult(label: string, runs: RunOutcome[]): VariantResult {
  const last = runs.map((r) => r.epochs.at(-1) ?? null)
  const best = runs.map((r) => {
    const accs = r.epochs.filter((e) => e.valAccuracy !== null)
    if (accs.length === 0) return null
    return accs.reduce((b, e) => (e.valAccuracy! > b.valAccuracy! ? e : b))
  })
  const bestAcc = present(best.map((b) => b?.valAccuracy ?? null))
  const gaps = present(last.map((e) => (e && e.trainAccuracy !== null && e.valAccuracy !== null ? (e.trainAccuracy - e.valAccuracy) * 100 : null)))
  const lossGaps = present(last.map((e) => (e && e.trainLoss !== null && e.valLoss !== null ? e.valLoss - e.trainLoss : null)))
  const bestEpochs = present(best.map((b) => b?.epoch ?? null))
  const earlyStops = runs.filter((r) => r.outcome === 'early_stopped').map((r) => r.epochs.at(-1)?.epoch ?? null)
  return {
    label,
    runIds: runs.map((r) => r.runId),
    finished: runs.filter((r) => runEnded(r.status)).length,
    finalTrainAccuracy: mean(present(last.map((e) => e?.trainAccuracy ?? null))),
    finalValAccuracy: mean(present(last.map((e) => e?.valAccuracy ?? null))),
    bestValAccuracy: mean(bestAcc),
    bestValAccuracyStd: std(bestAcc),
    finalGapPoints: mean(gaps),
    finalGapPointsStd: std(gaps),
    finalLossGap: mean(lossGaps),
    bestEpoch: bestEpochs.length === 0 ? null : Math.round(mean(bestEpochs)!),
    stoppedEarlyAt: earlyStops.length > 0 && earlyStops[0] !== null ? earlyStops[0] : null,
    seconds: mean(present(runs.map((r) => r.seconds)))
  }
}

const pts = (x: number) => x.toFixed(1)
const pct = (x: number) => (x * 100).toFixed(1)

/**
 * Sentences comparing every variant with the first (the baseline), e.g. "dropout 0.5 cut the final gap
 * from 9.8 to 3.1 points and raised best validation accuracy by 2.0 points (90.1% → 92.1%)."
 */
export function summarizeStudy(definition: Pick<StudyDefinition, 'factor' | 'repeats'>, results: VariantResult[]): string[] {
  const done = results.filter((r) => r.finished > 0 && r.bestValAccuracy !== null)
  if (done.length === 0) return ['No variant has finished yet.']
  const out: string[] = []
  const base = results[0]!
  const seeds = definition.repeats > 1 ? ` (means over ${definition.repeats} seeds)` : ''
  if (base.finalGapPoints !== null && base.finalTrainAccuracy !== null && base.finalValAccuracy !== null) {
    out.push(
      `${cap(base.label)}: training accuracy ended at ${pct(base.finalTrainAccuracy)}% and validation at ${pct(base.finalValAccuracy)}%, a gap of ${pts(base.finalGapPoints)} points${seeds}.`
    )
  }
  for (const r of results.slice(1)) {
    if (r.bestValAccuracy === null || base.bestValAccuracy === null) continue
    const parts: string[] = []
    if (r.finalGapPoints !== null && base.finalGapPoints !== null) {
      // The size of the gap is what matters: a negative gap (validation above training, e.g. with dropout
      // active while training accuracy is measured) far below zero is a wide gap, not a cut one.
      const now = Math.abs(r.finalGapPoints)
      const before = Math.abs(base.finalGapPoints)
      const verb = now < before - 0.05 ? 'cut' : now > before + 0.05 ? 'widened' : 'left'
      const sign = r.finalGapPoints < 0 ? ' (validation above training)' : ''
      parts.push(verb === 'left' ? `left the final gap at ${pts(r.finalGapPoints)} points${sign}` : `${verb} the final gap from ${pts(base.finalGapPoints)} to ${pts(r.finalGapPoints)} points${sign}`)
    }
    const d = (r.bestValAccuracy - base.bestValAccuracy) * 100
    const dv = Math.abs(d) < 0.05 ? 'matched best validation accuracy' : `${d > 0 ? 'raised' : 'lowered'} best validation accuracy by ${pts(Math.abs(d))} points`
    parts.push(`${dv} (${pct(base.bestValAccuracy)}% → ${pct(r.bestValAccuracy)}%)`)
    const early = r.stoppedEarlyAt !== null ? `; early stopping ended it at epoch ${r.stoppedEarlyAt + 1}` : ''
    out.push(`${cap(r.label)} ${parts.join(' and ')}${early}.`)
  }
  const winner = done.reduce((b, r) => (r.bestValAccuracy! > b.bestValAccuracy! ? r : b))
  const smallestGap = done.filter((r) => r.finalGapPoints !== null).reduce<VariantResult | null>((b, r) => (b === null || Math.abs(r.finalGapPoints!) < Math.abs(b.finalGapPoints!) ? r : b), null)
  out.push(`Best validation accuracy: ${winner.label} (${pct(winner.bestValAccuracy!)}%).` + (smallestGap ? ` Smallest final gap: ${smallestGap.label} (${pts(smallestGap.finalGapPoints!)} points).` : ''))
  const pending = results.filter((r) => r.finished < r.runIds.length).length
  if (pending > 0) out.push(`${pending} variant${pending === 1 ? ' is' : 's are'} still training; these numbers will change.`)
  return out
}

/** Capitalized for the start of a sentence, except labels that are config paths ("optimizer.lr=0.01"). */
function cap(s: string): string {
  return s.includes('=') ? s : s.charAt(0).toUpperCase() + s.slice(1)
}

/** Ranking order: best validation accuracy first, unfinished variants last. */
export function rankVariants(results: VariantResult[]): VariantResult[] {
  return [...results].sort((a, b) => (b.bestValAccuracy ?? -1) - (a.bestValAccuracy ?? -1))
}
