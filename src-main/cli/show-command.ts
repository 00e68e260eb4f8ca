/** `tatami show RUN [--db PATH]`: one run's details. */
import { parseArgs } from 'node:util'
import { DB_HELP, dbPath, duration, epochRows, localTime, num, openCliStore, parseRunId, pct, table, UsageError } from './db'

const HELP = `Usage: tatami show RUN [options]

Shows a run of the run database: status (and error), network layers, hyperparameters, a table of
its epochs (train loss / accuracy, validation loss / accuracy), the best epoch and its checkpoints.

Options:
${DB_HELP}
  -h, --help     show this help`

export async function showCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { db: { type: 'string' }, help: { type: 'boolean', short: 'h' } } })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) throw new UsageError(`tatami show: expected one run id\n\n${HELP}`)
  const id = parseRunId(positionals[0], 'show')
  const path = dbPath(values.db)
  const store = openCliStore(path, false)
  const run = store?.getRun(id) ?? null
  if (!store || !run) {
    store?.close()
    process.stderr.write(`tatami show: run ${id} not found in ${path}\n`)
    return 1
  }
  try {
    const out: string[] = []
    out.push(`Run ${run.id}: ${run.name}`)
    out.push(`status:     ${run.status}${run.summary?.outcome && run.summary.outcome !== run.status ? ` (${run.summary.outcome})` : ''}`)
    if (run.error) out.push(`error:      ${run.error.name}: ${run.error.message}`)
    out.push(`created:    ${localTime(run.createdAt)}   started: ${localTime(run.startedAt)}   finished: ${localTime(run.finishedAt)}   duration: ${duration(run)}`)
    if (run.parentRunId !== null) out.push(`parent run: ${run.parentRunId}`)
    if (run.tags.length > 0) out.push(`tags:       ${run.tags.join(', ')}`)
    if (run.notes) out.push(`notes:      ${run.notes}`)
    out.push(`network:    ${run.network.name ? `${run.network.name}, ` : ''}input ${run.network.input.shape.join('×')}, ${run.network.layers.length} layers`)
    out.push(`            ${run.network.layers.map((l) => l.type).join(' → ')}`)
    out.push('', 'Hyperparameters:')
    const hp = store.hyperparameters(run.id)
    // The layers are listed above; the rest are the training hyperparameters.
    const keys = Object.keys(hp).filter((k) => !k.startsWith('network.layer.') && k !== 'version').sort()
    const width = Math.max(0, ...keys.map((k) => k.length))
    for (const k of keys) out.push(`  ${k.padEnd(width)}  ${hp[k] ?? '-'}`)
    const epochs = epochRows(store, run.id)
    out.push('', `Epochs (${epochs.length}/${run.training.epochs}):`)
    if (epochs.length === 0) out.push('  none recorded yet')
    else {
      const best = run.bestEpoch
      const rows = epochs.map((e) => [
        String(e.epoch + 1),
        num(e.trainLoss),
        pct(e.trainAccuracy),
        num(e.valLoss),
        pct(e.valAccuracy),
        best === e.epoch ? '*' : ''
      ])
      out.push(table(['EPOCH', 'TRAIN LOSS', 'TRAIN ACC', 'VAL LOSS', 'VAL ACC', 'BEST'], rows).replace(/^/gm, '  '))
    }
    if (run.bestEpoch !== null) {
      out.push('', `best epoch ${run.bestEpoch + 1}: val loss ${num(run.summary?.bestValLoss)}, val accuracy ${pct(run.summary?.bestValAccuracy)}`)
    }
    out.push('', 'Checkpoints:')
    let any = false
    for (const kind of ['latest', 'best'] as const) {
      const cp = store.loadCheckpoint(run.id, kind)
      if (cp) {
        any = true
        out.push(`  ${kind.padEnd(6)}  after epoch ${cp.epoch}, step ${cp.step}, ${(cp.bytes.byteLength / 1024).toFixed(1)} KiB, ${localTime(cp.createdAt)}`)
      }
    }
    for (const a of store.listArtifacts(run.id)) {
      any = true
      out.push(`  weights ${a.kind}: ${(a.size / 1024).toFixed(1)} KiB, ${localTime(a.createdAt)}`)
    }
    if (!any) out.push('  none')
    process.stdout.write(out.join('\n') + '\n')
    return 0
  } finally {
    store.close()
  }
}
