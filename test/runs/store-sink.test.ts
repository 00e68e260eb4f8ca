import type { EpochInsight } from '../../src-engine/train/insight'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { decodeCheckpoint } from '../../src-engine/train/checkpoint'
import type { StepEvent } from '../../src-engine/protocol'
import type { Checkpoint } from '../../src-engine/train/checkpoint'
import { forkLauncher } from '../../src-main/runs/launcher'
import { RunManager } from '../../src-main/runs/run-manager'
import { decodeStateDict, type ArtifactKind, type CheckpointKind, type EpochEvent, type RunSink, type RunStatus, type StartEvent, type StatusInfo } from '../../src-main/runs/run-sink'
import { StoreRunSink, storeRunId } from '../../src-main/runs/store-sink'
import { RunStore } from '../../src-main/store/run-store'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { network, PROCESS_TEST_BACKEND, STEPS_PER_EPOCH, training } from './helpers'

const ALL = 1_000_000

let managers: RunManager[] = []
let stores: RunStore[] = []
afterEach(() => {
  for (const m of managers) m.shutdown()
  for (const s of stores) s.close()
  managers = []
  stores = []
})

function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tatami-store-sink-')), 'runs.db')
}

function openStore(path: string): RunStore {
  const store = RunStore.open(path)
  stores.push(store)
  return store
}

function makeManager(sink: RunSink): RunManager {
  const manager = new RunManager({ launcher: forkLauncher(), sink, concurrency: 1, backend: PROCESS_TEST_BACKEND })
  managers.push(manager)
  return manager
}

function createRun(store: RunStore, name: string, config: TrainConfig): string {
  return String(store.createRun({ name, network, training: config }))
}

/** The stored train-loss series as [step, epoch, value]. */
function lossSeries(store: RunStore, runId: string): [number, number, number | null][] {
  return store.metricSeries(storeRunId(runId), 'loss', 'train', ALL).map((p) => [p.step, p.epoch, p.value])
}

/** Trains an uninterrupted reference run in a database of its own; resolves with its store when it completed. */
async function reference(config: TrainConfig): Promise<{ store: RunStore; runId: string }> {
  const store = openStore(dbPath())
  const runId = createRun(store, 'reference', config)
  const manager = makeManager(new StoreRunSink(store))
  manager.enqueue({ runId, network, training: config })
  expect(await manager.settled(runId)).toBe('completed')
  return { store, runId }
}

/** A sink that stops writing once `dead` is set: the app process dying together with its engine. */
class DyingSink implements RunSink {
  dead = false
  constructor(private readonly inner: RunSink) {}
  setStatus(runId: string, status: RunStatus, info?: StatusInfo): void {
    if (!this.dead) this.inner.setStatus(runId, status, info)
  }
  appendSteps(runId: string, steps: StepEvent[]): void {
    if (!this.dead) this.inner.appendSteps(runId, steps)
  }
  appendEpoch(runId: string, epoch: EpochEvent): void {
    if (!this.dead) this.inner.appendEpoch(runId, epoch)
  }
  recordStart(runId: string, start: StartEvent): void {
    if (!this.dead) this.inner.recordStart(runId, start)
  }
  saveCheckpoint(runId: string, kind: CheckpointKind, checkpoint: Checkpoint): void {
    if (!this.dead) this.inner.saveCheckpoint(runId, kind, checkpoint)
  }
  saveArtifact(runId: string, kind: ArtifactKind, stateDict: Uint8Array): void {
    if (!this.dead) this.inner.saveArtifact(runId, kind, stateDict)
  }
  loadCheckpoint(runId: string, kind: 'latest'): Checkpoint | null {
    return this.inner.loadCheckpoint(runId, kind)
  }
  saveInsight(runId: string, insight: EpochInsight): void {
    if (!this.dead) this.inner.saveInsight(runId, insight)
  }
}

/**
 * Starts a run and SIGKILLs its engine as soon as a step of the second epoch arrives (after the first
 * epoch's checkpoint). The engine does not wait for the main process, so runs must be long enough
 * (4 epochs here) that it cannot have finished before the kill.
 */
