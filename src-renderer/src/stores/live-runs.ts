/**
 * Runs being watched: their stored history joined seamlessly with the live events.
 *
 * One subscription per event for the whole app. open(runId) loads the run and its metric series while
 * buffering that run's events, then replays the buffer; a point is appended only when its step is past
 * the last step the series already holds, so the seam between history and live events has neither
 * duplicates nor (for undecimated history) gaps. Series are plain arrays, markRaw'd: appending costs no
 * reactivity; each run's `revision` goes up once per applied batch and the charts redraw on it.
 * Events can be missed (the serve transport's event stream connects asynchronously, and reconnects
 * after a drop): a step or epoch arriving past a hole reloads the history (`generation` goes up).
 */
import { defineStore } from 'pinia'
import { markRaw, reactive, shallowReactive } from 'vue'
import type { MetricPoint, MetricSplit, RunRecord, RunStatus, WorkbenchEvents } from '../../../src-main/contract/workbench-api'
import { errorMessage, useWorkbench } from '../api/workbench'
import { recentMean } from '../components/run/progress'

export interface XY {
  x: number
  y: number
}

/** Every curve of a run; x is the global step (epoch points sit at the step that ended the epoch). */
export interface RunSeries {
  loss: XY[]
  accuracy: XY[]
  lr: XY[]
  imagesPerSecond: XY[]
  epochLoss: XY[]
  epochAccuracy: XY[]
  valLoss: XY[]
  valAccuracy: XY[]
}

export interface EpochRow {
  /** 0-based. */
  epoch: number
  step: number
  trainLoss: number | null
  trainAccuracy: number | null
  valLoss: number | null
  valAccuracy: number | null
  lr: number | null
  elapsedMs: number
}

export interface StartInfo {
  stepsPerEpoch: number
  trainSize: number
  validationSize: number
  parameterCount: number
  backend: string
}

export interface LiveRun {
  runId: number
  run: RunRecord | null
  status: RunStatus | null
  /** The engine's words with the last status ("loss became NaN at …"). */
  message: string | null
  error: { name: string; message: string } | null
  start: StartInfo | null
  /** markRaw: read after `revision` changes. */
  series: RunSeries
  /** markRaw, in epoch order. */
  epochs: EpochRow[]
  lastStep: number
  /** 0-based epoch of the step last taken. */
  trainingEpoch: number
  epochsCompleted: number
  elapsedMs: number
  lr: number | null
  /** Mean of the recent steps' throughput. */
  imagesPerSecond: number | null
  /** 0-based best epoch (the engine's isBest; for history, the run's bestEpoch or the best validation value). */
  bestEpoch: number | null
  loading: boolean
  loadError: string | null
  revision: number
  /** Goes up when the series were reloaded in place (a resync): derived curves must be rebuilt. */
  generation: number
  /** Status events applied so far: an answer requested before the latest of them is older than it. */
  statusEvents: number
}

type RunEvent =
  | { kind: 'status'; payload: WorkbenchEvents['run:status'] }
  | { kind: 'steps'; payload: WorkbenchEvents['run:steps'] }
  | { kind: 'epoch'; payload: WorkbenchEvents['run:epoch'] }
  | { kind: 'start'; payload: WorkbenchEvents['run:start'] }

/** At most this many history reloads per opened run (a hole that does not close is left alone). */
const MAX_RESYNCS = 3

/** Most points loaded per step series (the store decimates above this; the chart decimates again for drawing). */
export const HISTORY_MAX_POINTS = 5000
const FINAL: readonly RunStatus[] = ['completed', 'stopped', 'failed', 'diverged', 'paused', 'interrupted']

