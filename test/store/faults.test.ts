/** Real faults on real files: read-only, locked by another connection, full, corrupt. */
import { describe, it, expect } from 'vitest'
import Database from 'better-sqlite3'
import { readFileSync, writeFileSync } from 'node:fs'
import { RunStore } from '../../src-main/store/run-store'
import { StoreError } from '../../src-main/store/errors'
import type { MetricRow } from '../../src-main/store/types'
import { newRun, tempDbPath } from './fixtures'

function storeError(fn: () => unknown): StoreError {
  try {
    fn()
  } catch (err) {
    if (err instanceof StoreError) return err
    throw new Error(`expected a StoreError, got ${String(err)}`)
  }
  throw new Error('expected a StoreError, nothing was thrown')
}

function rows(n: number, from = 0): MetricRow[] {
  return Array.from({ length: n }, (_, i) => ({ step: from + i, epoch: 0, split: 'train', name: 'loss', value: Math.sin(i) }))
}

function seeded(path: string): { id: number } {
  const store = RunStore.open(path)
  const id = store.createRun(newRun('before'))
  store.appendMetrics(id, rows(100))
  store.close()
  return { id }
}

describe('store faults', () => {
  it('a database opened read-only refuses writes with code readonly, reads still work', () => {
    const path = tempDbPath()
    const { id } = seeded(path)
    // Tests run as root, which ignores file modes, so use SQLite's own read-only open.
    const store = RunStore.open(path, { readonly: true })
    expect(store.getRun(id)!.name).toBe('before')
    const err = storeError(() => store.createRun(newRun('after')))
    expect(err.code).toBe('readonly')
    expect(err.message).toContain(path)
    expect(err.message).toContain('create run "after"')
    expect(storeError(() => store.appendMetrics(id, rows(5, 1000))).code).toBe('readonly')
    store.close()
    const check = RunStore.open(path)
    expect(check.listRuns().total).toBe(1)
    expect(check.metricSeries(id, 'loss', 'train')).toHaveLength(100)
    check.close()
  })

  it('query_only connections also map to readonly', () => {
    const path = tempDbPath()
    const { id } = seeded(path)
    const store = RunStore.open(path)
    store.db.pragma('query_only = ON')
    expect(storeError(() => store.setNotes(id, 'x')).code).toBe('readonly')
    expect(store.getRun(id)!.notes).toBe('')
    store.close()
  })

  it('a database locked by another connection gives code locked and writes nothing', () => {
    const path = tempDbPath()
    const { id } = seeded(path)
    const store = RunStore.open(path, { busyTimeoutMs: 50 })
    const other = new Database(path)
    other.exec('BEGIN EXCLUSIVE')
    try {
      const t0 = Date.now()
      const err = storeError(() => store.createRun(newRun('blocked')))
      expect(err.code).toBe('locked')
      expect(err.message).toContain(path)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(storeError(() => store.appendMetrics(id, rows(500, 1000))).code).toBe('locked')
      expect(storeError(() => store.saveCheckpoint(id, 'latest', { bytes: new Uint8Array(10), epoch: 0, step: 0 })).code).toBe('locked')
      // Reads still work while another process writes (WAL).
      expect(store.getRun(id)!.name).toBe('before')
    } finally {
      other.exec('ROLLBACK')
      other.close()
    }
    expect(store.listRuns().rows.map((r) => r.name)).toEqual(['before'])
    expect(store.metricSeries(id, 'loss', 'train', 10_000)).toHaveLength(100)
    expect(store.loadCheckpoint(id, 'latest')).toBeNull()
    expect(count(store, 'SELECT COUNT(*) AS n FROM hyperparameters')).toBe(count(store, 'SELECT COUNT(*) AS n FROM hyperparameters WHERE run_id = ?', id))
    // Once the lock is gone the same write succeeds.
    store.createRun(newRun('unblocked'))
    expect(store.listRuns().total).toBe(2)
    store.close()
  })

  it('a full database gives code full; the failed batch stores zero rows and earlier data is intact', () => {
    const path = tempDbPath()
    const { id } = seeded(path)
    const store = RunStore.open(path)
    const pages = store.db.pragma('page_count', { simple: true }) as number
    store.db.pragma(`max_page_count = ${pages + 2}`)
    const err = storeError(() => store.appendMetrics(id, rows(20_000, 1000)))
    expect(err.code).toBe('full')
    expect(err.message).toContain(path)
    expect(err.message).toContain(`append 20000 metric rows to run ${id}`)
    expect(store.metricSeries(id, 'loss', 'train', 100_000)).toEqual(
      rows(100).map((r) => ({ step: r.step, epoch: 0, value: r.value, elapsedMs: 0 }))
    )
    // A big checkpoint fails as a whole too.
    expect(storeError(() => store.saveCheckpoint(id, 'latest', { bytes: new Uint8Array(1 << 20), epoch: 0, step: 0 })).code).toBe('full')
    expect(store.loadCheckpoint(id, 'latest')).toBeNull()
    // With room again, the same batch goes in whole.
    store.db.pragma('max_page_count = 1073741823')
    store.appendMetrics(id, rows(20_000, 1000))
    expect(count(store, 'SELECT COUNT(*) AS n FROM metrics WHERE run_id = ?', id)).toBe(20_100)
    store.close()
  })

  it('a corrupt file gives code corrupt, not a crash', () => {
    const path = tempDbPath('corrupt.db')
    writeFileSync(path, Buffer.from('this is not an SQLite database, just some text that is long enough '.repeat(200)))
    const err = storeError(() => RunStore.open(path))
    expect(err.code).toBe('corrupt')
    expect(err.message).toContain(path)
  })

  it('a database whose pages were damaged after the header reports corrupt when read', () => {
    const path = tempDbPath()
    const store = RunStore.open(path)
    const id = store.createRun(newRun('r'))
    store.appendMetrics(id, rows(5000))
    store.db.pragma('wal_checkpoint(TRUNCATE)')
    store.db.pragma('journal_mode = DELETE')
    store.close()
    // Overwrite every page after the first with garbage.
    const raw = new Database(path)
    const pageSize = raw.pragma('page_size', { simple: true }) as number
    raw.close()
    const bytes = readFileSync(path)
    for (let i = pageSize; i < bytes.length; i++) bytes[i] = (i * 7919) & 0xff
    writeFileSync(path, bytes)
    const err = storeError(() => {
      const s = RunStore.open(path, { quickCheck: true })
      s.close()
    })
    expect(err.code).toBe('corrupt')
    expect(err.message).toContain(path)
  })
})

function count(store: RunStore, sql: string, ...params: number[]): number {
  return (store.db.prepare(sql).get(...params) as { n: number }).n
}
