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
  sortBy: RunSortKey
  order: 'asc' | 'desc'
  page: number
  pageSize: number
}

export const DEFAULT_TABLE_STATE: RunTableState = { statuses: [], search: '', tag: '', sortBy: 'created', order: 'desc', page: 0, pageSize: 50 }

export function buildListQuery(s: RunTableState): ListRunsQuery {
  const q: ListRunsQuery = { sortBy: s.sortBy, order: s.order, limit: s.pageSize, offset: s.page * s.pageSize }
  if (s.statuses.length === 1) q.status = s.statuses[0]!
  else if (s.statuses.length > 1) q.status = [...s.statuses]
  const search = s.search.trim()
  if (search !== '') q.search = search
  const tag = s.tag.trim()
  if (tag !== '') q.tag = tag
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
