/** `tatami import FILE [--name NAME] [--db PATH]`: reads a .tatami or Tatami-exported .onnx file. */
import { parseArgs } from 'node:util'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import { readModelFile } from '../export/read-model-file'
import { DB_HELP, dbPath, openCliStore, pct, UsageError } from './db'

const HELP = `Usage: tatami import FILE [options]

Reads a model file (.tatami, or an .onnx file exported by Tatami), prints what it holds, and saves its
network in the run database's network library (the weights stay in the file: fine-tune from it with
tatami train EXPERIMENT.json --init FILE). ONNX files from elsewhere are refused, naming the first
operator or piece of metadata Tatami cannot read.

Options:
  --name NAME    the library name (default: the network's own name)
  --dry-run      only print what the file holds
${DB_HELP}
  -h, --help     show this help`

export async function importCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, 'dry-run': { type: 'boolean' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) throw new UsageError(`tatami import: expected one file\n\n${HELP}`)
  let read: ReturnType<typeof readModelFile>
  try {
    read = readModelFile(positionals[0])
  } catch (err) {
    process.stderr.write(`tatami import: ${(err as Error).message}\n`)
    return 1
  }
  const { model, format } = read
  const analysis = analyzeNetwork(model.spec)
  const params = Object.entries(model.weights).reduce((s, [k, e]) => (k.endsWith('num_batches_tracked') ? s : s + e.data.length), 0)
  const lines = [
    `${format === 'tatami' ? 'Tatami model file' : 'ONNX (exported by Tatami)'}: ${model.spec.name ?? '(unnamed network)'}`,
    `input ${model.spec.input.shape.join('×')} → output ${analysis.outputShape?.join('×') ?? '?'}, ${model.spec.layers.length} layers, ${params} parameters`,
    `  ${model.spec.layers.map((l) => l.type).join(' → ')}`
  ]
  if (model.source.runId !== undefined) lines.push(`from run ${model.source.runId} (${model.source.runName ?? ''}), ${model.source.weights ?? ''} weights`)
  if (model.training) lines.push(`trained on ${model.training.dataset.id}: ${model.training.epochs} epochs, ${model.training.optimizer.type} lr ${model.training.optimizer.lr}, ${model.training.loss}`)
  if (model.summary) lines.push(`best val accuracy ${pct(model.summary.bestValAccuracy)}, final val accuracy ${pct(model.summary.finalValAccuracy)}, outcome ${model.summary.outcome ?? '-'}`)
  if (model.normalizer) lines.push(`input normalization: ${JSON.stringify(model.normalizer)}`)
  process.stdout.write(lines.join('\n') + '\n')
  if (values['dry-run']) return 0
  const path = dbPath(values.db)
  const store = openCliStore(path, true)!
  try {
    const name = values.name ?? model.spec.name ?? 'imported network'
    const record = store.saveNetwork(name, model.spec)
    process.stdout.write(`saved network "${record.name}" version ${record.version} in ${path}\n`)
    return 0
  } finally {
    store.close()
  }
}
