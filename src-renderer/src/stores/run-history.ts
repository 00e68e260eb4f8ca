/**
 * The runs table: one page of runs:list for the current filters and sort, the selection for Compare,
 * tag/notes edits and deletes, and live refresh while runs train (run:status / run:epoch, debounced).
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import type { RunRecord, RunStatus } from '../../../src-main/contract/workbench-api'
import type { RunSortKey } from '../../../src-main/store/types'
import { errorMessage, useWorkbench } from '../api/workbench'
import { buildListQuery, DEFAULT_TABLE_STATE, pageCount, toggleSort, type RunTableState } from '../components/runs/run-query'

/** Status changes are rare and matter (a run finished): refresh quickly. Epochs come often: batch them. */
const STATUS_REFRESH_MS = 150
const EPOCH_REFRESH_MS = 1000

export const useRunHistoryStore = defineStore('run-history', () => {
  const table = ref<RunTableState>({ ...DEFAULT_TABLE_STATE })
  const rows = shallowRef<RunRecord[]>([])
  const total = ref(0)
  const loading = ref(false)
  const error = ref<string | null>(null)
  /** Ids picked for Compare; kept across pages and filters. */
  const selected = ref<number[]>([])
  /** Validation accuracy at the best epoch so far, from run:epoch events of runs still training (the summary has it only at the end). */
  const liveBest = ref<Record<number, number>>({})
  /** Epochs finished so far (1-based count) from run:epoch events, for runs whose summary does not say yet. */
  const liveEpochs = ref<Record<number, number>>({})
  /** Every tag seen on the listed runs, for the filter's suggestions. */
  const knownTags = computed(() => [...new Set(rows.value.flatMap((r) => r.tags))].sort())
  const pages = computed(() => pageCount(total.value, table.value.pageSize))

  let requestSeq = 0
  async function refresh(): Promise<void> {
    const seq = ++requestSeq
    loading.value = true
    try {
      const res = await useWorkbench().invoke('runs:list', buildListQuery(table.value))
      if (seq !== requestSeq) return // a newer request (another filter) answers instead
      // Past the last page after deletes or a narrower filter: go back to the last page that has rows.
      if (res.rows.length === 0 && res.total > 0 && table.value.page > 0) {
        table.value = { ...table.value, page: pageCount(res.total, table.value.pageSize) - 1 }
        return refresh()
      }
      rows.value = res.rows
      total.value = res.total
      error.value = null
    } catch (err) {
      if (seq === requestSeq) error.value = errorMessage(err)
    } finally {
      if (seq === requestSeq) loading.value = false
    }
  }

  function update(patch: Partial<RunTableState>): Promise<void> {
    table.value = { ...table.value, page: 0, ...patch }
    return refresh()
  }
  const sortBy = (key: RunSortKey) => {
    table.value = toggleSort(table.value, key)
    return refresh()
  }
  const setStatuses = (statuses: RunStatus[]) => update({ statuses })
  const setSearch = (search: string) => update({ search })
  const setTag = (tag: string) => update({ tag })
  const setHyperparameters = (hyperparameters: Record<string, string | number | boolean>) => update({ hyperparameters })
  const setPage = (page: number) => {
    table.value = { ...table.value, page: Math.min(Math.max(0, page), pages.value - 1) }
    return refresh()
  }

  function isSelected(id: number): boolean {
    return selected.value.includes(id)
  }
  function toggleSelected(id: number, on = !isSelected(id)): void {
    selected.value = on ? [...new Set([...selected.value, id])] : selected.value.filter((x) => x !== id)
  }
  function clearSelection(): void {
    selected.value = []
  }

  function replaceRow(run: RunRecord): void {
    rows.value = rows.value.map((r) => (r.id === run.id ? run : r))
  }

  /** Edits report their error in `error` and resolve false, so the table can keep the user's input. */
  async function setTags(runId: number, tags: string[]): Promise<boolean> {
    try {
      replaceRow(await useWorkbench().invoke('runs:setTags', { runId, tags }))
      return true
    } catch (err) {
      error.value = errorMessage(err)
      return false
    }
  }
  async function setNotes(runId: number, notes: string): Promise<boolean> {
    try {
      replaceRow(await useWorkbench().invoke('runs:setNotes', { runId, notes }))
      return true
    } catch (err) {
      error.value = errorMessage(err)
      return false
    }
  }
  async function deleteRun(runId: number): Promise<boolean> {
    try {
      await useWorkbench().invoke('runs:delete', { runId })
      toggleSelected(runId, false)
      await refresh()
      return true
    } catch (err) {
      error.value = errorMessage(err)
      return false
    }
  }

  /** Epochs completed: the summary's once the run ended, the live count while it trains. */
  function epochsDone(run: RunRecord): number | null {
    return run.summary?.epochsCompleted ?? liveEpochs.value[run.id] ?? null
  }

  /** The best validation accuracy to show: the stored summary's, or the live one while training. */
  function bestAccuracy(run: RunRecord): number | null {
    return run.summary?.bestValAccuracy ?? liveBest.value[run.id] ?? null
  }

  let timer: ReturnType<typeof setTimeout> | null = null
  let due = Infinity
  /** One refresh after the burst: an earlier deadline wins, a later one waits for it. */
  function scheduleRefresh(delayMs: number): void {
    const at = Date.now() + delayMs
    if (timer !== null && at >= due) return
    if (timer !== null) clearTimeout(timer)
    due = at
    timer = setTimeout(() => {
      timer = null
      due = Infinity
      void refresh()
    }, delayMs)
  }

  /** Subscribes to run events; returns the unsubscribe. */
  function listen(): () => void {
    const client = useWorkbench()
    const offs = [
      client.subscribe('run:status', () => scheduleRefresh(STATUS_REFRESH_MS)),
      client.subscribe('run:epoch', ({ runId, epoch }) => {
        // The summary's best is the validation accuracy at the best epoch (by the early-stopping metric): same here.
        if (epoch.isBest && epoch.valAccuracy !== null) liveBest.value = { ...liveBest.value, [runId]: epoch.valAccuracy }
        liveEpochs.value = { ...liveEpochs.value, [runId]: epoch.epoch + 1 }
        scheduleRefresh(EPOCH_REFRESH_MS)
      })
    ]
    return () => {
      for (const off of offs) off()
      if (timer !== null) clearTimeout(timer)
      timer = null
      due = Infinity
    }
  }

  return {
    table,
    rows,
    total,
    pages,
    loading,
    error,
    selected,
    liveBest,
    liveEpochs,
    knownTags,
    refresh,
    sortBy,
    setStatuses,
    setSearch,
    setTag,
    setHyperparameters,
    setPage,
    isSelected,
    toggleSelected,
    clearSelection,
    setTags,
    setNotes,
    deleteRun,
    bestAccuracy,
    epochsDone,
    listen
  }
})
