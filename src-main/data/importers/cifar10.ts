/**
 * CIFAR-10 binary batches ("CIFAR-10 binary version"): records of 1 label byte and 3072 pixel bytes
 * (1024 red, 1024 green, 1024 blue, row by row) for 32×32 RGB images. A folder with data_batch_*.bin
 * (training) and optionally test_batch.bin (the fixed test split); class names from batches.meta.txt.
 */
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { DatasetImportError, type ImportedData } from '../dataset-library'
import { listFiles, makeDataset, requireDirectory, resolveClasses } from './common'

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']
const PIXELS = 3 * 32 * 32
const RECORD = 1 + PIXELS

export interface Cifar10ImportOptions {
  title?: string
}

interface Batch {
  pixels: Uint8Array
  labels: Uint8Array
  file: string
}

export async function importCifar10(dir: string, options: Cifar10ImportOptions = {}): Promise<ImportedData> {
  await requireDirectory(dir, 'folder of CIFAR-10 binary batches')
  const files = await listFiles(dir)
  const trainFiles = files.filter((f) => /^data_batch_\d+\.bin$/.test(f))
  if (trainFiles.length === 0) throw new DatasetImportError(`${dir}: no CIFAR-10 training batches (data_batch_1.bin ...)`)
  const train = concatBatches(await Promise.all(trainFiles.map((f) => readBatch(join(dir, f)))))
  const test = files.includes('test_batch.bin') ? await readBatch(join(dir, 'test_batch.bin')) : null
  const names = files.includes('batches.meta.txt') ? await readNames(join(dir, 'batches.meta.txt')) : CIFAR10_CLASSES
  const classes = resolveClasses(
    test ? [train.labels, test.labels] : [train.labels],
    test ? [train.where, (i) => `${test.file} record ${i}`] : [train.where],
    names
  )
  const title = options.title ?? `CIFAR-10 (${basename(dir)})`
  const shape: [number, number, number] = [3, 32, 32]
  return {
    title,
    format: 'cifar10',
    source: dir,
    train: makeDataset(title, shape, train.pixels, train.labels, classes),
    test: test ? makeDataset(`${title} (test)`, shape, test.pixels, test.labels, classes) : null
  }
}

async function readBatch(path: string): Promise<Batch> {
  const bytes = await readFile(path)
  const n = Math.floor(bytes.length / RECORD)
  if (bytes.length === 0 || bytes.length % RECORD !== 0) {
    throw new DatasetImportError(
      `${path}: ${bytes.length} bytes is not a whole number of ${RECORD}-byte records: record ${n} is cut off after ${bytes.length - n * RECORD} bytes`
    )
  }
  const pixels = new Uint8Array(n * PIXELS)
  const labels = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    labels[i] = bytes[i * RECORD]
    pixels.set(bytes.subarray(i * RECORD + 1, (i + 1) * RECORD), i * PIXELS)
  }
  return { pixels, labels, file: path }
}

function concatBatches(batches: Batch[]): { pixels: Uint8Array; labels: Uint8Array; where: (i: number) => string } {
  const total = batches.reduce((a, b) => a + b.labels.length, 0)
  const pixels = new Uint8Array(total * PIXELS)
  const labels = new Uint8Array(total)
  const starts: number[] = []
  let at = 0
  for (const b of batches) {
    starts.push(at)
    pixels.set(b.pixels, at * PIXELS)
    labels.set(b.labels, at)
    at += b.labels.length
  }
  const where = (i: number) => {
    let k = starts.length - 1
    while (starts[k] > i) k--
    return `${batches[k].file} record ${i - starts[k]}`
  }
  return { pixels, labels, where }
}

async function readNames(path: string): Promise<string[]> {
  const names = (await readFile(path, 'utf8')).split(/\r?\n/).map((s) => s.trim()).filter((s) => s !== '')
  if (names.length === 0) throw new DatasetImportError(`${path}: no class names`)
  return names
}