export const useLiveRunsStore = defineStore('live-runs', () => {
  const runs = shallowReactive(new Map<number, LiveRun>())
  const users = new Map<number, number>()
  const pending = new Map<number, RunEvent[]>()
  const resyncs = new Map<number, number>()
  let unsubscribe: (() => void) | null = null

  function subscribe(): void {
    if (unsubscribe) return
    const wb = useWorkbench()
    const offs = [
      wb.subscribe('run:status', (payload) => route({ kind: 'status', payload })),
      wb.subscribe('run:steps', (payload) => route({ kind: 'steps', payload })),
      wb.subscribe('run:epoch', (payload) => route({ kind: 'epoch', payload })),
      wb.subscribe('run:start', (payload) => route({ kind: 'start', payload }))
    ]
    unsubscribe = () => offs.forEach((off) => off())
  }

  function route(event: RunEvent): void {
    const live = runs.get(event.payload.runId)
    if (!live) return
    const buffer = pending.get(live.runId)
    if (buffer) buffer.push(event)
    else apply(live, event)
  }

  /** Starts watching a run (again): loads its history once, then follows its events. Pair with release(). */
  async function open(runId: number): Promise<LiveRun> {
    subscribe()
    users.set(runId, (users.get(runId) ?? 0) + 1)
    const existing = runs.get(runId)
    if (existing) return existing
    const live = reactive(emptyRun(runId)) as LiveRun
    runs.set(runId, live)
    pending.set(runId, [])
    await load(live)
    return live
  }

  /** Stops watching when the last user lets go. */
  function release(runId: number): void {
    const n = (users.get(runId) ?? 0) - 1
    if (n > 0) {
      users.set(runId, n)
      return
    }
    users.delete(runId)
    runs.delete(runId)
    pending.delete(runId)
    resyncs.delete(runId)
  }

  /** Reloads a run's history in place after missed events (its events are buffered meanwhile). */
  function resync(live: LiveRun): void {
    const n = resyncs.get(live.runId) ?? 0
    if (n >= MAX_RESYNCS || pending.has(live.runId)) return
    resyncs.set(live.runId, n + 1)
    pending.set(live.runId, [])
    void load(live, false)
  }

  /** A failed reload (resync) keeps what is shown; only a failed first load is an error to show. */
  async function load(live: LiveRun, first = true): Promise<void> {
    const wb = useWorkbench()
    const series = (name: string, split: MetricSplit, maxPoints = HISTORY_MAX_POINTS) => wb.invoke('metrics:series', { runId: live.runId, name, split, maxPoints })
    try {
      const run = await wb.invoke('runs:get', { runId: live.runId })
      if (!run) throw new Error(`run #${live.runId} does not exist (deleted?)`)
      const [loss, accuracy, lr, ips, epochLoss, epochAccuracy, epochLr, valLoss, valAccuracy] = await Promise.all([
        series('loss', 'train'),
        series('accuracy', 'train'),
        series('lr', 'train'),
        series('images_per_second', 'train'),
        series('epoch_loss', 'train'),
        series('epoch_accuracy', 'train'),
        series('epoch_lr', 'train'),
        series('loss', 'val'),
        series('accuracy', 'val')
      ])
      if (runs.get(live.runId) !== live) return // released while loading
      const s = live.series
      replace(s.loss, xy(loss))
      replace(s.accuracy, xy(accuracy))
      replace(s.lr, xy(lr))
      replace(s.imagesPerSecond, xy(ips))
      replace(s.epochLoss, xy(epochLoss))
      replace(s.epochAccuracy, xy(epochAccuracy))
      replace(s.valLoss, xy(valLoss))
      replace(s.valAccuracy, xy(valAccuracy))
      replace(live.epochs, epochRows(epochLoss, epochAccuracy, epochLr, valLoss, valAccuracy))
      live.generation++
      setRecord(live, run)
      live.status = run.status
      if (run.error) live.error = { name: run.error.name, message: run.error.message }
      const sum = run.summary
      if (sum?.stepsPerEpoch !== undefined) {
        live.start = {
          stepsPerEpoch: sum.stepsPerEpoch,
          trainSize: sum.trainSize ?? 0,
          validationSize: sum.validationSize ?? 0,
          parameterCount: sum.parameterCount ?? 0,
          backend: sum.backend ?? ''
        }
      }
      const lastLoss = loss[loss.length - 1]
      live.lastStep = lastLoss?.step ?? 0
      live.trainingEpoch = lastLoss?.epoch ?? 0
      live.elapsedMs = Math.max(lastLoss?.elapsedMs ?? 0, epochLoss[epochLoss.length - 1]?.elapsedMs ?? 0)
      live.lr = lr[lr.length - 1]?.value ?? null
      live.imagesPerSecond = recentMean(s.imagesPerSecond)
      live.epochsCompleted = live.epochs.length > 0 ? live.epochs[live.epochs.length - 1]!.epoch + 1 : 0
      live.bestEpoch = run.bestEpoch ?? bestFromHistory(live.epochs, run.training.earlyStopping?.metric)
    } catch (err) {
      if (first) live.loadError = errorMessage(err)
    } finally {
      live.loading = false
      const buffered = pending.get(live.runId) ?? []
      pending.delete(live.runId)
      if (runs.get(live.runId) === live) for (const e of buffered) apply(live, e)
      live.revision++
    }
  }

  function apply(live: LiveRun, event: RunEvent): void {
    const s = live.series
    switch (event.kind) {
      case 'steps': {
        let changed = false
        const first = event.payload.steps[0]
        // A hole after complete (undecimated) history: events were missed.
        if (first && live.lastStep > 0 && first.step > live.lastStep + 1 && s.loss.length < HISTORY_MAX_POINTS) resync(live)
        for (const st of event.payload.steps) {
          // Each series by itself: history series were read one after another while steps kept coming.
          changed = append(s.loss, st.step, st.loss) || changed
          append(s.accuracy, st.step, st.accuracy)
          append(s.lr, st.step, st.lr)
          append(s.imagesPerSecond, st.step, st.imagesPerSecond)
          if (st.step > live.lastStep) {
            live.lastStep = st.step
            live.trainingEpoch = st.epoch
            live.elapsedMs = Math.max(live.elapsedMs, st.elapsedMs)
            live.lr = st.lr
          }
        }
        if (changed) {
          live.imagesPerSecond = recentMean(s.imagesPerSecond)
          live.revision++
        }
        if (live.status === 'queued') live.status = 'running'
        return
      }
      case 'epoch': {
        const e = event.payload.epoch
        const last = live.epochs[live.epochs.length - 1]
        if (last && e.epoch <= last.epoch) return
        if (e.epoch > (last ? last.epoch + 1 : 0) && !live.loading) resync(live)
        append(s.epochLoss, e.step, e.trainLoss)
        append(s.epochAccuracy, e.step, e.trainAccuracy)
        if (e.valLoss !== null) append(s.valLoss, e.step, e.valLoss)
        if (e.valAccuracy !== null) append(s.valAccuracy, e.step, e.valAccuracy)
        live.epochs.push({ epoch: e.epoch, step: e.step, trainLoss: e.trainLoss, trainAccuracy: e.trainAccuracy, valLoss: e.valLoss, valAccuracy: e.valAccuracy, lr: e.lr, elapsedMs: e.elapsedMs })
        live.epochsCompleted = e.epoch + 1
        live.elapsedMs = Math.max(live.elapsedMs, e.elapsedMs)
        if (e.isBest) live.bestEpoch = e.epoch
        live.revision++
        return
      }
      case 'status': {
        const { status, message, error } = event.payload
        live.statusEvents++
        live.status = status
        live.message = message ?? null
        if (error) live.error = error
        else if (status === 'running' || status === 'queued') live.error = null
        // The final summary (best epoch, outcome, error) is in the stored record.
        if (FINAL.includes(status)) void refresh(live)
        return
      }
      case 'start': {
        const st = event.payload.start
        live.start = { stepsPerEpoch: st.stepsPerEpoch, trainSize: st.trainSize, validationSize: st.validationSize, parameterCount: st.parameterCount, backend: st.backend }
        return
      }
    }
  }

  async function refresh(live: LiveRun): Promise<void> {
    try {
      const run = await useWorkbench().invoke('runs:get', { runId: live.runId })
      if (run && runs.get(live.runId) === live) {
        setRecord(live, run)
        if (run.bestEpoch !== null) live.bestEpoch = run.bestEpoch
        if (run.error) live.error = { name: run.error.name, message: run.error.message }
        // Missed the last step events (a fast run can send its tail in one batch): a completed run has
        // trained exactly epochsCompleted × stepsPerEpoch steps, so a shorter curve reloads from the store.
        const sum = run.summary
        if (sum?.epochsCompleted !== undefined && sum.stepsPerEpoch !== undefined && live.lastStep < sum.epochsCompleted * sum.stepsPerEpoch) resync(live)
      }
    } catch {
      // The status itself is already shown; the record refreshes on the next open.
    }
  }

  /**
   * Pause, resume or stop; the record in the answer replaces the shown one unless a status event came
   * while it was on its way (over HTTP the two travel apart: a 'paused' event can arrive before the
   * answer written while the run was still running). Throws what the backend says.
   */
  async function control(runId: number, action: 'pause' | 'resume' | 'stop'): Promise<void> {
    const eventsBefore = runs.get(runId)?.statusEvents
    const run = await useWorkbench().invoke(`runs:${action}`, { runId })
    const live = runs.get(runId)
    if (live && live.statusEvents === eventsBefore) {
      setRecord(live, run)
      live.status = run.status
    }
  }

  /** Replaces the run record (without making the network and config deep-reactive). */
  function setRecord(live: LiveRun, run: RunRecord): void {
    live.run = markRaw(run)
  }

  function dispose(): void {
    unsubscribe?.()
    unsubscribe = null
    runs.clear()
    users.clear()
    pending.clear()
  }

  return { runs, open, release, control, dispose }
})

