/** `tatami resume RUN [--db PATH]`: continues a paused, stopped or interrupted run from its latest checkpoint. */
import { parseArgs } from 'node:util'
import { DB_HELP, dbPath, openCliStore, parseRunId, UsageError } from './db'
import { trainStoredRun } from './engine-run'

const HELP = `Usage: tatami resume RUN [options]

Continues a paused, stopped or interrupted run of the run database from its latest checkpoint (from the
start if it has none), in an engine process, printing a line per epoch. Ctrl-C stops it again.

Options:
${DB_HELP}
  -h, --help     show this help`

const RESUMABLE = ['paused', 'stopped', 'interrupted'] as const

export async function resumeCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) throw new UsageError(`tatami resume: expected one run id\n\n${HELP}`)
  const id = parseRunId(positionals[0], 'resume')
  const path = dbPath(values.db)
  const store = openCliStore(path, false)
  try {
    const run = store?.getRun(id) ?? null
    if (!store || !run) {
      process.stderr.write(`tatami resume: run ${id} not found in ${path}\n`)
      return 1
    }
    if (!RESUMABLE.some((s) => s === run.status)) {
      const why = run.status === 'completed' ? 'it has finished training' : run.status === 'running' || run.status === 'queued' ? 'it is still going' : 'it cannot continue'
      process.stderr.write(`tatami resume: run ${id} is ${run.status}; ${why}. Only paused, stopped or interrupted runs can be resumed.\n`)
      return 1
    }
    const cp = store.loadCheckpoint(id, 'latest')
    process.stdout.write(
      `Resuming run ${id} ("${run.name}") in ${path} ${cp ? `from its checkpoint after epoch ${cp.epoch} (step ${cp.step})` : 'from the start (no checkpoint)'}, in an engine process\n`
    )
    return await trainStoredRun(store, run, 'resume')
  } finally {
    store?.close()
  }
}
