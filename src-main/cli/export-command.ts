/** `tatami export RUN --format onnx|pytorch|tatami [--out PATH] [--weights best|final] [--db PATH]`. */
import { parseArgs } from 'node:util'
import { EXPORT_FORMATS, type ExportFormat, type WeightsChoice } from '../../src-engine/export/exported-model'
import { ExportError, exportRun } from '../export/export-run'
import { DB_HELP, dbPath, openCliStore, parseRunId, UsageError } from './db'

const HELP = `Usage: tatami export RUN --format onnx|pytorch|tatami [options]

Writes a run's trained model:
  onnx      one .onnx file (opset 17, batch dimension "batch"; spec and training summary in metadata_props)
  pytorch   a folder: model.py (torch.nn.Sequential), weights.npz, train.py (DistributedDataParallel / torchrun)
  tatami    one .tatami file (spec, training config, weights, metrics) that tatami import and train --init read
The file (or folder) is written to a temporary name and renamed: a failed export leaves nothing behind.

Options:
  --format F        onnx, pytorch or tatami (required)
  --out PATH        where to write (default: exports/run-<id>-<name>-<weights>.<ext> next to the database)
  --weights W       final (default) or best (the best validation epoch's weights)
${DB_HELP}
  -h, --help        show this help`

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string' },
      out: { type: 'string' },
      weights: { type: 'string', default: 'final' },
      db: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) throw new UsageError(`tatami export: expected one run id\n\n${HELP}`)
  const id = parseRunId(positionals[0], 'export')
  const format = values.format
  if (!(EXPORT_FORMATS as readonly (string | undefined)[]).includes(format)) {
    throw new UsageError(`tatami export: --format must be one of ${EXPORT_FORMATS.join(', ')}, got ${format === undefined ? 'nothing' : `"${format}"`}`)
  }
  if (values.weights !== 'final' && values.weights !== 'best') throw new UsageError(`tatami export: --weights must be final or best, got "${values.weights}"`)
  const path = dbPath(values.db)
  const store = openCliStore(path, false)
  if (!store) {
    process.stderr.write(`tatami export: no run database at ${path}\n`)
    return 1
  }
  try {
    const result = exportRun(store, id, { format: format as ExportFormat, weights: values.weights as WeightsChoice, outPath: values.out })
    process.stdout.write(`exported run ${id} (${values.weights} weights) as ${format}: ${result.path} (${(result.bytes / 1024).toFixed(1)} KiB)\n`)
    return 0
  } catch (err) {
    if (err instanceof ExportError) {
      process.stderr.write(`tatami export: ${err.message}\n`)
      return 1
    }
    throw err
  } finally {
    store.close()
  }
}
