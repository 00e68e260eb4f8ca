/**
 * IDX import (MNIST, Fashion-MNIST, KMNIST, EMNIST): a folder holding an images and a labels file for
 * training and optionally for testing, raw or gzipped, recognised by name ("train"/"t10k"/"test" and
 * "images"/"labels", e.g. train-images-idx3-ubyte.gz, emnist-letters-test-labels-idx1-ubyte).
 */
import { readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { decodeIdx, IdxError, type IdxArray } from '../../../src-engine/data/idx'
import { DatasetImportError, type ImportedData } from '../dataset-library'
import { listFiles, makeDataset, requireDirectory, resolveClasses } from './common'

export interface IdxImportOptions {
  title?: string
  /** Class names (label i is classes[i]); default "0", "1", ... up to the largest label. */
  classes?: string[]
  /** EMNIST stores images transposed (column-major); this flips them back. */
  transpose?: boolean
}

type Role = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels'

/** Finds the IDX files of a folder by their names. */
export async function findIdxFiles(dir: string): Promise<Partial<Record<Role, string>>> {
  await requireDirectory(dir, 'folder of IDX files')
  const found: Partial<Record<Role, string>> = {}
  for (const name of await listFiles(dir)) {
    const n = name.toLowerCase()
    if (!/idx\d|ubyte|\.idx/.test(n)) continue
    const kind = /image/.test(n) ? 'Images' : /label/.test(n) ? 'Labels' : null
    const split = /train/.test(n) ? 'train' : /t10k|test/.test(n) ? 'test' : null
    if (!kind || !split) continue
    const role = `${split}${kind}` as Role
    if (found[role]) throw new DatasetImportError(`${dir}: two ${split} ${kind.toLowerCase()} files: ${basename(found[role]!)} and ${name}`)
    found[role] = join(dir, name)
  }
  if (!found.trainImages || !found.trainLabels) {
    throw new DatasetImportError(
      `${dir}: expected a training images and a training labels IDX file (named like train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz])`
    )
  }
  if (Boolean(found.testImages) !== Boolean(found.testLabels)) {
    throw new DatasetImportError(`${dir}: found ${found.testImages ? 'test images but no test labels' : 'test labels but no test images'}`)
  }
  return found
}

export async function importIdx(dir: string, options: IdxImportOptions = {}): Promise<ImportedData> {
  const files = await findIdxFiles(dir)
  const train = await readPair(files.trainImages!, files.trainLabels!, options)
  const test = files.testImages ? await readPair(files.testImages, files.testLabels!, options) : null
  const where = (path: string) => (i: number) => `${path} index ${i}`
  const classes = resolveClasses(
    test ? [train.labels, test.labels] : [train.labels],
    test ? [where(files.trainLabels!), where(files.testLabels!)] : [where(files.trainLabels!)],
    options.classes
  )
  const title = options.title ?? basename(dir)
  return {
    title,
    format: 'idx',
    source: dir,
    train: makeDataset(title, train.shape, train.pixels, train.labels, classes),
    test: test ? makeDataset(`${title} (test)`, test.shape, test.pixels, test.labels, classes) : null
  }
}

interface Pair {
  shape: [number, number, number]
  pixels: Uint8Array
  labels: Uint8Array
}

async function readPair(imagesPath: string, labelsPath: string, options: IdxImportOptions): Promise<Pair> {
  const images = await readIdx(imagesPath)
  const labels = await readIdx(labelsPath)
  if (images.type !== 'uint8') throw new DatasetImportError(`${imagesPath}: images must be unsigned bytes (IDX type 0x08), found ${images.type}`)
  if (labels.type !== 'uint8') throw new DatasetImportError(`${labelsPath}: labels must be unsigned bytes (IDX type 0x08), found ${labels.type}`)
  const d = images.dims
  if (d.length !== 3 && d.length !== 4) throw new DatasetImportError(`${imagesPath}: images must have dims [N,H,W] or [N,C,H,W], found ${d.join('×')}`)
  if (labels.dims.length !== 1) throw new DatasetImportError(`${labelsPath}: labels must have dims [N], found ${labels.dims.join('×')}`)
  if (labels.dims[0] !== d[0]) {
    throw new DatasetImportError(`${imagesPath} holds ${d[0]} images but ${labelsPath} holds ${labels.dims[0]} labels`)
  }
  const shape: [number, number, number] = d.length === 3 ? [1, d[1], d[2]] : [d[1], d[2], d[3]]
  const pixels = options.transpose ? transposeImages(images.data, shape) : images.data
  return { shape: options.transpose ? [shape[0], shape[2], shape[1]] : shape, pixels, labels: labels.data }
}

async function readIdx(path: string): Promise<IdxArray> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new DatasetImportError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
  try {
    return await decodeIdx(bytes, path)
  } catch (err) {
    if (err instanceof IdxError) throw new DatasetImportError(err.message)
    throw err
  }
}

function transposeImages(data: Uint8Array, [, h, w]: [number, number, number]): Uint8Array {
  const out = new Uint8Array(data.length)
  const plane = h * w
  for (let p = 0; p < data.length; p += plane) {
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[p + x * h + y] = data[p + y * w + x]
  }
  return out
}
