/**
 * RunStore: every read and write the app makes on runs, their metrics, checkpoints and artifacts,
 * plus saved networks and experiments. Synchronous (better-sqlite3); each write is one transaction,
 * so a failure (locked, read-only, full disk) leaves nothing half-written. Errors are StoreErrors.
 */
import type { Statement } from 'better-sqlite3'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { openDatabase, type OpenOptions, type SqliteDatabase } from './database'
import { StoreError, toStoreError } from './errors'
import { flattenHyperparameters } from './hyperparameters'
import { METRIC_BLOCK_SHIFT, RUN_STATUSES } from './migrations'
import { snapshotCap, snapshotsToDrop } from './weight-snapshots'
import type {
  CheckpointKind,
  ExperimentRecord,
  HyperparameterDiff,
  InsightHistograms,
  InsightRecord,
  ListRunsQuery,
  MetricPoint,
  MetricRow,
  MetricSplit,
  NetworkListItem,
  NetworkRecord,
  NewRun,
  RunErrorInfo,
  RunRecord,
  RunStatus,
  RunSummary,
  StoredArtifact,
  StoredCheckpoint
} from './types'

interface RunRow {
  id: number
  experiment_id: number | null
  parent_run_id: number | null
  name: string
  status: RunStatus
  created_at: number
  started_at: number | null
  finished_at: number | null
  network: string
  training: string
  seed: number
  dataset: string
  summary: string | null
  best_epoch: number | null
  error: string | null
  notes: string
  tags: string
}

interface MetricPointRow {
  step: number
  epoch: number
  value: number | null
  elapsed_ms: number
}

interface DecimationRow {
  k: number
  lo_step: number | null
  lo_epoch: number | null
  lo_value: number | null
  lo_elapsed: number | null
  hi_step: number | null
  hi_epoch: number | null
  hi_value: number | null
  hi_elapsed: number | null
}

interface BlobRow {
  bytes: Buffer
  created_at: number
}

interface CheckpointRow extends BlobRow {
  epoch: number
  step: number
}

interface HyperparameterDbRow {
  run_id: number
  key: string
  value: string | null
  numeric: number | null
}

interface NetworkRow {
  id: number
  name: string
  version: number
  spec: string
  created_at: number
}

interface NetworkListRow {
  id: number
  name: string
  latest_version: number
  created_at: number
  versions: number
}

interface ExperimentRow {
  id: number
  name: string
  kind: string
  created_at: number
  definition: string | null
}

function toExperimentRecord(r: ExperimentRow): ExperimentRecord {
  return { id: r.id, name: r.name, kind: r.kind, createdAt: r.created_at, definition: r.definition === null ? null : (JSON.parse(r.definition) as unknown) }
}

type SqlValue = string | number | bigint | Buffer | null

/** Decimated series kept in memory (each at most maxPoints points). */
const SERIES_CACHE_ENTRIES = 64
/** Reads asking for more points than this (e.g. a whole series for the CLI) are not cached. */
const SERIES_CACHE_MAX_POINTS = 10_000

const TERMINAL: readonly RunStatus[] = ['completed', 'stopped', 'failed', 'diverged']

const SORT_COLUMNS: Record<'created' | 'name' | 'status' | 'bestValAccuracy', string> = {
  created: 'r.created_at',
  name: 'r.name COLLATE NOCASE',
  status: 'r.status',
  bestValAccuracy: "json_extract(r.summary, '$.bestValAccuracy')"
}

export class RunStore {
  private readonly statements: Map<string, Statement<SqlValue[], unknown>> = new Map()
  private readonly seriesCache = new Map<string, MetricPoint[]>()
  private seriesCacheVersion = -1

  constructor(readonly db: SqliteDatabase) {}

  /** Opens (creating and migrating if needed) the database at `path`. */
  static open(path: string, options?: OpenOptions): RunStore {
    return new RunStore(openDatabase(path, options))
  }

