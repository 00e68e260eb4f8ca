/** `tatami confusion RUN [--epoch N] [--mistakes N] [--db PATH]`: a run's confusion matrix from what training recorded. */
import { parseArgs } from 'node:util'
import { describeDataset } from '../data/datasets'
import { DatasetLibrary, defaultDatasetsDir } from '../data/dataset-library'
import { selectSamples } from '../inspect/inspect-service'
import { DB_HELP, dbPath, openCliStore, parseRunId, pct, table, UsageError } from './db'

const HELP = `Usage: tatami confusion RUN [options]

Prints the confusion matrix of a run on its validation split (rows: true class, columns: predicted),
per-class accuracy, and the most confident mistakes, as recorded at the end of an epoch.

Options:
  --epoch N      the epoch (1-based; default: the last recorded)
  --mistakes N   how many mistakes to list (default 10)
${DB_HELP}
  -h, --help     show this help`

export async function confusionCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { db: { type: 'string' }, epoch: { type: 'string' }, mistakes: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) throw new UsageError(`tatami confusion: expected one run id\n\n${HELP}`)
  const id = parseRunId(positionals[0], 'confusion')
  const mistakes = wholeNumber(values.mistakes ?? '10', '--mistakes', 0)
  const path = dbPath(values.db)
  const store = openCliStore(path, false)
  const run = store?.getRun(id) ?? null
  if (!store || !run) {
    store?.close()
    process.stderr.write(`tatami confusion: run ${id} not found in ${path}\n`)
    return 1
  }
  try {
    const epochs = store.insightEpochs(id)
    if (epochs.length === 0) {
      process.stderr.write(`tatami confusion: run ${id} has recorded no epoch (it has no validation split, has not finished an epoch, or was trained before Tatami recorded them)\n`)
      return 1
    }
    const epoch = values.epoch === undefined ? epochs[epochs.length - 1] : wholeNumber(values.epoch, '--epoch', 1) - 1
    const insight = store.loadInsight(id, epoch)
    if (!insight) {
      process.stderr.write(`tatami confusion: run ${id} has no record of epoch ${epoch + 1}; recorded epochs: ${epochs.map((e) => e + 1).join(', ')}\n`)
      return 1
    }
    const c = insight.classes
    const info = await describeDataset(run.training.dataset.id, { library: new DatasetLibrary(defaultDatasetsDir(path)) }).catch(() => null)
    const names = info?.classes?.length === c ? info.classes : Array.from({ length: c }, (_, i) => String(i))
    const rows: string[][] = []
    let correct = 0
    let total = 0
    for (let t = 0; t < c; t++) {
      const row = Array.from(insight.confusion.subarray(t * c, (t + 1) * c))
      const n = row.reduce((a, b) => a + b, 0)
      correct += row[t]
      total += n
      rows.push([names[t], ...row.map(String), pct(n ? row[t] / n : null)])
    }
    const out = [`Run ${id}, epoch ${epoch + 1}: validation accuracy ${pct(total ? correct / total : null)} (${correct} of ${total}); rows are true classes`, '']
    out.push(table(['TRUE \\ PREDICTED', ...names, 'ACCURACY'], rows))
    const wrong = selectSamples(insight, { kind: 'mistakes' })
    if (mistakes > 0 && wrong.length > 0) {
      const k = insight.k
      out.push('', `Most confident mistakes (${Math.min(mistakes, wrong.length)} of ${wrong.length}):`)
      const list = wrong.slice(0, mistakes).map((i) => [
        String(i),
        names[insight.labels[i]],
        names[insight.topLabels[i * k]],
        Array.from({ length: k }, (_, r) => `${names[insight.topLabels[i * k + r]]} ${insight.scoreKind === 'probability' ? pct(insight.topScores[i * k + r]) : insight.topScores[i * k + r].toFixed(3)}`).join(', ')
      ])
      out.push(table(['SAMPLE', 'TRUE', 'PREDICTED', `TOP ${k}`], list).replace(/^/gm, '  '))
    }
    process.stdout.write(out.join('\n') + '\n')
    return 0
  } finally {
    store.close()
  }
}

function wholeNumber(text: string, flag: string, min: number): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new UsageError(`tatami confusion: ${flag} must be a whole number ≥ ${min}, got "${text}"`)
  return n
}
