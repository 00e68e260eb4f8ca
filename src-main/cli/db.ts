/**
 * Shared by the CLI commands that use the run database (train --db, runs, show, resume).
 *
 * Where the database lives: `--db PATH` when given, else `$TATAMI_DB`, else
 * `~/.config/tatami/tatami.sqlite` (the Electron app's userData folder on Linux is ~/.config/tatami).
 * Folders are created as needed when a command writes (train); read commands never create a database.
 */
import { existsSync } from 'node:fs'
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { RunStore } from '../store/run-store'
import type { RunRecord } from '../store/types'
import type { TrainEvent } from '../../src-engine/train/events'

export const DB_HELP = `  --db PATH      the run database (default: $TATAMI_DB, else ~/.config/tatami/tatami.sqlite)`

export function defaultDbPath(): string {
  const env = process.env.TATAMI_DB
  if (env !== undefined && env.trim() !== '') return resolve(env)
  return join(homedir(), '.config', 'tatami', 'tatami.sqlite')
}

export function dbPath(flag: string | undefined): string {
  return flag !== undefined ? resolve(flag) : defaultDbPath()
}

/**
 * Opens the store (creating it, and its folders, when `create`). Runs a dead process left 'running'
 * become 'interrupted'; runs another live process (a CLI or the app) is training are left alone.
 * Returns null when the database does not exist and `create` is false.
 */
export function openCliStore(path: string, create: boolean): RunStore | null {
  if (!create && !existsSync(path)) return null
  const store = RunStore.open(path, create ? {} : { mustExist: true })
  store.markInterruptedRuns()
  return store
}

export function parseRunId(text: string | undefined, command: string): number {
  if (text === undefined) throw new UsageError(`tatami ${command}: expected a run id`)
  const n = Number(text)
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`tatami ${command}: run id must be a positive whole number, got "${text}"`)
  return n
}

/** A command-line mistake: exit code 2. */
export class UsageError extends Error {}

export function pct(x: number | null | undefined): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(2)}%`
}

/** The per-epoch line of `tatami train` and `tatami resume`. */
export function epochLine(e: Extract<TrainEvent, { type: 'epoch' }>, epochs: number): string {
  const val = e.valLoss === null ? '' : `  val loss ${e.valLoss.toFixed(4)}  val acc ${pct(e.valAccuracy)}`
  return (
    `epoch ${String(e.epoch + 1).padStart(3)}/${epochs}  loss ${e.trainLoss.toFixed(4)}  acc ${pct(e.trainAccuracy)}${val}` +
    `  lr ${e.lr.toPrecision(3)}  ${Math.round(e.imagesPerSecond)} img/s  ${e.seconds.toFixed(1)}s${e.isBest ? '  *' : ''}\n`
  )
}

export function num(x: number | null | undefined, digits = 4): string {
  return x === null || x === undefined ? '-' : Number.isFinite(x) ? x.toFixed(digits) : String(x)
}

export function localTime(ms: number | null): string {
  if (ms === null) return '-'
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}

export function duration(run: RunRecord, now = Date.now()): string {
  if (run.startedAt === null) return '-'
  const end = run.finishedAt ?? (run.status === 'running' ? now : null)
  if (end === null) return '-'
  const s = Math.max(0, (end - run.startedAt) / 1000)
  if (s < 60) return `${s.toFixed(1)}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s`
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`
}

/** Left-aligned text table with a header row. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(header), ...rows.map(line)].join('\n')
}

/** Epoch rows of a run from the store's metric series (keyed by the epoch's last step). */
export interface EpochRow {
  epoch: number
  trainLoss: number | null
  trainAccuracy: number | null
  valLoss: number | null
  valAccuracy: number | null
}

export function epochRows(store: RunStore, runId: number): EpochRow[] {
  const all = 1_000_000
  const byStep = new Map<number, EpochRow>()
  const row = (step: number, epoch: number): EpochRow => {
    let r = byStep.get(step)
    if (!r) {
      r = { epoch, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null }
      byStep.set(step, r)
    }
    return r
  }
  for (const p of store.metricSeries(runId, 'epoch_loss', 'train', all)) row(p.step, p.epoch).trainLoss = p.value
  for (const p of store.metricSeries(runId, 'epoch_accuracy', 'train', all)) row(p.step, p.epoch).trainAccuracy = p.value
  for (const p of store.metricSeries(runId, 'loss', 'val', all)) row(p.step, p.epoch).valLoss = p.value
  for (const p of store.metricSeries(runId, 'accuracy', 'val', all)) row(p.step, p.epoch).valAccuracy = p.value
  return [...byStep.entries()].sort((a, b) => a[0] - b[0]).map(([, r]) => r)
}
