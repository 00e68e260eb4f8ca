/**
 * The dataset library: imported datasets, one folder per content-hash id, each holding gzipped IDX
 * files and a manifest.json (see src-engine/node/dataset-files.ts). Where it lives: `datasets/` next
 * to the run database (the app's userData folder, or the CLI's --db folder).
 *
 * Adding is atomic: everything is written into a temporary folder inside the library, which is
 * renamed into place only when complete, so a failed import leaves nothing behind.
 */
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { gzip } from 'node:zlib'
import { classCounts, type Dataset } from '../../src-engine/data/dataset'
import {
  canonicalSplit,
  hashCanonical,
  type CanonicalSplit,
  ID_LENGTH,
  isLibraryId,
  loadDatasetSplit,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  readManifest,
  SPLIT_FILES,
  type DatasetFormat,
  type DatasetManifest,
  type DatasetSplitName
} from '../../src-engine/node/dataset-files'

const gzipAsync = promisify(gzip)

/** The dataset library of a run database: datasets/ in the database's folder (the app's userData). */
export function defaultDatasetsDir(dbPath: string): string {
  return join(dirname(dbPath), 'datasets')
}

/** What an importer hands to the library. Pixels are whole numbers 0..255. */
export interface ImportedData {
  title: string
  format: DatasetFormat
  source: string
  train: Dataset
  /** The source's fixed test split, if it has one. */
  test?: Dataset | null
}

/** A problem with the data being imported; the message names the file and the row or index. */
export class DatasetImportError extends Error {
  readonly code = 'BadData'
  constructor(message: string) {
    super(message)
    this.name = 'DatasetImportError'
  }
}

export interface AddResult {
  manifest: DatasetManifest
  /** False when a dataset with the same content was already in the library (nothing was written). */
  added: boolean
}

export interface DatasetSamples {
  shape: [number, number, number]
  classes: string[]
  /** Up to perClass samples of each class, in class order; pixels CHW, 0..255. */
  samples: { label: number; pixels: number[] }[]
}

export class DatasetLibrary {
  readonly root: string

  constructor(root: string) {
    this.root = root
  }

  /** Every dataset in the library, oldest first. Folders without a readable manifest are skipped. */
  async list(): Promise<DatasetManifest[]> {
    if (!existsSync(this.root)) return []
    const names = await readdir(this.root)
    const out: DatasetManifest[] = []
    for (const name of names) {
      if (!isLibraryId(name)) continue
      try {
        out.push(await readManifest(join(this.root, name)))
      } catch {
        // A folder someone else put there, or damaged by hand: not listed.
      }
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id))
  }

  async get(id: string): Promise<DatasetManifest | null> {
    if (!isLibraryId(id) || !existsSync(join(this.root, id, MANIFEST_FILE))) return null
    return readManifest(join(this.root, id))
  }

  /** Validates and stores a dataset. The same content imported again is not stored twice. */
  async add(data: ImportedData): Promise<AddResult> {
    const { train, test } = data
    checkSplits(data)
    const trainBytes = canonicalSplit(train)
    const testBytes = test ? canonicalSplit(test) : null
    const hash = hashCanonical(testBytes ? [trainBytes, testBytes] : [trainBytes])
    const id = hash.slice(0, ID_LENGTH)
    const existing = await this.get(id)
    if (existing) return { manifest: existing, added: false }
    const manifest: DatasetManifest = {
      version: MANIFEST_VERSION,
      id,
      hash,
      title: data.title,
      format: data.format,
      source: data.source,
      shape: [...train.inputShape],
      classes: train.classNames.slice(),
      counts: { train: train.size, test: test ? test.size : 0 },
      perClass: { train: classCounts(train), test: test ? classCounts(test) : [] },
      createdAt: new Date().toISOString()
    }
    await mkdir(this.root, { recursive: true })
    const tmp = await mkdtemp(join(this.root, '.import-'))
    try {
      await writeSplit(tmp, 'train', trainBytes)
      if (testBytes) await writeSplit(tmp, 'test', testBytes)
      await writeFile(join(tmp, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n')
      await rename(tmp, join(this.root, id))
    } catch (err) {
      await rm(tmp, { recursive: true, force: true })
      // Another import of the same content may have won the race.
      const raced = await this.get(id).catch(() => null)
      if (raced) return { manifest: raced, added: false }
      throw err
    }
    return { manifest, added: true }
  }

  /** Removes a dataset (renamed away first, so it disappears from the library at once). */
  async remove(id: string): Promise<boolean> {
    if (!(await this.get(id).catch(() => null))) return false
    const doomed = join(this.root, `.remove-${id}-${process.pid}-${Date.now()}`)
    await rename(join(this.root, id), doomed)
    await rm(doomed, { recursive: true, force: true })
    return true
  }

  async load(id: string, split: DatasetSplitName = 'train'): Promise<Dataset> {
    const manifest = await this.get(id)
    if (!manifest) throw new Error(`dataset "${id}" is not in the dataset library ${this.root}`)
    return loadDatasetSplit(join(this.root, id), manifest, split)
  }

  /** The first `perClass` training samples of each class (for a sample grid). */
  async samples(id: string, perClass: number): Promise<DatasetSamples> {
    return samplesOf(await this.load(id, 'train'), perClass)
  }
}

export function samplesOf(ds: Dataset, perClass: number): DatasetSamples {
  const per = ds.inputShape[0] * ds.inputShape[1] * ds.inputShape[2]
  const byClass: number[][] = Array.from({ length: ds.numClasses }, () => [])
  for (let i = 0; i < ds.size; i++) {
    const c = ds.labels[i]
    if (byClass[c].length < perClass) byClass[c].push(i)
  }
  return {
    shape: [...ds.inputShape],
    classes: ds.classNames.slice(),
    samples: byClass.flatMap((indices, label) => indices.map((i) => ({ label, pixels: Array.from(ds.images.subarray(i * per, (i + 1) * per)) })))
  }
}

function checkSplits({ title, train, test }: ImportedData): void {
  if (train.size < 1) throw new DatasetImportError(`${title}: the training split is empty`)
  if (!test) return
  if (test.size < 1) throw new DatasetImportError(`${title}: the test split is empty`)
  if (train.inputShape.join() !== test.inputShape.join()) {
    throw new DatasetImportError(`${title}: training images are ${train.inputShape.join('×')} but test images are ${test.inputShape.join('×')}`)
  }
  if (train.classNames.join('\u0000') !== test.classNames.join('\u0000')) {
    throw new DatasetImportError(`${title}: the training and test splits have different classes`)
  }
}

async function writeSplit(dir: string, split: DatasetSplitName, bytes: CanonicalSplit): Promise<void> {
  const files = SPLIT_FILES[split]
  await writeFile(join(dir, files.images), await gzipAsync(bytes.images))
  await writeFile(join(dir, files.labels), await gzipAsync(bytes.labels))
}
