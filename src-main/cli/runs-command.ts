/** `tatami runs [--db PATH] [--status S] [--limit N]`: the runs of a database as a table. */
import { parseArgs } from 'node:util'
import { RUN_STATUSES } from '../store/migrations'
import type { RunStatus } from '../store/types'
import { DB_HELP, dbPath, duration, localTime, openCliStore, pct, table, UsageError } from './db'

const HELP = `Usage: tatami runs [options]

Lists the runs in the run database, newest first: id, name, status, dataset, epochs done / total,
best validation accuracy, created (local time) and duration. Runs left 'running' by a process that
died are marked 'interrupted' first (resume them with tatami resume RUN).

Options:
${DB_HELP}
  --status S     only runs with this status (${RUN_STATUSES.join(', ')})
  --limit N      at most N runs (default 50)
  -h, --help     show this help`

export async function runsCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, status: { type: 'string' }, limit: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length > 0) throw new UsageError(`tatami runs: unexpected argument "${positionals[0]}"\n\n${HELP}`)
  let status: RunStatus | undefined
  if (values.status !== undefined) {
    const s = values.status
    const found = RUN_STATUSES.find((x) => x === s)
    if (!found) throw new UsageError(`tatami runs: --status must be one of ${RUN_STATUSES.join(', ')}, got "${s}"`)
    status = found
  }
  let limit = 50
  if (values.limit !== undefined) {
    limit = Number(values.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`tatami runs: --limit must be a positive whole number, got "${values.limit}"`)
  }
  const path = dbPath(values.db)
  const store = openCliStore(path, false)
  if (!store) {
    process.stdout.write(`No runs yet: there is no database at ${path} (tatami train FILE --db ${path} creates it).\n`)
    return 0
  }
  try {
    const { rows, total } = store.listRuns({ ...(status ? { status } : {}), limit, sortBy: 'created', order: 'desc' })
    if (rows.length === 0) {
      process.stdout.write(status ? `No ${status} runs in ${path}.\n` : `No runs yet in ${path} (start one with tatami train FILE --db ${path}).\n`)
      return 0
    }
    const body = rows.map((r) => [
      String(r.id),
      r.name,
      r.status,
      r.dataset,
      `${r.summary?.epochsCompleted ?? store.metricSeries(r.id, 'epoch_loss', 'train', 1_000_000).length}/${r.training.epochs}`,
      pct(r.summary?.bestValAccuracy),
      localTime(r.createdAt),
      duration(r)
    ])
    process.stdout.write(table(['ID', 'NAME', 'STATUS', 'DATASET', 'EPOCHS', 'BEST VAL ACC', 'CREATED', 'DURATION'], body) + '\n')
    if (total > rows.length) process.stdout.write(`(${rows.length} of ${total} runs; --limit N shows more)\n`)
    return 0
  } finally {
    store.close()
  }
}
