/**
 * StoreRunSink: the RunSink backed by the SQLite RunStore, so what the RunManager learns about a run
 * (status, metrics, checkpoints, final weights, summary) survives the app.
 *
 * The manager's run ids are strings, the store's are integers: the run must already exist in the store
 * (RunStore.createRun) and its id is passed to the manager as String(id).
 *
 * Metric rows written (one appendMetrics transaction per call):
 * - each step: split 'train', names 'loss', 'accuracy', 'lr', 'images_per_second' at the step;
 * - each epoch, at the epoch's last step: split 'train' 'epoch_loss', 'epoch_accuracy', 'epoch_lr', and
 *   split 'val' 'loss', 'accuracy' (when the run has a validation split). The epoch's learning rate is
 *   named 'epoch_lr' rather than 'lr' because ('lr', 'train', step) is the per-step row of that same
 *   step, which it would otherwise overwrite.
 * A resumed run replays the steps after its checkpoint; the store's upsert on (run, name, split, step)
 * keeps exactly one row per step.
 */
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src-engine/train/checkpoint'
import type { StepEvent } from '../../src-engine/protocol'
import type { EpochInsight } from '../../src-engine/train/insight'
import type { RunStore } from '../store/run-store'
import type { MetricRow, RunErrorInfo, RunSummary } from '../store/types'
import { encodeStateDict, type ArtifactKind, type CheckpointKind, type DoneEvent, type EpochEvent, type RunSink, type RunStatus, type StartEvent, type StatusInfo } from './run-sink'

/** Converts a RunManager run id to the store's integer id; anything else is refused. */
export function storeRunId(runId: string): number {
  const id = /^[1-9][0-9]*$/.test(runId) ? Number(runId) : NaN
  if (!Number.isSafeInteger(id)) {
    throw new Error(`run id "${runId}" is not a store run id: the store sink needs the positive integer id from RunStore.createRun, as a string`)
  }
  return id
}

export class StoreRunSink implements RunSink {
  constructor(readonly store: RunStore) {}

  setStatus(runId: string, status: RunStatus, info?: StatusInfo): void {
    const id = storeRunId(runId)
    if (status === 'failed') {
      const error: RunErrorInfo = info?.error
        ? { name: info.error.name, message: info.error.message, ...(info.error.stack !== undefined ? { stack: info.error.stack } : {}) }
        : { name: 'Error', message: info?.message ?? 'the run failed' }
      this.store.setStatus(id, status, { error })
    } else if (status === 'running') {
      // A fresh attempt: an error from an earlier one no longer describes the run.
      this.store.setStatus(id, status, { error: null })
    } else {
      this.store.setStatus(id, status)
    }
    if (info?.done) this.store.setSummary(id, this.summary(id, info.done), info.done.bestEpoch)
  }

  appendSteps(runId: string, steps: StepEvent[]): void {
    const id = storeRunId(runId)
    const rows: MetricRow[] = []
    for (const s of steps) {
      const at = { step: s.step, epoch: s.epoch, split: 'train' as const, elapsedMs: Math.round(s.elapsedMs) }
      rows.push(
        { ...at, name: 'loss', value: s.loss },
        { ...at, name: 'accuracy', value: s.accuracy },
        { ...at, name: 'lr', value: s.lr },
        { ...at, name: 'images_per_second', value: s.imagesPerSecond }
      )
    }
    this.store.appendMetrics(id, rows)
  }

  appendEpoch(runId: string, e: EpochEvent): void {
    const id = storeRunId(runId)
    const elapsedMs = Math.round(e.elapsedMs)
    const train = { step: e.step, epoch: e.epoch, split: 'train' as const, elapsedMs }
    const val = { step: e.step, epoch: e.epoch, split: 'val' as const, elapsedMs }
    const rows: MetricRow[] = [
      { ...train, name: 'epoch_loss', value: e.trainLoss },
      { ...train, name: 'epoch_accuracy', value: e.trainAccuracy },
      { ...train, name: 'epoch_lr', value: e.lr }
    ]
    if (e.valLoss !== null) rows.push({ ...val, name: 'loss', value: e.valLoss })
    if (e.valAccuracy !== null) rows.push({ ...val, name: 'accuracy', value: e.valAccuracy })
    this.store.appendMetrics(id, rows)
  }

  recordStart(runId: string, start: StartEvent): void {
    const id = storeRunId(runId)
    const run = this.store.getRun(id)
    const { stepsPerEpoch, trainSize, validationSize, parameterCount, backend } = start
    this.store.setSummary(id, { ...run?.summary, stepsPerEpoch, trainSize, validationSize, parameterCount, backend }, run?.bestEpoch ?? null)
  }

  saveCheckpoint(runId: string, kind: CheckpointKind, checkpoint: Checkpoint): void {
    this.store.saveCheckpoint(storeRunId(runId), kind, { bytes: encodeCheckpoint(checkpoint), epoch: checkpoint.epoch, step: checkpoint.globalStep })
  }

  saveArtifact(runId: string, kind: ArtifactKind, stateDict: Uint8Array): void {
    this.store.saveArtifact(storeRunId(runId), kind, stateDict)
  }

  loadCheckpoint(runId: string, kind: 'latest'): Checkpoint | null {
    const id = storeRunId(runId)
    const stored = this.store.loadCheckpoint(id, kind)
    return stored ? decodeCheckpoint(stored.bytes, `the ${kind} checkpoint of run ${id}`) : null
  }

  saveInsight(runId: string, insight: EpochInsight): void {
    const { epoch, classes, scoreKind, k, confusion, labels, topLabels, topScores, histograms, weights } = insight
    this.store.saveInsight(storeRunId(runId), { epoch, classes, scoreKind, k, confusion, labels, topLabels, topScores, histograms }, encodeStateDict(weights))
  }

  /**
   * Best values from the engine's 'done', final values from the last epoch in the store (not from
   * memory, so a run resumed after a restart still gets its final epoch's metrics).
   */
  private summary(id: number, done: DoneEvent): RunSummary {
    const last = (name: string, split: 'train' | 'val') => this.store.metricSeries(id, name, split, 1_000_000).at(-1) ?? null
    const finalEpoch = last('epoch_loss', 'train')
    const at = (name: string, split: 'train' | 'val'): number | null => {
      const p = last(name, split)
      return finalEpoch && p && p.step === finalEpoch.step ? p.value : null
    }
    return {
      ...this.store.getRun(id)?.summary,
      bestValLoss: done.bestValLoss,
      bestValAccuracy: done.bestValAccuracy,
      finalTrainLoss: finalEpoch?.value ?? null,
      finalTrainAccuracy: at('epoch_accuracy', 'train'),
      finalValLoss: at('loss', 'val'),
      finalValAccuracy: at('accuracy', 'val'),
      epochsCompleted: done.epochsCompleted,
      outcome: done.outcome,
      ...(done.backend !== undefined ? { backend: done.backend } : {})
    }
  }
}
