import { describe, it, expect, afterEach } from 'vitest'
import { RunStore } from '../../src-main/store/run-store'
import { openDatabase } from '../../src-main/store/database'
import { MIGRATIONS } from '../../src-main/store/migrations'
import type { MetricPoint, MetricRow } from '../../src-main/store/types'
import { newRun, tempDbPath } from './fixtures'

let store: RunStore | undefined
afterEach(() => store?.close())

/** A small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The plain definition, over every row: floor(maxPoints / 2) equal step buckets; each keeps its minimum
 * and maximum rows by value (nulls ignored, the lowest step on ties), in step order; the exact series when short.
 */
function reference(rows: readonly MetricPoint[], maxPoints: number): MetricPoint[] {
  const sorted = [...rows].sort((a, b) => a.step - b.step)
  if (sorted.length <= maxPoints) return sorted
  const first = sorted[0].step
  const last = sorted[sorted.length - 1].step
  const buckets = Math.floor(maxPoints / 2)
  const width = (last - first + 1) / buckets
  const out: MetricPoint[] = []
  let i = 0
  for (let b = 0; b < buckets; b++) {
    const from = first + Math.ceil(b * width)
    const to = b === buckets - 1 ? last + 1 : first + Math.ceil((b + 1) * width)
    if (to <= from) continue
    while (i < sorted.length && sorted[i].step < from) i++
    let lo: MetricPoint | null = null
    let hi: MetricPoint | null = null
    let any = false
    for (let j = i; j < sorted.length && sorted[j].step < to; j++) {
      const p = sorted[j]
      any = true
      if (p.value === null) continue
      if (lo === null || p.value < (lo.value as number)) lo = p
      if (hi === null || p.value > (hi.value as number)) hi = p
    }
    if (!any || lo === null || hi === null) continue
    if (lo.step === hi.step) out.push(lo)
    else if (lo.step < hi.step) out.push(lo, hi)
    else out.push(hi, lo)
  }
  return out
}

/** A noisy random-walk series with spikes, ties (quantized values), nulls, gaps and a non-zero start. */
function randomSeries(n: number, seed: number): MetricRow[] {
  const r = rng(seed)
  const rows: MetricRow[] = []
  let step = 7 + Math.floor(r() * 100)
  let v = 1
  for (let i = 0; i < n; i++) {
    step += r() < 0.02 ? 2 + Math.floor(r() * 300) : 1
    v += (r() - 0.5) * 0.05
    let value: number | null = Math.round(v * 200) / 200
    const roll = r()
    if (roll < 0.001) value = v + 50 * (r() - 0.3)
    else if (roll < 0.002) value = null
    rows.push({ step, epoch: Math.floor(i / 500), split: 'train', name: 'loss', value, elapsedMs: i * 3 })
  }
  return rows
}

/** What the store keeps: one row per step (the last written), NaN as null, -0 as 0 (SQLite stores it so). */
function stored(rows: readonly MetricRow[]): MetricPoint[] {
  const byStep = new Map<number, MetricPoint>()
  for (const m of rows) byStep.set(m.step, { step: m.step, epoch: m.epoch, value: m.value === null || Number.isNaN(m.value) ? null : m.value + 0, elapsedMs: m.elapsedMs ?? 0 })
  return [...byStep.values()]
}