  get path(): string {
    return this.db.name
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  // ---- runs ---------------------------------------------------------------------------------

  /** Creates a queued run with its flattened hyperparameters, in one transaction. Returns its id. */
  createRun(run: NewRun): number {
    return this.guard(`create run "${run.name}"`, () =>
      this.db.transaction((): number => {
        const info = this.stmt(
          `INSERT INTO runs (experiment_id, parent_run_id, name, status, created_at, network, training, seed, dataset, notes, tags, owner_pid)
           VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?)`
        ).run(
          run.experimentId ?? null,
          run.parentRunId ?? null,
          run.name,
          Date.now(),
          JSON.stringify(run.network),
          JSON.stringify(run.training),
          run.training.seed,
          run.training.dataset.id,
          run.notes ?? '',
          JSON.stringify(run.tags ?? []),
          process.pid
        )
        const id = Number(info.lastInsertRowid)
        const insert = this.stmt('INSERT OR REPLACE INTO hyperparameters (run_id, key, value, numeric) VALUES (?, ?, ?, ?)')
        for (const h of flattenHyperparameters(run.training, run.network)) insert.run(id, h.key, h.value, h.numeric)
        return id
      })()
    )
  }

  getRun(id: number): RunRecord | null {
    return this.guard(`read run ${id}`, () => {
      const row = this.stmt('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
      return row ? toRunRecord(row) : null
    })
  }

  /**
   * Sets a run's status. `error: null` clears the error, undefined keeps it. started_at is filled on the
   * first 'running', finished_at on a terminal status, unless given explicitly.
   */
  setStatus(id: number, status: RunStatus, opts: { error?: RunErrorInfo | null; startedAt?: number; finishedAt?: number } = {}): void {
    this.guard(`set run ${id} to ${status}`, () => {
      if (!RUN_STATUSES.includes(status)) throw new StoreError('invalid', `cannot set run ${id} to "${String(status)}": not a run status`, this.path)
      const now = Date.now()
      const info = this.stmt(
        `UPDATE runs SET status = ?,
           started_at = COALESCE(?, started_at, CASE WHEN ? = 'running' THEN ? END),
           finished_at = COALESCE(?, CASE WHEN ? THEN ? ELSE finished_at END),
           error = CASE WHEN ? THEN ? ELSE error END,
           owner_pid = CASE WHEN ? IN ('queued', 'running') THEN ? ELSE NULL END
         WHERE id = ?`
      ).run(
        status,
        opts.startedAt ?? null,
        status,
        now,
        opts.finishedAt ?? null,
        TERMINAL.includes(status) ? 1 : 0,
        now,
        opts.error !== undefined ? 1 : 0,
        opts.error ? JSON.stringify(opts.error) : null,
        status,
        process.pid,
        id
      )
      this.expectChanged(info.changes, id)
    })
  }

  setSummary(id: number, summary: RunSummary | null, bestEpoch: number | null = null): void {
    this.guard(`save the summary of run ${id}`, () => {
      const info = this.stmt('UPDATE runs SET summary = ?, best_epoch = ? WHERE id = ?').run(summary ? JSON.stringify(summary) : null, bestEpoch, id)
      this.expectChanged(info.changes, id)
    })
  }

  setNotes(id: number, notes: string): void {
    this.guard(`save the notes of run ${id}`, () => this.expectChanged(this.stmt('UPDATE runs SET notes = ? WHERE id = ?').run(notes, id).changes, id))
  }

  setTags(id: number, tags: string[]): void {
    const unique = [...new Set(tags.map((t) => t.trim()).filter((t) => t.length > 0))]
    this.guard(`save the tags of run ${id}`, () => this.expectChanged(this.stmt('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify(unique), id).changes, id))
  }

  renameRun(id: number, name: string): void {
    this.guard(`rename run ${id}`, () => this.expectChanged(this.stmt('UPDATE runs SET name = ? WHERE id = ?').run(name, id).changes, id))
  }

  /** Deletes a run with its metrics, hyperparameters, checkpoints and artifacts (child runs keep existing). */
  deleteRun(id: number): void {
    this.forgetSeries(id)
    this.guard(`delete run ${id}`, () => this.expectChanged(this.stmt('DELETE FROM runs WHERE id = ?').run(id).changes, id))
  }

  /**
   * On startup: runs left 'running' by a process that is gone become 'interrupted'. Returns their ids.
   * A run whose owner process is still alive (another CLI or app training into this database) is left
   * alone; `isAlive` is injectable for tests.
   */
  markInterruptedRuns(isAlive: (pid: number) => boolean = processIsAlive): number[] {
    return this.guard('mark interrupted runs', () => {
      const running = this.stmt("SELECT id, owner_pid AS pid FROM runs WHERE status = 'running'").all() as { id: number; pid: number | null }[]
      const orphaned = running.filter((r) => r.pid === null || r.pid === process.pid || !isAlive(r.pid)).map((r) => r.id)
      const mark = this.stmt("UPDATE runs SET status = 'interrupted', owner_pid = NULL WHERE id = ? AND status = 'running'")
      this.db.transaction(() => {
        for (const id of orphaned) mark.run(id)
      })()
      return orphaned.sort((a, b) => a - b)
    })
  }

  /**
   * Queued runs whose owning process is gone (the app quit or crashed before their turn): claims them for
   * this process and returns their ids, oldest first, so they can be queued again.
   */
  claimOrphanedQueuedRuns(isAlive: (pid: number) => boolean = processIsAlive): number[] {
    return this.guard('claim queued runs', () => {
      const queued = this.stmt("SELECT id, owner_pid AS pid FROM runs WHERE status = 'queued'").all() as { id: number; pid: number | null }[]
      const orphaned = queued.filter((r) => r.pid === null || r.pid === process.pid || !isAlive(r.pid)).map((r) => r.id)
      const claim = this.stmt("UPDATE runs SET owner_pid = ? WHERE id = ? AND status = 'queued'")
      this.db.transaction(() => {
        for (const id of orphaned) claim.run(process.pid, id)
      })()
      return orphaned.sort((a, b) => a - b)
    })
  }

  listRuns(query: ListRunsQuery = {}): { rows: RunRecord[]; total: number } {
    return this.guard('list runs', () => {
      const where: string[] = []
      const params: SqlValue[] = []
      if (query.status !== undefined) {
        const statuses = Array.isArray(query.status) ? query.status : [query.status]
        if (statuses.length === 0) return { rows: [], total: 0 }
        where.push(`r.status IN (${statuses.map(() => '?').join(', ')})`)
        params.push(...statuses)
      }
      if (query.tag !== undefined) {
        where.push('EXISTS (SELECT 1 FROM json_each(r.tags) t WHERE t.value = ?)')
        params.push(query.tag)
      }
      if (query.experimentId !== undefined) {
        where.push('r.experiment_id = ?')
        params.push(query.experimentId)
      }
      if (query.search !== undefined && query.search.trim() !== '') {
        const like = `%${query.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`
        where.push("(r.name LIKE ? ESCAPE '\\' OR r.notes LIKE ? ESCAPE '\\' OR r.dataset LIKE ? ESCAPE '\\')")
        params.push(like, like, like)
      }
      for (const [key, value] of Object.entries(query.hyperparameters ?? {})) {
        if (typeof value === 'number') {
          where.push('EXISTS (SELECT 1 FROM hyperparameters h WHERE h.run_id = r.id AND h.key = ? AND h.numeric = ?)')
        } else {
          where.push('EXISTS (SELECT 1 FROM hyperparameters h WHERE h.run_id = r.id AND h.key = ? AND h.value = ?)')
        }
        params.push(key, typeof value === 'boolean' ? String(value) : value)
      }
      const whereSql = where.length ? `WHERE ${where.join(' AND ')}` : ''
      const total = (this.stmt(`SELECT COUNT(*) AS n FROM runs r ${whereSql}`).get(...params) as { n: number }).n

      const sortBy = query.sortBy ?? 'created'
      const order = (query.order ?? (sortBy === 'created' || sortBy === 'bestValAccuracy' ? 'desc' : 'asc')) === 'desc' ? 'DESC' : 'ASC'
      const orderParams: SqlValue[] = []
      let orderSql: string
      if (sortBy.startsWith('hp:')) {
        const hp = (col: string): string => `(SELECT h.${col} FROM hyperparameters h WHERE h.run_id = r.id AND h.key = ?) ${order} NULLS LAST`
        orderSql = `${hp('numeric')}, ${hp('value')}`
        orderParams.push(sortBy.slice(3), sortBy.slice(3))
      } else if (sortBy in SORT_COLUMNS) {
        orderSql = `${SORT_COLUMNS[sortBy as keyof typeof SORT_COLUMNS]} ${order} NULLS LAST`
      } else {
        throw new StoreError('invalid', `cannot list runs: unknown sort key "${sortBy}"`, this.path)
      }
      const limit = query.limit === undefined ? -1 : Math.max(0, Math.floor(query.limit))
      const offset = Math.max(0, Math.floor(query.offset ?? 0))
      const rows = this.stmt(`SELECT r.* FROM runs r ${whereSql} ORDER BY ${orderSql}, r.id ${order} LIMIT ? OFFSET ?`).all(
        ...params,
        ...orderParams,
        limit,
        offset
      ) as RunRow[]
      return { rows: rows.map(toRunRecord), total }
    })
  }

  // ---- metrics ------------------------------------------------------------------------------

  /**
   * Stores a batch of metric rows in one synchronous transaction: all or nothing. A row for a step that
   * is already stored (a resumed run replaying steps) replaces it.
   */
  appendMetrics(runId: number, rows: readonly MetricRow[]): void {
    if (rows.length === 0) return
    this.forgetSeries(runId)
    this.guard(`append ${rows.length} metric rows to run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId)
        const insert = this.stmt(
          `INSERT INTO metrics (run_id, name, split, step, epoch, value, elapsed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (run_id, name, split, step) DO UPDATE SET epoch = excluded.epoch, value = excluded.value, elapsed_ms = excluded.elapsed_ms`
        )
        const touched = new Map<string, { name: string; split: MetricSplit; block: number }>()
        for (const m of rows) {
          const value = m.value === null || Number.isNaN(m.value) ? null : m.value
          insert.run(runId, m.name, m.split, m.step, m.epoch, value, m.elapsedMs ?? 0)
          const block = Math.floor(m.step / 2 ** METRIC_BLOCK_SHIFT)
          const key = `${m.split}\u0000${m.name}\u0000${block}`
          if (!touched.has(key)) touched.set(key, { name: m.name, split: m.split, block })
        }
        // Recompute each touched block from its rows (a replayed step may have raised or lowered it).
        const clear = this.stmt('DELETE FROM metric_blocks WHERE run_id = ? AND name = ? AND split = ? AND block = ?')
        const fill = this.stmt(
          `INSERT INTO metric_blocks (run_id, name, split, block, min_step, min_value, max_step, max_value)
           SELECT ?, ?, ?, ?, lo.step, lo.value, hi.step, hi.value
           FROM (SELECT step, value FROM metrics WHERE run_id = ? AND name = ? AND split = ? AND step >= ? AND step < ? AND value IS NOT NULL ORDER BY value ASC, step ASC LIMIT 1) lo,
                (SELECT step, value FROM metrics WHERE run_id = ? AND name = ? AND split = ? AND step >= ? AND step < ? AND value IS NOT NULL ORDER BY value DESC, step ASC LIMIT 1) hi`
        )
        const size = 2 ** METRIC_BLOCK_SHIFT
        for (const t of touched.values()) {
          clear.run(runId, t.name, t.split, t.block)
          const range = [runId, t.name, t.split, t.block * size, (t.block + 1) * size]
          fill.run(runId, t.name, t.split, t.block, ...range, ...range)
        }
      })()
    )
  }

  /**
   * One metric's series ordered by step. When there are more than maxPoints rows, the step range is cut
   * into floor(maxPoints / 2) equal buckets and each bucket keeps its minimum and maximum rows (the lowest
   * step on ties; nulls ignored), so spikes survive; otherwise every row is returned exactly.
   *
   * A bucket's minimum and maximum come from the metric_blocks summary (min/max per block of 32 steps)
   * for the blocks wholly inside it, plus short range scans of the rows at its two ragged edges, so the
   * cost is about (buckets x 64 rows + blocks) instead of every row. A bucket with no non-null value
   * falls back to scanning its rows. All inside one read transaction.
   */
  metricSeries(runId: number, name: string, split: MetricSplit, maxPoints = 1000): MetricPoint[] {
    // Decimated series are cached until this connection writes the run's metrics or deletes it, or
    // another connection (the CLI, another app instance) commits anything (PRAGMA data_version).
    const version = this.guard('read the data version', () => this.db.pragma('data_version', { simple: true }) as number)
    if (version !== this.seriesCacheVersion) {
      this.seriesCache.clear()
      this.seriesCacheVersion = version
    }
    if (maxPoints > SERIES_CACHE_MAX_POINTS) return this.series(runId, name, split, maxPoints, true)
    const key = `${runId}\u0000${split}\u0000${name}\u0000${maxPoints}`
    const cached = this.seriesCache.get(key)
    if (cached) return cached.map((p) => ({ ...p }))
    const points = this.series(runId, name, split, maxPoints, true)
    if (points.length > 0 && maxPoints <= SERIES_CACHE_MAX_POINTS) {
      if (this.seriesCache.size >= SERIES_CACHE_ENTRIES) this.seriesCache.delete(this.seriesCache.keys().next().value as string)
      this.seriesCache.set(key, points.map((p) => ({ ...p })))
    }
    return points
  }

  /** Forgets every cached decimated series (benchmarks measure cold fetches with it). */
  clearSeriesCache(): void {
    this.seriesCache.clear()
  }

  private forgetSeries(runId: number): void {
    const prefix = `${runId}\u0000`
    for (const key of [...this.seriesCache.keys()]) if (key.startsWith(prefix)) this.seriesCache.delete(key)
  }

  /** metricSeries without the block summary: every bucket scans its rows. The reference for tests and benchmarks. */
  metricSeriesByScan(runId: number, name: string, split: MetricSplit, maxPoints = 1000): MetricPoint[] {
    return this.series(runId, name, split, maxPoints, false)
  }

  private series(runId: number, name: string, split: MetricSplit, maxPoints: number, useBlocks: boolean): MetricPoint[] {
    return this.guard(`read metric ${split}/${name} of run ${runId}`, () => {
      if (!Number.isInteger(maxPoints) || maxPoints < 2) throw new StoreError('invalid', `cannot read a metric series with maxPoints ${maxPoints}: need a whole number >= 2`, this.path)
      return this.db.transaction((): MetricPoint[] => {
        const where = 'run_id = ? AND name = ? AND split = ?'
        // Counting stops after maxPoints + 1 rows, and MIN/MAX(step) are single index seeks: no full scan of a long series.
        const { n } = this.stmt(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM metrics WHERE ${where} LIMIT ?)`).get(runId, name, split, maxPoints + 1) as { n: number }
        const range = {
          first: (this.stmt(`SELECT MIN(step) AS s FROM metrics WHERE ${where}`).get(runId, name, split) as { s: number | null }).s,
          last: (this.stmt(`SELECT MAX(step) AS s FROM metrics WHERE ${where}`).get(runId, name, split) as { s: number | null }).s
        }
        if (n <= maxPoints || range.first === null || range.last === null) {
          return (this.stmt(`SELECT step, epoch, value, elapsed_ms FROM metrics WHERE ${where} ORDER BY step`).all(runId, name, split) as MetricPointRow[]).map(toPoint)
        }
        // SQLite returns the other (bare) columns of the row that holds the MIN() or MAX(); on ties, the
        // first row met, i.e. the lowest step (these scans run in step order).
        const lowest = this.stmt(`SELECT step, epoch, MIN(value) AS value, elapsed_ms FROM metrics WHERE ${where} AND step >= ? AND step < ?`)
        const highest = this.stmt(`SELECT step, epoch, MAX(value) AS value, elapsed_ms FROM metrics WHERE ${where} AND step >= ? AND step < ?`)
        const size = 2 ** METRIC_BLOCK_SHIFT
        const buckets = Math.floor(maxPoints / 2)
        const width = (range.last - range.first + 1) / buckets
        const out: MetricPoint[] = []
        const push = (low: MetricPointRow, hi: MetricPointRow): void => {
          if (low.step === hi.step) out.push(toPoint(low))
          else if (low.step < hi.step) out.push(toPoint(low), toPoint(hi))
          else out.push(toPoint(hi), toPoint(low))
        }
        const scanBucket = (from: number, to: number): void => {
          const lo = lowest.get(runId, name, split, from, to) as MetricPointRow | { step: null }
          if (lo.step === null) return // empty bucket
          push(lo as MetricPointRow, highest.get(runId, name, split, from, to) as MetricPointRow)
        }
        // Bucket bounds [from, to), computed here exactly as the reference does.
        const bounds: [number, number][] = []
        for (let b = 0; b < buckets; b++) {
          const from = range.first + Math.ceil(b * width)
          const to = b === buckets - 1 ? range.last + 1 : range.first + Math.ceil((b + 1) * width)
          if (to > from) bounds.push([from, to])
        }
        if (!useBlocks) {
          for (const [from, to] of bounds) scanBucket(from, to)
          return out
        }
        // One statement for all buckets: each bucket's candidates are the rows of its ragged left and right
        // edges plus the min/max of the whole blocks inside it; the winner is the lowest (highest) value,
        // the lowest step on ties. Then the winning rows are read by their key.
        const plan = bounds.map(([from, to]) => {
          const firstBlock = Math.ceil(from / size)
          const endBlock = Math.floor(to / size)
          return endBlock - firstBlock >= 2 ? [from, firstBlock * size, endBlock * size, to, firstBlock, endBlock] : [from, to, to, to, 0, 0]
        })
        const picks = this.decimationStatement().all({ run: runId, name, split, plan: JSON.stringify(plan) }) as DecimationRow[]
        for (let i = 0; i < picks.length; i++) {
          const p = picks[i]
          if (p.lo_step === null || p.hi_step === null || p.lo_epoch === null || p.hi_epoch === null || p.lo_elapsed === null || p.hi_elapsed === null) {
            scanBucket(bounds[i][0], bounds[i][1]) // no non-null value: do what the reference does
            continue
          }
          push(
            { step: p.lo_step, epoch: p.lo_epoch, value: p.lo_value, elapsed_ms: p.lo_elapsed },
            { step: p.hi_step, epoch: p.hi_epoch, value: p.hi_value, elapsed_ms: p.hi_elapsed }
          )
        }
        return out
      })()
    })
  }

  /** The metric (name, split) pairs a run has, e.g. to build its charts. */
  metricNames(runId: number): { name: string; split: MetricSplit; count: number }[] {
    return this.guard(`list the metrics of run ${runId}`, () =>
      this.stmt('SELECT name, split, COUNT(*) AS count FROM metrics WHERE run_id = ? GROUP BY name, split ORDER BY name, split').all(runId) as {
        name: string
        split: MetricSplit
        count: number
      }[]
    )
  }

  // ---- checkpoints and artifacts ------------------------------------------------------------

  /** Stores the run's latest or best checkpoint (bytes from encodeCheckpoint), replacing the previous one. */
  saveCheckpoint(runId: number, kind: CheckpointKind, checkpoint: { bytes: Uint8Array; epoch: number; step: number }): void {
    this.guard(`save the ${kind} checkpoint of run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId)
        this.stmt('INSERT OR REPLACE INTO checkpoints (run_id, kind, epoch, step, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)').run(
          runId,
          kind,
          checkpoint.epoch,
          checkpoint.step,
          toBuffer(checkpoint.bytes),
          Date.now()
        )
      })()
    )
  }

  loadCheckpoint(runId: number, kind: CheckpointKind): StoredCheckpoint | null {
    return this.guard(`load the ${kind} checkpoint of run ${runId}`, () => {
      const row = this.stmt('SELECT epoch, step, bytes, created_at FROM checkpoints WHERE run_id = ? AND kind = ?').get(runId, kind) as CheckpointRow | undefined
      return row ? { runId, kind, epoch: row.epoch, step: row.step, bytes: toUint8(row.bytes), createdAt: row.created_at } : null
    })
  }

  /** Stores an artifact such as 'final_weights' or 'best_weights', replacing one of the same kind. */
  saveArtifact(runId: number, kind: string, bytes: Uint8Array): void {
    this.guard(`save the ${kind} of run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId)
        this.stmt('INSERT OR REPLACE INTO artifacts (run_id, kind, bytes, created_at) VALUES (?, ?, ?, ?)').run(runId, kind, toBuffer(bytes), Date.now())
      })()
    )
  }

  loadArtifact(runId: number, kind: string): StoredArtifact | null {
    return this.guard(`load the ${kind} of run ${runId}`, () => {
      const row = this.stmt('SELECT bytes, created_at FROM artifacts WHERE run_id = ? AND kind = ?').get(runId, kind) as BlobRow | undefined
      return row ? { runId, kind, bytes: toUint8(row.bytes), createdAt: row.created_at } : null
    })
  }

  listArtifacts(runId: number): { kind: string; size: number; createdAt: number }[] {
    return this.guard(`list the artifacts of run ${runId}`, () =>
      (this.stmt('SELECT kind, length(bytes) AS size, created_at FROM artifacts WHERE run_id = ? ORDER BY kind').all(runId) as { kind: string; size: number; created_at: number }[]).map(
        (r) => ({ kind: r.kind, size: r.size, createdAt: r.created_at })
      )
    )
  }

  // ---- insights (what a run recorded at each validated epoch end) ----------------------------

  /**
   * Stores one epoch's insight and its weights (state-dict bytes), replacing the epoch's earlier ones (a
   * resumed run replays epochs); past snapshotCap() snapshots the run's epoch weights are thinned.
   */
  saveInsight(runId: number, insight: InsightRecord, weights: Uint8Array): void {
    this.guard(`save the insight of epoch ${insight.epoch + 1} of run ${runId}`, () =>
      this.db.transaction(() => {
        this.requireRun(runId)
        const now = Date.now()
        this.stmt(
          `INSERT OR REPLACE INTO epoch_insights (run_id, epoch, classes, score_kind, k, confusion, labels, top_labels, top_scores, histograms, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
        ).run(
          runId,
          insight.epoch,
          insight.classes,
          insight.scoreKind,
          insight.k,
          typedBytes(insight.confusion),
          typedBytes(insight.labels),
          typedBytes(insight.topLabels),
          typedBytes(insight.topScores),
          JSON.stringify(insight.histograms),
          now
        )
        this.stmt('INSERT OR REPLACE INTO epoch_weights (run_id, epoch, weights, created_at) VALUES (?, ?, ?, ?)').run(runId, insight.epoch, toBuffer(weights), now)
        const drop = this.stmt('DELETE FROM epoch_weights WHERE run_id = ? AND epoch = ?')
        for (const epoch of snapshotsToDrop(this.weightEpochs(runId), snapshotCap(weights.byteLength))) drop.run(runId, epoch)
      })()
    )
  }

  /** Epochs (0-based, ascending) with a stored insight. */
  insightEpochs(runId: number): number[] {
    return this.guard(`list the insights of run ${runId}`, () =>
      (this.stmt('SELECT epoch FROM epoch_insights WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number }[]).map((r) => r.epoch)
    )
  }

  loadInsight(runId: number, epoch: number): InsightRecord | null {
    return this.guard(`load the insight of epoch ${epoch + 1} of run ${runId}`, () => {
      const row = this.stmt('SELECT * FROM epoch_insights WHERE run_id = ? AND epoch = ?').get(runId, epoch) as InsightRow | undefined
      return row ? insightFromRow(row) : null
    })
  }

  /** Epochs (0-based, ascending) whose weights are kept (all of them up to snapshotCap(), then evenly spaced ones). */
  weightEpochs(runId: number): number[] {
    return this.guard(`list the epoch weights of run ${runId}`, () =>
      (this.stmt('SELECT epoch FROM epoch_weights WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number }[]).map((r) => r.epoch)
    )
  }

  /** An epoch's weights (state-dict bytes), or null when none were recorded or they were thinned out. */
  loadEpochWeights(runId: number, epoch: number): Uint8Array | null {
    return this.guard(`load the weights of epoch ${epoch + 1} of run ${runId}`, () => {
      const row = this.stmt('SELECT weights FROM epoch_weights WHERE run_id = ? AND epoch = ?').get(runId, epoch) as { weights: Buffer } | undefined
      return row ? toUint8(row.weights) : null
    })
  }

  /** When an epoch's weights or an artifact were stored (identifies a version of those weights), or null. */
  weightsStamp(runId: number, of: { epoch: number } | { artifact: string }): number | null {
    return this.guard(`look up weights of run ${runId}`, () => {
      const row = ('epoch' in of
        ? this.stmt('SELECT created_at FROM epoch_weights WHERE run_id = ? AND epoch = ?').get(runId, of.epoch)
        : this.stmt('SELECT created_at FROM artifacts WHERE run_id = ? AND kind = ?').get(runId, of.artifact)) as { created_at: number } | undefined
      return row ? row.created_at : null
    })
  }

  /** Every stored epoch's histograms, ascending by epoch (without the heavier columns). */
  insightHistograms(runId: number): { epoch: number; histograms: InsightHistograms }[] {
    return this.guard(`load the histograms of run ${runId}`, () =>
      (this.stmt('SELECT epoch, histograms FROM epoch_insights WHERE run_id = ? ORDER BY epoch').all(runId) as { epoch: number; histograms: string }[]).map((r) => ({
        epoch: r.epoch,
        histograms: JSON.parse(r.histograms) as InsightHistograms
      }))
    )
  }

  // ---- hyperparameters ----------------------------------------------------------------------

  hyperparameters(runId: number): Record<string, string | null> {
    return this.guard(`read the hyperparameters of run ${runId}`, () => {
      const out: Record<string, string | null> = {}
      for (const r of this.stmt('SELECT key, value FROM hyperparameters WHERE run_id = ? ORDER BY key').all(runId) as { key: string; value: string | null }[]) out[r.key] = r.value
      return out
    })
  }

  /** The hyperparameter keys whose values are not the same in all the given runs (missing counts as different), sorted by key. */
  differingHyperparameters(runIds: readonly number[]): HyperparameterDiff[] {
    const ids = [...new Set(runIds)]
    if (ids.length < 2) return []
    return this.guard(`compare the hyperparameters of runs ${ids.join(', ')}`, () => {
      const rows = this.stmt(`SELECT run_id, key, value, numeric FROM hyperparameters WHERE run_id IN (${ids.map(() => '?').join(', ')})`).all(...ids) as HyperparameterDbRow[]
      const byKey = new Map<string, Map<number, HyperparameterDbRow>>()
      for (const r of rows) {
        let m = byKey.get(r.key)
        if (!m) byKey.set(r.key, (m = new Map()))
        m.set(r.run_id, r)
      }
      const diffs: HyperparameterDiff[] = []
      for (const [key, m] of [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const values = ids.map((runId) => ({ runId, value: m.get(runId)?.value ?? null, numeric: m.get(runId)?.numeric ?? null }))
        if (m.size < ids.length || new Set(values.map((v) => v.value)).size > 1) diffs.push({ key, values })
      }
      return diffs
    })
  }

  // ---- experiments --------------------------------------------------------------------------

  createExperiment(name: string, kind: string, definition: unknown = null): number {
    return this.guard(`create experiment "${name}"`, () =>
      Number(
        this.stmt('INSERT INTO experiments (name, kind, created_at, definition) VALUES (?, ?, ?, ?)').run(
          name,
          kind,
          Date.now(),
          definition === null ? null : JSON.stringify(definition)
        ).lastInsertRowid
      )
    )
  }

  setExperimentDefinition(id: number, definition: unknown): void {
    this.guard(`save experiment ${id}`, () => {
      const info = this.stmt('UPDATE experiments SET definition = ? WHERE id = ?').run(JSON.stringify(definition), id)
      if (info.changes === 0) throw new StoreError('not_found', `experiment ${id} does not exist`, this.path)
    })
  }

  getExperiment(id: number): ExperimentRecord | null {
    return this.guard(`read experiment ${id}`, () => {
      const row = this.stmt('SELECT * FROM experiments WHERE id = ?').get(id) as ExperimentRow | undefined
      return row ? toExperimentRecord(row) : null
    })
  }

  listExperiments(): ExperimentRecord[] {
    return this.guard('list experiments', () =>
      (this.stmt('SELECT * FROM experiments ORDER BY created_at DESC, id DESC').all() as ExperimentRow[]).map(toExperimentRecord)
    )
  }

  // ---- saved networks -----------------------------------------------------------------------

  /** Saves an editor document; saving the same name again creates the next version. */
  saveNetwork(name: string, spec: NetworkSpec): NetworkRecord {
    return this.guard(`save network "${name}"`, () =>
      this.db.transaction((): NetworkRecord => {
        const { v } = this.stmt('SELECT COALESCE(MAX(version), 0) AS v FROM networks WHERE name = ?').get(name) as { v: number }
        const createdAt = Date.now()
        const info = this.stmt('INSERT INTO networks (name, version, spec, created_at) VALUES (?, ?, ?, ?)').run(name, v + 1, JSON.stringify(spec), createdAt)
        return { id: Number(info.lastInsertRowid), name, version: v + 1, spec, createdAt }
      }).immediate()
    )
  }

  /** One entry per name, for its latest version. */
  listNetworks(): NetworkListItem[] {
    return this.guard('list saved networks', () =>
      (
        this.stmt(
          `SELECT n.id, n.name, n.version AS latest_version, n.created_at, c.versions
           FROM networks n JOIN (SELECT name, MAX(version) AS v, COUNT(*) AS versions FROM networks GROUP BY name) c ON c.name = n.name AND c.v = n.version
           ORDER BY n.name COLLATE NOCASE`
        ).all() as NetworkListRow[]
      ).map((r) => ({ id: r.id, name: r.name, latestVersion: r.latest_version, createdAt: r.created_at, versions: r.versions }))
    )
  }

  /** A saved network by name: the given version, or the latest. */
  getNetwork(name: string, version?: number): NetworkRecord | null {
    return this.guard(`read network "${name}"${version === undefined ? '' : ` version ${version}`}`, () => {
      const row = (
        version === undefined
          ? this.stmt('SELECT * FROM networks WHERE name = ? ORDER BY version DESC LIMIT 1').get(name)
          : this.stmt('SELECT * FROM networks WHERE name = ? AND version = ?').get(name, version)
      ) as NetworkRow | undefined
      return row ? { id: row.id, name: row.name, version: row.version, spec: JSON.parse(row.spec) as NetworkSpec, createdAt: row.created_at } : null
    })
  }

  networkVersions(name: string): { id: number; version: number; createdAt: number }[] {
    return this.guard(`list the versions of network "${name}"`, () =>
      (this.stmt('SELECT id, version, created_at FROM networks WHERE name = ? ORDER BY version').all(name) as { id: number; version: number; created_at: number }[]).map((r) => ({
        id: r.id,
        version: r.version,
        createdAt: r.created_at
      }))
    )
  }

  /** Deletes every version of a saved network; returns how many were deleted. */
  deleteNetwork(name: string): number {
    return this.guard(`delete network "${name}"`, () => this.stmt('DELETE FROM networks WHERE name = ?').run(name).changes)
  }

  // ---- helpers ------------------------------------------------------------------------------

  private decimation: Statement<[Record<string, SqlValue>], unknown> | null = null

  /** The one-statement decimation over the metric_blocks summary; @plan is a JSON array of [from, leftEnd, rightStart, to, firstBlock, endBlock] per bucket. */
  private decimationStatement(): Statement<[Record<string, SqlValue>], unknown> {
    if (this.decimation) return this.decimation
    const rows = (lo: string, hi: string): string =>
      `SELECT step AS s, value AS v FROM metrics WHERE run_id = @run AND name = @name AND split = @split AND step >= ${lo} AND step < ${hi} AND value IS NOT NULL`
    const candidates = (col: 'min' | 'max'): string =>
      // In step order (left edge, blocks, right edge), so the bare-column MIN/MAX keeps the lowest step on ties.
      `SELECT s FROM (SELECT s, ${col.toUpperCase()}(v) FROM (${rows('b.f', 'b.l')} UNION ALL
         SELECT ${col}_step, ${col}_value FROM metric_blocks WHERE run_id = @run AND name = @name AND split = @split AND block >= b.fb AND block < b.eb
         UNION ALL ${rows('b.r', 'b.t')}))`
    this.decimation = this.db.prepare<[Record<string, SqlValue>], unknown>(
      `WITH b AS (
         SELECT key AS k, value ->> 0 AS f, value ->> 1 AS l, value ->> 2 AS r, value ->> 3 AS t, value ->> 4 AS fb, value ->> 5 AS eb FROM json_each(@plan)
       ),
       w AS MATERIALIZED (
         SELECT b.k,
           (${candidates('min')}) AS lo,
           (${candidates('max')}) AS hi
         FROM b
       )
       SELECT w.k, lo.step AS lo_step, lo.epoch AS lo_epoch, lo.value AS lo_value, lo.elapsed_ms AS lo_elapsed,
              hi.step AS hi_step, hi.epoch AS hi_epoch, hi.value AS hi_value, hi.elapsed_ms AS hi_elapsed
       FROM w
       LEFT JOIN metrics lo ON lo.run_id = @run AND lo.name = @name AND lo.split = @split AND lo.step = w.lo
       LEFT JOIN metrics hi ON hi.run_id = @run AND hi.name = @name AND hi.split = @split AND hi.step = w.hi
       ORDER BY w.k`
    )
    return this.decimation
  }

  private stmt(sql: string): Statement<SqlValue[], unknown> {
    let s = this.statements.get(sql)
    if (!s) {
      s = this.db.prepare<SqlValue[], unknown>(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn()
    } catch (err) {
      throw toStoreError(err, what, this.path)
    }
  }

  private requireRun(id: number): void {
    if (!this.stmt('SELECT 1 FROM runs WHERE id = ?').get(id)) throw new StoreError('not_found', `run ${id} does not exist in ${this.path}`, this.path)
  }

  private expectChanged(changes: number, id: number): void {
    if (changes === 0) throw new StoreError('not_found', `run ${id} does not exist in ${this.path}`, this.path)
  }
}

function toRunRecord(r: RunRow): RunRecord {
  return {
    id: r.id,
    experimentId: r.experiment_id,
    parentRunId: r.parent_run_id,
    name: r.name,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    network: JSON.parse(r.network) as RunRecord['network'],
    training: JSON.parse(r.training) as RunRecord['training'],
    seed: r.seed,
    dataset: r.dataset,
    summary: r.summary === null ? null : (JSON.parse(r.summary) as RunSummary),
    bestEpoch: r.best_epoch,
    error: r.error === null ? null : (JSON.parse(r.error) as RunErrorInfo),
    notes: r.notes,
    tags: JSON.parse(r.tags) as string[]
  }
}

function toPoint(r: MetricPointRow): MetricPoint {
  return { step: r.step, epoch: r.epoch, value: r.value, elapsedMs: r.elapsed_ms }
}

interface InsightRow {
  epoch: number
  classes: number
  score_kind: 'probability' | 'output'
  k: number
  confusion: Buffer
  labels: Buffer
  top_labels: Buffer
  top_scores: Buffer
  histograms: string
  created_at: number
}

function insightFromRow(row: InsightRow): InsightRecord {
  // Copies: SQLite's buffers need not be aligned for the typed-array views.
  const copy = (b: Buffer) => new Uint8Array(b).buffer
  return {
    epoch: row.epoch,
    classes: row.classes,
    scoreKind: row.score_kind,
    k: row.k,
    confusion: new Int32Array(copy(row.confusion)),
    labels: new Uint16Array(copy(row.labels)),
    topLabels: new Uint16Array(copy(row.top_labels)),
    topScores: new Float32Array(copy(row.top_scores)),
    histograms: JSON.parse(row.histograms) as InsightHistograms,
    createdAt: row.created_at
  }
}

/** A typed array's bytes as a Buffer (platform byte order: little-endian on every machine Tatami runs on). */
function typedBytes(a: Int32Array | Uint16Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}

/** A plain Uint8Array (not a Buffer) that owns its whole ArrayBuffer, so `.buffer` is safe to post or wrap. */
function toUint8(b: Buffer): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? new Uint8Array(b.buffer, 0, b.byteLength) : new Uint8Array(b)
}

/** Whether a process with this pid exists (signal 0 checks without signalling; EPERM means it exists). */
function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
