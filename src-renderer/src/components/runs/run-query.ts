/**
 * The runs table's filters, sort and page as one plain object, and the runs:list query it means.
 * Pure, so the table's behaviour (what a header click or a filter sends) is tested without a backend.
 */
import type { ListRunsQuery, RunStatus } from '../../../../src-main/contract/workbench-api'
import type { RunSortKey } from '../../../../src-main/store/types'

export interface RunTableState {
  /** Empty: every status. */
  statuses: RunStatus[]
  search: string
  /** '' : any tag. */
  tag: string
  /** Hyperparameter equality filters (dotted keys as in the store). */
  hyperparameters: Record<string, string | number | boolean>
  sortBy: RunSortKey
  order: 'asc' | 'desc'
  page: number
  pageSize: number
}

export const DEFAULT_TABLE_STATE: RunTableState = { statuses: [], search: '', tag: '', hyperparameters: {}, sortBy: 'created', order: 'desc', page: 0, pageSize: 50 }

export function buildListQuery(s: RunTableState): ListRunsQuery {
  const q: ListRunsQuery = { sortBy: s.sortBy, order: s.order, limit: s.pageSize, offset: s.page * s.pageSize }
  if (s.statuses.length === 1) q.status = s.statuses[0]!
  else if (s.statuses.length > 1) q.status = [...s.statuses]
  const search = s.search.trim()
  if (search !== '') q.search = search
  const tag = s.tag.trim()
  if (tag !== '') q.tag = tag
  if (Object.keys(s.hyperparameters).length > 0) q.hyperparameters = { ...s.hyperparameters }
  return q
}

/** The order a column starts with: best first for accuracy, newest first for time, A→Z otherwise. */
export function defaultOrder(key: RunSortKey): 'asc' | 'desc' {
  return key === 'created' || key === 'bestValAccuracy' ? 'desc' : 'asc'
}

/** A header click: the same column flips its order, another column starts at its default; back to page 0. */
export function toggleSort(s: RunTableState, key: RunSortKey): RunTableState {
  const order = s.sortBy === key ? (s.order === 'asc' ? 'desc' : 'asc') : defaultOrder(key)
  return { ...s, sortBy: key, order, page: 0 }
}

export function pageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize))
}

/** Every status, in the order the filter lists them. */
export const ALL_STATUSES: readonly RunStatus[] = ['queued', 'running', 'paused', 'completed', 'stopped', 'failed', 'diverged', 'interrupted']

export type HyperparameterFilter = Record<string, string | number | boolean>

/**
 * "optimizer.type=adam, dataset.trainSize=500" → { 'optimizer.type': 'adam', 'dataset.trainSize': 500 }.
 * Numbers and true/false become typed values (the store compares numbers numerically). Returns the
 * problems instead when a part is not key=value.
 */
export function parseHyperparameterFilter(text: string): { ok: true; filter: HyperparameterFilter } | { ok: false; error: string } {
  const filter: HyperparameterFilter = {}
  for (const part of text.split(',').map((p) => p.trim()).filter((p) => p.length > 0)) {
    const eq = part.indexOf('=')
    const key = eq < 0 ? '' : part.slice(0, eq).trim()
    const raw = eq < 0 ? '' : part.slice(eq + 1).trim()
    if (eq < 0 || key === '' || raw === '') return { ok: false, error: `"${part}" is not key=value (e.g. optimizer.lr=0.001)` }
    filter[key] = raw === 'true' ? true : raw === 'false' ? false : /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(raw) ? Number(raw) : raw
  }
  return { ok: true, filter }
}
