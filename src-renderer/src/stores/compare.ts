/**
 * The compared runs: their records, their metric series (fetched once per (run, metric), refetched when
 * the run reports a new epoch or status) and the hyperparameter table. Series live in a plain Map behind
 * a revision counter, out of deep reactivity, so four live runs do not make Vue walk thousands of points.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { MetricPoint, MetricSplit, RunRecord } from '../../../src-main/contract/workbench-api'
import { errorMessage, useWorkbench } from '../api/workbench'
import { hyperparameterTable } from '../components/compare/hyperparameter-table'
import type { MetricsCsvSeries } from '../export/metrics-csv'
import type { CompareMetricId, XAxis } from '../components/compare/compare-metrics'

/** Points per series on screen (the store decimates keeping each bucket's min and max). */
const CHART_POINTS = 2000
/** Everything, for CSV export (the API's ceiling). */
const EXPORT_POINTS = 100_000
/** After an epoch or a status change. */
const LIVE_REFRESH_MS = 500
/** While steps stream in: step curves move, but a refetch of every series per step would flood the backend. */
const STEP_REFRESH_MS = 2000

/** The series every comparison needs: per-epoch train and val loss and accuracy (gap, summary). */
export const EPOCH_SERIES: readonly { name: string; split: MetricSplit }[] = [
  { name: 'epoch_loss', split: 'train' },
  { name: 'epoch_accuracy', split: 'train' },
  { name: 'loss', split: 'val' },
  { name: 'accuracy', split: 'val' }
]

/** What the CSV export holds per run. */
export const EXPORT_SERIES: readonly { name: string; split: MetricSplit }[] = [
  { name: 'loss', split: 'train' },
  { name: 'accuracy', split: 'train' },
  { name: 'lr', split: 'train' },
  { name: 'epoch_loss', split: 'train' },
  { name: 'epoch_accuracy', split: 'train' },
  { name: 'epoch_lr', split: 'train' },
  { name: 'loss', split: 'val' },
  { name: 'accuracy', split: 'val' }
]

const seriesKey = (runId: number, name: string, split: MetricSplit) => `${runId}\u0000${split}\u0000${name}`