describe('metricSeries decimation through the block summary', () => {
  it('returns exactly the points of a plain decimation of every row, for random series with spikes, ties and nulls', () => {
    store = RunStore.open(tempDbPath())
    for (const seed of [1, 2, 3]) {
      const id = store.createRun(newRun(`r${seed}`))
      const rows = randomSeries(40_000, seed)
      // Batches of odd sizes, then a replayed stretch with new values (a resumed run), as the sink writes them.
      for (let i = 0; i < rows.length; i += 997) store.appendMetrics(id, rows.slice(i, i + 997))
      const r = rng(seed + 100)
      const replay = rows.slice(20_000, 21_500).map((m) => ({ ...m, value: r() < 0.01 ? -100 : m.value === null ? 0.5 : m.value + (r() - 0.5) }))
      store.appendMetrics(id, replay)
      const all = stored([...rows, ...replay])
      for (const maxPoints of [2, 3, 17, 100, 501, 1000, 4000, 39_999]) {
        const expected = reference(all, maxPoints)
        expect(store.metricSeries(id, 'loss', 'train', maxPoints)).toEqual(expected)
        expect(store.metricSeriesByScan(id, 'loss', 'train', maxPoints)).toEqual(expected)
      }
    }
  })

  it('handles a series whose values are all null in places, and one constant series (all ties)', () => {
    store = RunStore.open(tempDbPath())
    const id = store.createRun(newRun('r'))
    const rows: MetricRow[] = Array.from({ length: 20_000 }, (_, i) => ({ step: i, epoch: 0, split: 'val', name: 'loss', value: i >= 5000 && i < 9000 ? null : 0.25 }))
    store.appendMetrics(id, rows)
    for (const maxPoints of [10, 100, 1000]) {
      expect(store.metricSeries(id, 'loss', 'val', maxPoints)).toEqual(store.metricSeriesByScan(id, 'loss', 'val', maxPoints))
      expect(store.metricSeries(id, 'loss', 'val', maxPoints).filter((p) => p.value !== null)).toEqual(reference(stored(rows), maxPoints))
    }
  })

  it('builds the summary for metrics written before the migration that adds it', () => {
    const path = tempDbPath()
    const old = openDatabase(path, { migrations: MIGRATIONS.slice(0, 1) })
    // A run row as the first schema wrote it (today's createRun also fills later columns).
    const run = newRun('old')
    const id = Number(
      old
        .prepare(`INSERT INTO runs (name, status, created_at, network, training, seed, dataset, notes, tags) VALUES (?, 'completed', ?, ?, ?, ?, ?, '', '[]')`)
        .run(run.name, Date.now(), JSON.stringify(run.network), JSON.stringify(run.training), run.training.seed, run.training.dataset.id).lastInsertRowid
    )
    const rows = randomSeries(30_000, 9)
    const insert = old.prepare('INSERT INTO metrics (run_id, name, split, step, epoch, value, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
    old.transaction(() => {
      for (const m of rows) insert.run(id, m.name, m.split, m.step, m.epoch, m.value, m.elapsedMs ?? 0)
    })()
    old.close()
    store = RunStore.open(path)
    for (const maxPoints of [50, 1000]) expect(store.metricSeries(id, 'loss', 'train', maxPoints)).toEqual(reference(stored(rows), maxPoints))
    store.deleteRun(id)
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM metric_blocks').get() as { n: number }).n).toBe(0)
  })
  it('serves a repeated fetch from its cache, and sees new rows written by this or another connection', () => {
    const path = tempDbPath()
    store = RunStore.open(path)
    const other = RunStore.open(path)
    try {
      const id = store.createRun(newRun('r'))
      const rows = randomSeries(5000, 4)
      store.appendMetrics(id, rows)
      const first = store.metricSeries(id, 'loss', 'train', 100)
      first[0].value = 12345 // callers get copies
      expect(store.metricSeries(id, 'loss', 'train', 100)).toEqual(reference(stored(rows), 100))
      const more: MetricRow = { step: rows[rows.length - 1].step + 1, epoch: 99, split: 'train', name: 'loss', value: 1e6 }
      other.appendMetrics(id, [more])
      expect(store.metricSeries(id, 'loss', 'train', 100)).toEqual(reference(stored([...rows, more]), 100))
      const less: MetricRow = { ...more, step: more.step + 1, value: -1e6 }
      store.appendMetrics(id, [less])
      expect(store.metricSeries(id, 'loss', 'train', 100)).toEqual(reference(stored([...rows, more, less]), 100))
      other.deleteRun(id)
      expect(store.metricSeries(id, 'loss', 'train', 100)).toEqual([])
    } finally {
      other.close()
    }
  })
})
