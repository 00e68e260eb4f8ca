/**
 * The live-runs store against the real backend: a WorkbenchService on a temporary SQLite database with
 * real engine processes training tiny runs on 'shapes'. The client in between copies every payload as
 * a transport would, and can hold metrics:series answers back to widen the history/live seam.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { WorkbenchChannel, WorkbenchClient, WorkbenchEvents, WorkbenchRequest, WorkbenchResponse } from '../../src-main/contract/workbench-api'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useLiveRunsStore, type LiveRun } from '../../src-renderer/src/stores/live-runs'
import { network, STEPS_PER_EPOCH, training } from '../runs/helpers'

let backend: WorkbenchBackend | null = null
beforeEach(() => setActivePinia(createPinia()))
afterEach(() => {
  useLiveRunsStore().dispose()
  backend?.close()
  backend = null
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

async function until(what: string, predicate: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await sleep(10)
  }
}

interface Harness {
  b: WorkbenchBackend
  /** Last step of each loss history the client answered with. */
  historyLastSteps: number[]
}

/**
 * A WorkbenchClient over the service; metrics:series waits `seriesDelayMs` before and after reading.
 * `dropSteps` run:steps events are lost after `dropAfterStep` (a transport that missed some).
 * `lateControlAnswers`: the answer to runs:pause/stop arrives only after the run's next status event
 * (over HTTP, answers and events travel on different connections and can overtake each other).
 */
function connect(
  seriesDelayMs = 0,
  drop: { dropSteps: number; dropAfterStep: number } = { dropSteps: 0, dropAfterStep: 0 },
  lateControlAnswers = false
): Harness {
  let toDrop = drop.dropSteps
  // The JavaScript kernels: these tests need steps still arriving while the history loads (the seam),
  // and the WebAssembly kernels can finish a whole run on shapes within that window.
  backend = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-live-')), 'runs.sqlite'), concurrency: 2, backend: 'js' })
  const b = backend
  const historyLastSteps: number[] = []
  const client: WorkbenchClient = {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>> {
      const wire = JSON.parse(JSON.stringify(request)) as unknown
      if (channel === 'metrics:series' && seriesDelayMs > 0) await sleep(seriesDelayMs)
      if (lateControlAnswers && (channel === 'runs:pause' || channel === 'runs:stop')) {
        const { runId } = request as WorkbenchRequest<'runs:pause'>
        // Registered after the store's own subscription, so the store has seen the event when this resolves.
        const statusSeen = new Promise<void>((resolve) => {
          const off = b.service.events.on('run:status', (e) => {
            if (e.runId !== runId) return
            off()
            resolve()
          })
        })
        const answer = JSON.parse(JSON.stringify(await b.service.invoke(channel, wire))) as WorkbenchResponse<C>
        await statusSeen
        return answer
      }
      const result = JSON.parse(JSON.stringify(await b.service.invoke(channel, wire))) as WorkbenchResponse<C>
      if (channel === 'metrics:series') {
        const r = request as WorkbenchRequest<'metrics:series'>
        const points = result as WorkbenchResponse<'metrics:series'>
        if (r.name === 'loss' && r.split === 'train') historyLastSteps.push(points[points.length - 1]?.step ?? 0)
        if (seriesDelayMs > 0) await sleep(seriesDelayMs)
      }
      return result
    },
    subscribe<E extends keyof WorkbenchEvents>(event: E, cb: (payload: WorkbenchEvents[E]) => void) {
      return b.service.events.on(event, (payload) => {
        if (event === 'run:steps' && toDrop > 0 && (payload as WorkbenchEvents['run:steps']).steps[0]!.step > drop.dropAfterStep) {
          toDrop--
          return
        }
        cb(JSON.parse(JSON.stringify(payload)) as WorkbenchEvents[E])
      })
    }
  }
  setWorkbench(client)
  return { b, historyLastSteps }
}

/** The run's stored curve, for comparison with what the store assembled. */
async function stored(b: WorkbenchBackend, runId: number, name: string, split: 'train' | 'val'): Promise<{ x: number; y: number }[]> {
  const points = await b.service.invoke('metrics:series', { runId, name, split, maxPoints: 10_000 })
  return points.map((p) => ({ x: p.step, y: p.value ?? NaN }))
}