function startAndKill(manager: RunManager, runId: string, config: TrainConfig, beforeKill: () => void = () => {}): Promise<RunStatus> {
  const off = manager.on('steps', (e) => {
    if (e.runId === runId && e.steps.at(-1)!.epoch >= 1) {
      off()
      beforeKill()
      process.kill(manager.pid(runId)!, 'SIGKILL')
    }
  })
  manager.enqueue({ runId, network, training: config })
  return manager.settled(runId)
}

describe('StoreRunSink', () => {
  it('refuses run ids that are not store ids', () => {
    const store = openStore(dbPath())
    const sink = new StoreRunSink(store)
    for (const bad of ['abc', '', '0', '-1', '1.5', '01', ' 1', '1e3']) {
      expect(() => sink.setStatus(bad, 'running')).toThrow(/not a store run id/)
    }
    expect(storeRunId('42')).toBe(42)
    // A numeric id of a run the store does not have is the store's error.
    expect(() => sink.setStatus('42', 'running')).toThrow()
    expect(sink.loadCheckpoint(createRun(store, 'empty', training(1)), 'latest')).toBeNull()
  })

  it('stores a real run: status, per-step and per-epoch metrics, checkpoint, final weights and summary', async () => {
    const store = openStore(dbPath())
    const runId = createRun(store, 'stored', training(2))
    const id = storeRunId(runId)
    const manager = makeManager(new StoreRunSink(store))
    const seen: RunStatus[] = []
    manager.on('status', (e) => {
      seen.push(e.status)
      expect(store.getRun(id)!.status).toBe(e.status)
    })
    manager.enqueue({ runId, network, training: training(2) })
    expect(await manager.settled(runId)).toBe('completed')
    expect(seen).toEqual(['queued', 'running', 'completed'])

    const run = store.getRun(id)!
    expect(run.status).toBe('completed')
    expect(run.error).toBeNull()
    expect(run.startedAt).toBeGreaterThan(0)
    expect(run.finishedAt).toBeGreaterThanOrEqual(run.startedAt!)

    const total = 2 * STEPS_PER_EPOCH
    const loss = store.metricSeries(id, 'loss', 'train', ALL)
    expect(loss.map((p) => p.step)).toEqual(Array.from({ length: total }, (_, i) => i + 1))
    expect(loss.every((p) => typeof p.value === 'number' && Number.isFinite(p.value))).toBe(true)
    expect(loss[0].epoch).toBe(0)
    expect(loss.at(-1)!.epoch).toBe(1)
    for (const name of ['accuracy', 'lr', 'images_per_second']) expect(store.metricSeries(id, name, 'train', ALL)).toHaveLength(total)

    const valAccuracy = store.metricSeries(id, 'accuracy', 'val', ALL)
    expect(valAccuracy.map((p) => [p.epoch, p.step])).toEqual([
      [0, STEPS_PER_EPOCH],
      [1, total]
    ])
    expect(valAccuracy.every((p) => p.value !== null && p.value >= 0 && p.value <= 1)).toBe(true)
    expect(store.metricSeries(id, 'loss', 'val', ALL)).toHaveLength(2)
    expect(store.metricSeries(id, 'epoch_loss', 'train', ALL)).toHaveLength(2)

    const stored = store.loadCheckpoint(id, 'latest')!
    expect(stored).toMatchObject({ epoch: 2, step: total })
    const checkpoint = decodeCheckpoint(stored.bytes)
    expect(checkpoint.globalStep).toBe(total)
    expect(checkpoint.config).toMatchObject({ seed: 3, epochs: 2, dataset: { id: 'shapes' } })
    expect(store.loadCheckpoint(id, 'best')).not.toBeNull()

    const final = store.loadArtifact(id, 'final')!
    expect(decodeStateDict(final.bytes)).toEqual(checkpoint.weights)

    expect(run.summary).not.toBeNull()
    const summary = run.summary!
    expect(summary.outcome).toBe('completed')
    expect(summary.epochsCompleted).toBe(2)
    expect(summary.finalValAccuracy).toBe(valAccuracy[1].value)
    expect(summary.finalTrainLoss).toBe(store.metricSeries(id, 'epoch_loss', 'train', ALL)[1].value)
    expect(summary.bestValAccuracy).toBeGreaterThan(0)
    expect(summary.bestValLoss).toBeGreaterThan(0)
    expect(run.bestEpoch === 0 || run.bestEpoch === 1).toBe(true)
  }, 60000)

  it('resumes a run killed mid-run after the store is closed and reopened, matching an uninterrupted run', async () => {
    const config = training(4, 11)
    const ref = reference(config)
    const path = dbPath()
    let store = openStore(path)
    const runId = createRun(store, 'killed', config)
    const id = storeRunId(runId)

    const first = makeManager(new StoreRunSink(store))
    expect(await startAndKill(first, runId, config)).toBe('interrupted')
    // The manager saw its engine go away and marked the run itself.
    expect(store.getRun(id)!.status).toBe('interrupted')
    const beforeRestart = lossSeries(store, runId)
    expect(beforeRestart.length).toBeGreaterThan(STEPS_PER_EPOCH)
    const checkpointStep = store.loadCheckpoint(id, 'latest')!.step
    expect(checkpointStep).toBeGreaterThanOrEqual(STEPS_PER_EPOCH)
    store.close()

    // "Restart": reopen the same file; there is nothing left 'running' to mark.
    store = openStore(path)
    expect(store.markInterruptedRuns()).toEqual([])
    expect(store.getRun(id)!.status).toBe('interrupted')
    expect(lossSeries(store, runId)).toEqual(beforeRestart)

    const second = makeManager(new StoreRunSink(store))
    const resumedSteps: number[] = []
    second.on('steps', (e) => resumedSteps.push(...e.steps.map((s) => s.step)))
    second.resume(runId, { network, training: config })
    expect(await second.settled(runId)).toBe('completed')
    // It continued from the stored checkpoint, replaying the killed attempt's steps after it.
    expect(resumedSteps[0]).toBe(checkpointStep + 1)

    const { store: refStore, runId: refId } = await ref
    const series = lossSeries(store, runId)
    expect(series.map((p) => p[0])).toEqual(Array.from({ length: 4 * STEPS_PER_EPOCH }, (_, i) => i + 1))
    expect(series).toEqual(lossSeries(refStore, refId))
    expect(store.getRun(id)!.summary).toEqual(refStore.getRun(storeRunId(refId))!.summary)
    expect(store.loadArtifact(id, 'final')!.bytes).toEqual(refStore.loadArtifact(storeRunId(refId), 'final')!.bytes)
  }, 90000)

  it('recovers a run left "running" when the app died with its engine: markInterruptedRuns returns it and it resumes', async () => {
    const config = training(4, 5)
    const ref = reference(config)
    const path = dbPath()
    let store = openStore(path)
    const runId = createRun(store, 'crashed', config)
    const id = storeRunId(runId)

    const sink = new DyingSink(new StoreRunSink(store))
    const first = makeManager(sink)
    expect(
      await startAndKill(first, runId, config, () => {
        sink.dead = true
      })
    ).toBe('interrupted')
    expect(store.getRun(id)!.status).toBe('running')
    store.close()

    store = openStore(path)
    expect(store.markInterruptedRuns()).toEqual([id])
    expect(store.getRun(id)!.status).toBe('interrupted')

    const second = makeManager(new StoreRunSink(store))
    second.resume(runId, { network, training: config })
    expect(await second.settled(runId)).toBe('completed')

    const { store: refStore, runId: refId } = await ref
    const series = lossSeries(store, runId)
    expect(series).toHaveLength(4 * STEPS_PER_EPOCH)
    expect(series).toEqual(lossSeries(refStore, refId))
  }, 90000)
})
