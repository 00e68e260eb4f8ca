/**
 * `tatami data import|list|remove|download|show`: the dataset library next to the run database
 * (`<folder of the database>/datasets/`).
 */
import { parseArgs } from 'node:util'
import { DatasetImportError, DatasetLibrary, defaultDatasetsDir } from '../data/dataset-library'
import { importDataset, listDatasets } from '../data/datasets'
import { OfflineError, DownloadError } from '../data/download'
import { downloadDataset, KNOWN_DATASET_NAMES, KNOWN_DATASETS, type KnownDatasetName } from '../data/known-datasets'
import type { DatasetFormat, DatasetImportRequest, DatasetInfo } from '../contract/workbench-api'
import { DB_HELP, dbPath, table, UsageError } from './db'
import { ProgressBar } from './progress'

const FORMATS: readonly DatasetFormat[] = ['idx', 'image-folder', 'csv', 'cifar10']

const HELP = `Usage: tatami data <command> [options]

Commands:
  import FORMAT PATH   import a dataset into the library; FORMAT is one of:
                         idx           a folder with train-images/train-labels IDX files (raw or .gz),
                                       optionally t10k-/test- ones (MNIST, Fashion-MNIST, KMNIST, EMNIST)
                         image-folder  a folder with one subfolder of images per class (or train/ and
                                       test/ folders that each hold the class folders)
                         csv           a CSV file "label,pixel0,...,pixelN" (Kaggle MNIST style)
                         cifar10       a folder with CIFAR-10 binary batches (data_batch_*.bin, test_batch.bin)
  list                 the built-in and imported datasets with their ids, shapes and class counts
  remove ID            delete an imported dataset
  download NAME        download and import ${KNOWN_DATASET_NAMES.join(' or ')} (SHA-256 checked, resumable)

Import options:
  --title TEXT         the dataset's title (default: the folder or file name)
  --size N             image-folder: resize images to N×N (default 28)
  --channels 1|3       image-folder, csv: grayscale or RGB (default 1)
  --header / --no-header   csv: whether the first row is a header (default: detected)
  --test PATH          csv: a second CSV used as the fixed test split
  --classes A,B,...    idx, csv: class names (label i is the i-th name)
  --transpose          idx: images are stored transposed (EMNIST)
Download options:
  --mirror URL         download from this base URL instead of the built-in mirrors
${DB_HELP}
                 imported datasets live in datasets/ in the database's folder
  -h, --help           show this help`

export async function dataCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      title: { type: 'string' },
      size: { type: 'string' },
      channels: { type: 'string' },
      header: { type: 'boolean' },
      'no-header': { type: 'boolean' },
      test: { type: 'string' },
      classes: { type: 'string' },
      transpose: { type: 'boolean' },
      mirror: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    }
  })
  const [sub, ...args] = positionals
  if (values.help || sub === undefined) {
    process.stdout.write(HELP + '\n')
    return sub === undefined && !values.help ? 2 : 0
  }
  const library = new DatasetLibrary(defaultDatasetsDir(dbPath(values.db)))
  const out = process.stdout
  try {
    switch (sub) {
      case 'import': {
        const [format, path] = args
        if (!FORMATS.includes(format as DatasetFormat) || path === undefined || args.length !== 2) {
          throw new UsageError(`tatami data import: expected FORMAT PATH with FORMAT one of ${FORMATS.join(', ')}\n\n${HELP}`)
        }
        const request: DatasetImportRequest = { format: format as DatasetFormat, path }
        if (values.title !== undefined) request.title = values.title
        if (values.size !== undefined) request.size = wholeNumber('--size', values.size)
        if (values.channels !== undefined) {
          const c = wholeNumber('--channels', values.channels)
          if (c !== 1 && c !== 3) throw new UsageError(`tatami data import: --channels must be 1 or 3, got "${values.channels}"`)
          request.channels = c
        }
        if (values.header) request.header = true
        if (values['no-header']) request.header = false
        if (values.test !== undefined) request.testPath = values.test
        if (values.classes !== undefined) request.classes = values.classes.split(',').map((s) => s.trim())
        if (values.transpose) request.transpose = true
        const { info, added } = await importDataset(request, library)
        out.write(`${added ? 'imported' : 'already in the library'}: ${describe(info)}\n`)
        out.write(`train on it with "dataset": {"id": "${info.id}"} in an experiment file\n`)
        return 0
      }
      case 'list': {
        const infos = await listDatasets({ library })
        out.write(
          table(
            ['id', 'title', 'shape', 'classes', 'train', 'test', 'sha256'],
            infos.map((d) => [
              d.id,
              d.title,
              d.shape ? d.shape.join('×') : '-',
              String(d.classes?.length ?? '-'),
              String(d.counts?.train ?? '-'),
              String(d.counts?.test ?? '-'),
              d.hash ? d.hash.slice(0, 16) : '-'
            ])
          ) + '\n'
        )
        out.write(`(imported datasets are in ${library.root})\n`)
        return 0
      }
      case 'remove': {
        if (args.length !== 1) throw new UsageError('tatami data remove: expected one dataset id')
        const removed = await library.remove(args[0])
        if (!removed) {
          process.stderr.write(`tatami data remove: no imported dataset "${args[0]}" in ${library.root}\n`)
          return 1
        }
        out.write(`removed ${args[0]}\n`)
        return 0
      }
      case 'download': {
        const name = args[0]
        if (args.length !== 1 || !KNOWN_DATASET_NAMES.includes(name as KnownDatasetName)) {
          throw new UsageError(`tatami data download: expected one of ${KNOWN_DATASET_NAMES.join(', ')}`)
        }
        const bar = new ProgressBar(process.stderr)
        const { manifest, added } = await downloadDataset(KNOWN_DATASETS[name as KnownDatasetName], library, {
          ...(values.mirror !== undefined ? { mirror: values.mirror } : {}),
          onProgress: (p) => bar.draw(`${p.file} (${p.fileIndex + 1}/${p.fileCount})`, p.received, p.total ?? p.received, 'bytes')
        })
        bar.clear()
        out.write(`${added ? 'downloaded' : 'already in the library'}: ${manifest.id}  ${manifest.title}  ${manifest.counts.train} train / ${manifest.counts.test} test\n`)
        return 0
      }
      default:
        throw new UsageError(`tatami data: unknown command "${sub}"\n\n${HELP}`)
    }
  } catch (err) {
    if (err instanceof DatasetImportError || err instanceof OfflineError || err instanceof DownloadError) {
      process.stderr.write(`tatami data ${sub}: ${err.message}\n`)
      return 1
    }
    throw err
  }
}

function describe(d: DatasetInfo): string {
  const perClass = d.classes && d.perClass ? d.classes.map((c, i) => `${c}: ${d.perClass!.train[i]}`).join(', ') : ''
  return `${d.id}  ${d.title}  ${d.shape?.join('×')}  ${d.counts?.train} train / ${d.counts?.test} test  (${perClass})`
}

function wholeNumber(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`tatami data: ${flag} must be a positive whole number, got "${text}"`)
  return n
}