function steps(points: { x: number }[]): number[] {
  return points.map((p) => p.x)
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('live-runs store (real backend, real engine)', () => {
  it('joins history and live events at the seam: no duplicates, no gaps, identical to the stored curves', async () => {
    const { b, historyLastSteps } = connect(400)
    // Long enough that the run still trains while the store loads its history, even when the engine
    // process gets a whole core to itself (5 epochs could end before the first history fetch).
    const epochs = 20
    const run = await b.service.invoke('runs:start', { name: 'seam', network, training: training(epochs) })
    // Watch the steps that arrive while the store loads.
    const liveSteps: number[] = []
    let loading = false
    b.service.events.on('run:steps', (e) => {
      if (e.runId === run.id && loading) liveSteps.push(...e.steps.map((s) => s.step))
    })
    await new Promise<void>((resolve) => {
      const off = b.service.events.on('run:steps', (e) => {
        if (e.runId === run.id && e.steps.some((s) => s.step >= 10)) {
          off()
          resolve()
        }
      })
    })
    const store = useLiveRunsStore()
    loading = true
    const live = await store.open(run.id)
    loading = false
    expect(live.loadError).toBeNull()
    // The seam was exercised both ways: events for steps the history already held, and newer ones.
    const seam = historyLastSteps[0]!
    expect(seam).toBeGreaterThanOrEqual(10)
    expect(liveSteps.some((s) => s <= seam)).toBe(true)
    expect(liveSteps.some((s) => s > seam)).toBe(true)

    expect(await b.manager.settled(String(run.id))).toBe('completed')
    await until('the completed status', () => live.status === 'completed')
    const total = epochs * STEPS_PER_EPOCH
    for (const key of ['loss', 'accuracy', 'lr', 'imagesPerSecond'] as const) expect(steps(live.series[key]), key).toEqual(range(1, total))
    expect(live.series.loss).toEqual(await stored(b, run.id, 'loss', 'train'))
    expect(live.series.accuracy).toEqual(await stored(b, run.id, 'accuracy', 'train'))
    expect(live.series.valLoss).toEqual(await stored(b, run.id, 'loss', 'val'))
    expect(live.series.epochLoss).toEqual(await stored(b, run.id, 'epoch_loss', 'train'))
    expect(live.epochs.map((e) => e.epoch)).toEqual(range(0, epochs - 1))
    expect(live.epochs.map((e) => e.step)).toEqual(range(1, epochs).map((e) => e * STEPS_PER_EPOCH))
    expect(live).toMatchObject({ lastStep: total, epochsCompleted: epochs, trainingEpoch: epochs - 1 })
    expect(live.start).toMatchObject({ stepsPerEpoch: STEPS_PER_EPOCH, trainSize: 1800, validationSize: 200, backend: expect.stringMatching(/^(js|wasm-simd|wasm-relaxed)$/) })
    await until('the final record', () => live.run?.status === 'completed')
    expect(live.bestEpoch).toBe(live.run!.bestEpoch)
    expect(live.revision).toBeGreaterThan(1)
  })

  it('follows pause, resume and stop from the events; the curve continues without a seam', async () => {
    const { b } = connect()
    const run = await b.service.invoke('runs:start', { name: 'controls', network, training: training(8) })
    const store = useLiveRunsStore()
    const live: LiveRun = await store.open(run.id)
    await until('a few steps', () => live.lastStep >= 5)
    await store.control(run.id, 'pause')
    await until('paused', () => live.status === 'paused')
    const pausedAt = live.lastStep
    await sleep(200)
    expect(live.lastStep).toBe(pausedAt)
    await store.control(run.id, 'resume')
    await until('running again past the pause', () => live.status === 'running' && live.lastStep > pausedAt + 3)
    await store.control(run.id, 'stop')
    await until('stopped', () => live.status === 'stopped')
    expect(await b.manager.settled(String(run.id))).toBe('stopped')
    const db = await stored(b, run.id, 'loss', 'train')
    expect(steps(live.series.loss)).toEqual(range(1, db.length))
    expect(live.series.loss).toEqual(db)
    await expect(store.control(run.id, 'resume')).rejects.toMatchObject({ name: 'Conflict' })
  })

  it('keeps the status from the events when a control answer arrives after them', async () => {
    const { b } = connect(0, undefined, true)
    const run = await b.service.invoke('runs:start', { name: 'late answers', network, training: training(50) })
    const store = useLiveRunsStore()
    const live: LiveRun = await store.open(run.id)
    await until('a few steps', () => live.lastStep >= 5)
    // The answer says 'running' (the engine had not paused yet when it was written); the event that
    // came before it said 'paused' and is the newer truth.
    await store.control(run.id, 'pause')
    expect(live.status).toBe('paused')
    expect(await b.manager.settled(String(run.id))).toBe('paused')
    await store.control(run.id, 'resume')
    await until('running again', () => live.status === 'running' && live.lastStep > 0)
    await store.control(run.id, 'stop')
    expect(live.status).toBe('stopped')
    expect(await b.manager.settled(String(run.id))).toBe('stopped')
  })

  it('reloads the history when events were missed, and ends with every step once', async () => {
    const { b } = connect(0, { dropSteps: 2, dropAfterStep: 20 })
    const epochs = 3
    const run = await b.service.invoke('runs:start', { name: 'holes', network, training: training(epochs) })
    const store = useLiveRunsStore()
    const live = await store.open(run.id)
    await until('steps past the hole', () => live.lastStep > 20)
    expect(await b.manager.settled(String(run.id))).toBe('completed')
    await until('the completed status', () => live.status === 'completed')
    await until('the reload', () => live.generation >= 2 && !store.runs.get(run.id)!.loading)
    await sleep(100)
    expect(steps(live.series.loss)).toEqual(range(1, epochs * STEPS_PER_EPOCH))
    expect(live.series.loss).toEqual(await stored(b, run.id, 'loss', 'train'))
    expect(live.epochs.map((e) => e.epoch)).toEqual(range(0, epochs - 1))
  })

  it('loads a finished run from history alone, shares it between users and reports a missing run', async () => {
    const { b } = connect()
    const run = await b.service.invoke('runs:start', { name: 'done', network, training: training(1) })
    expect(await b.manager.settled(String(run.id))).toBe('completed')
    const store = useLiveRunsStore()
    const a = await store.open(run.id)
    const again = await store.open(run.id)
    expect(again).toBe(a)
    expect(a).toMatchObject({ status: 'completed', lastStep: STEPS_PER_EPOCH, epochsCompleted: 1, bestEpoch: 0, loading: false })
    expect(a.series.valAccuracy).toHaveLength(1)
    expect(a.series.valAccuracy[0]!.x).toBe(STEPS_PER_EPOCH)
    store.release(run.id)
    expect(store.runs.has(run.id)).toBe(true)
    store.release(run.id)
    expect(store.runs.has(run.id)).toBe(false)
    const missing = await store.open(9999)
    expect(missing.loadError).toMatch(/run #9999 does not exist/)
  })
})