export const useCompareStore = defineStore('compare', () => {
  const runIds = ref<number[]>([])
  /** The view's choices, kept here so they survive leaving and coming back. */
  const metricId = ref<CompareMetricId>('val_accuracy')
  const axis = ref<XAxis>('epoch')
  const logY = ref(false)
  /** EMA weight for per-step curves (0: raw). */
  const smoothing = ref(0.6)
  const differencesOnly = ref(true)
  const runs = shallowRef<Map<number, RunRecord>>(new Map())
  /** Ids asked for that do not exist (deleted runs in an old link). */
  const missing = ref<number[]>([])
  const error = ref<string | null>(null)
  const loading = ref(false)
  /** Bumped whenever a series arrives or changes; computeds read it to depend on the Map. */
  const revision = ref(0)
  const series = new Map<string, MetricPoint[]>()
  /** Keys wanted by the view (re-fetched on live updates). */
  const wanted = new Set<string>()

  const records = computed(() => runIds.value.map((id) => runs.value.get(id)).filter((r): r is RunRecord => r !== undefined))
  const hyperparameters = computed(() => hyperparameterTable(records.value))

  function getSeries(runId: number, name: string, split: MetricSplit): MetricPoint[] {
    void revision.value
    return series.get(seriesKey(runId, name, split)) ?? []
  }

  async function fetchSeries(runId: number, name: string, split: MetricSplit): Promise<void> {
    const points = await useWorkbench().invoke('metrics:series', { runId, name, split, maxPoints: CHART_POINTS })
    if (!runIds.value.includes(runId)) return
    series.set(seriesKey(runId, name, split), points)
    revision.value++
  }

  /** Makes sure these series are loaded for every compared run (fetches the ones not loaded yet). */
  async function ensureSeries(list: readonly { name: string; split: MetricSplit }[]): Promise<void> {
    const jobs: Promise<void>[] = []
    for (const id of runIds.value) {
      if (!runs.value.has(id)) continue
      for (const { name, split } of list) {
        const key = seriesKey(id, name, split)
        wanted.add(key)
        if (!series.has(key)) jobs.push(fetchSeries(id, name, split))
      }
    }
    try {
      await Promise.all(jobs)
    } catch (err) {
      error.value = errorMessage(err)
    }
  }

  async function loadRun(id: number): Promise<void> {
    const run = await useWorkbench().invoke('runs:get', { runId: id })
    if (!runIds.value.includes(id)) return
    const next = new Map(runs.value)
    if (run) next.set(id, run)
    else {
      next.delete(id)
      if (!missing.value.includes(id)) missing.value = [...missing.value, id]
    }
    runs.value = next
  }

  /** Shows these runs (in this order); loads records not loaded yet and the epoch series. */
  async function setRunIds(ids: readonly number[]): Promise<void> {
    const unique = [...new Set(ids)]
    runIds.value = unique
    missing.value = missing.value.filter((id) => unique.includes(id))
    for (const key of [...series.keys()]) if (!unique.some((id) => key.startsWith(`${id}\u0000`))) series.delete(key)
    loading.value = true
    try {
      await Promise.all(unique.filter((id) => !runs.value.has(id)).map(loadRun))
      error.value = null
    } catch (err) {
      error.value = errorMessage(err)
    } finally {
      loading.value = false
    }
    await ensureSeries(EPOCH_SERIES)
  }

  const refreshing = new Map<number, Promise<void>>()
  const refreshAgain = new Set<number>()
  /**
   * Refetches one run's record and every wanted series of it (after a live event). One refresh per run at
   * a time, then once more if asked meanwhile: two overlapping ones could answer out of order (over HTTP
   * they travel on separate connections) and leave an older record — 'running' — on screen for good.
   */
  function refreshRun(id: number): Promise<void> {
    const running = refreshing.get(id)
    if (running) {
      refreshAgain.add(id)
      return running
    }
    const done = (async () => {
      do {
        refreshAgain.delete(id)
        await refreshRunOnce(id)
      } while (refreshAgain.has(id))
    })().finally(() => refreshing.delete(id))
    refreshing.set(id, done)
    return done
  }

  async function refreshRunOnce(id: number): Promise<void> {
    if (!runIds.value.includes(id)) return
    try {
      await loadRun(id)
      const prefix = `${id}\u0000`
      await Promise.all(
        [...wanted]
          .filter((k) => k.startsWith(prefix))
          .map((k) => {
            const [, split, name] = k.split('\u0000') as [string, MetricSplit, string]
            return fetchSeries(id, name, split)
          })
      )
    } catch (err) {
      error.value = errorMessage(err)
    }
  }

  /** Full-resolution series of every compared run for the CSV export. */
  async function exportSeries(): Promise<MetricsCsvSeries[]> {
    const out: MetricsCsvSeries[] = []
    for (const run of records.value) {
      for (const { name, split } of EXPORT_SERIES) {
        const points = await useWorkbench().invoke('metrics:series', { runId: run.id, name, split, maxPoints: EXPORT_POINTS })
        if (points.length > 0) out.push({ runId: run.id, runName: run.name, metric: name, split, points })
      }
    }
    return out
  }

  const timers = new Map<number, ReturnType<typeof setTimeout>>()
  /** One refresh per run at a time; an earlier deadline replaces a later one. */
  const deadlines = new Map<number, number>()
  function scheduleRefresh(id: number, delayMs: number): void {
    if (!runIds.value.includes(id)) return
    const at = Date.now() + delayMs
    if (timers.has(id) && at >= deadlines.get(id)!) return
    clearTimeout(timers.get(id))
    deadlines.set(id, at)
    timers.set(
      id,
      setTimeout(() => {
        timers.delete(id)
        deadlines.delete(id)
        void refreshRun(id)
      }, delayMs)
    )
  }

  /** Live updates for the compared runs; returns the unsubscribe. */
  function listen(): () => void {
    const client = useWorkbench()
    const offs = [
      client.subscribe('run:status', (e) => scheduleRefresh(e.runId, LIVE_REFRESH_MS)),
      client.subscribe('run:epoch', (e) => scheduleRefresh(e.runId, LIVE_REFRESH_MS)),
      client.subscribe('run:steps', (e) => scheduleRefresh(e.runId, STEP_REFRESH_MS))
    ]
    return () => {
      for (const off of offs) off()
      for (const t of timers.values()) clearTimeout(t)
      timers.clear()
      deadlines.clear()
    }
  }

  return { runIds, metricId, axis, logY, smoothing, differencesOnly, runs, records, missing, error, loading, revision, hyperparameters, getSeries, ensureSeries, setRunIds, refreshRun, exportSeries, listen }
})