/** A run with nothing loaded yet (also the starting point of tests). */
export function emptyRun(runId: number): LiveRun {
  return {
    runId,
    run: null,
    status: null,
    message: null,
    error: null,
    start: null,
    series: markRaw({ loss: [], accuracy: [], lr: [], imagesPerSecond: [], epochLoss: [], epochAccuracy: [], valLoss: [], valAccuracy: [] }),
    epochs: markRaw([]),
    lastStep: 0,
    trainingEpoch: 0,
    epochsCompleted: 0,
    elapsedMs: 0,
    lr: null,
    imagesPerSecond: null,
    bestEpoch: null,
    loading: true,
    loadError: null,
    revision: 0,
    generation: 0,
    statusEvents: 0
  }
}

/** Appends (step, value) unless the series already reaches that step. NaN stands for a missing value. */
function append(series: XY[], step: number, value: number | null): boolean {
  const last = series[series.length - 1]
  if (last && step <= last.x) return false
  series.push({ x: step, y: value ?? NaN })
  return true
}

function replace<T>(target: T[], items: T[]): void {
  target.length = 0
  for (const item of items) target.push(item)
}

function xy(points: MetricPoint[]): XY[] {
  return points.map((p) => ({ x: p.step, y: p.value ?? NaN }))
}

function epochRows(loss: MetricPoint[], accuracy: MetricPoint[], lr: MetricPoint[], valLoss: MetricPoint[], valAccuracy: MetricPoint[]): EpochRow[] {
  const rows = new Map<number, EpochRow>()
  const row = (p: MetricPoint): EpochRow => {
    let r = rows.get(p.epoch)
    if (!r) {
      r = { epoch: p.epoch, step: p.step, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null, lr: null, elapsedMs: p.elapsedMs }
      rows.set(p.epoch, r)
    }
    return r
  }
  for (const p of loss) row(p).trainLoss = p.value
  for (const p of accuracy) row(p).trainAccuracy = p.value
  for (const p of lr) row(p).lr = p.value
  for (const p of valLoss) row(p).valLoss = p.value
  for (const p of valAccuracy) row(p).valAccuracy = p.value
  return [...rows.values()].sort((a, b) => a.epoch - b.epoch)
}

/** The best epoch by the run's early-stopping metric (validation loss by default), as the engine picks it. */
export function bestFromHistory(epochs: readonly EpochRow[], metric: 'val_loss' | 'val_accuracy' | undefined): number | null {
  let best: EpochRow | null = null
  for (const e of epochs) {
    const v = metric === 'val_accuracy' ? e.valAccuracy : e.valLoss
    if (v === null || !Number.isFinite(v)) continue
    const bv = best ? (metric === 'val_accuracy' ? best.valAccuracy : best.valLoss) : null
    if (bv === null || bv === undefined || (metric === 'val_accuracy' ? v > bv : v < bv)) best = e
  }
  return best ? best.epoch : null
}
