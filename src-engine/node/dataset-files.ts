/**
 * The on-disk form of an imported dataset (one folder per dataset in the dataset library), and the
 * content hash that identifies a dataset. Node-only; the engine process reads datasets through here,
 * the app/CLI write them through src-main/data/dataset-library.ts.
 *
 * A dataset folder holds gzipped IDX files (uint8 images [N,H,W] or [N,C,H,W], uint8 labels [N]) for
 * the training split and, when the source had one, a fixed test split, plus manifest.json.
 */
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { datasetFromIdx, DatasetError, type Dataset } from '../data/dataset'
import { decodeIdx, encodeIdx, type IdxArray } from '../data/idx'

export const MANIFEST_FILE = 'manifest.json'
export const MANIFEST_VERSION = 1

export const SPLIT_FILES = {
  train: { images: 'train-images-idx.gz', labels: 'train-labels-idx.gz' },
  test: { images: 'test-images-idx.gz', labels: 'test-labels-idx.gz' }
} as const

export type DatasetSplitName = keyof typeof SPLIT_FILES
export type DatasetFormat = 'idx' | 'image-folder' | 'csv' | 'cifar10'

export interface DatasetManifest {
  version: 1
  /** The first ID_LENGTH hex digits of `hash`. */
  id: string
  /** SHA-256 (hex) of the canonical IDX bytes: train images, train labels, then test images and labels if any. */
  hash: string
  title: string
  format: DatasetFormat
  /** Where it was imported from (a path or URL). */
  source: string
  /** [channels, height, width] */
  shape: [number, number, number]
  classes: string[]
  counts: { train: number; test: number }
  /** Samples per class, index = label. */
  perClass: { train: number[]; test: number[] }
  /** ISO time. */
  createdAt: string
}

export const ID_LENGTH = 12
const ID_PATTERN = /^[0-9a-f]{12}$/

export function isLibraryId(id: string): boolean {
  return ID_PATTERN.test(id)
}

/**
 * The canonical IDX form of a dataset's images: uint8 [N,H,W] for one channel, [N,C,H,W] otherwise.
 * Every pixel must be a whole number in 0..255 (all importers and built-in datasets produce such data).
 */
export function canonicalImages(ds: Dataset): IdxArray {
  const [c, h, w] = ds.inputShape
  const data = new Uint8Array(ds.images.length)
  for (let i = 0; i < data.length; i++) {
    const v = ds.images[i]
    if (!Number.isInteger(v) || v < 0 || v > 255) {
      const per = c * h * w
      throw new DatasetError(`${ds.name}: pixel ${i % per} of image ${Math.floor(i / per)} is ${v}; pixels must be whole numbers 0..255`)
    }
    data[i] = v
  }
  return { type: 'uint8', dims: c === 1 ? [ds.size, h, w] : [ds.size, c, h, w], data }
}

export function canonicalLabels(ds: Dataset): IdxArray {
  if (ds.numClasses > 256) throw new DatasetError(`${ds.name}: ${ds.numClasses} classes; at most 256 are supported`)
  return { type: 'uint8', dims: [ds.size], data: Uint8Array.from(ds.labels) }
}

/** The canonical IDX bytes of one split: images and labels files, uncompressed. */
export interface CanonicalSplit {
  images: Uint8Array
  labels: Uint8Array
}

export function canonicalSplit(ds: Dataset): CanonicalSplit {
  return { images: encodeIdx(canonicalImages(ds)), labels: encodeIdx(canonicalLabels(ds)) }
}

/** SHA-256 (hex) of the canonical IDX bytes: train images, train labels, then test images and labels. */
export function hashCanonical(splits: CanonicalSplit[]): string {
  const h = createHash('sha256')
  for (const s of splits) h.update(s.images).update(s.labels)
  return h.digest('hex')
}

/** SHA-256 (hex) of the canonical IDX bytes of the splits (class names are not part of the content). */
export function datasetHash(train: Dataset, test?: Dataset | null): string {
  return hashCanonical((test ? [train, test] : [train]).map(canonicalSplit))
}

export async function readManifest(dir: string): Promise<DatasetManifest> {
  const path = join(dir, MANIFEST_FILE)
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    throw new DatasetError(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
  const m = JSON.parse(text) as DatasetManifest
  if (m.version !== MANIFEST_VERSION || !isLibraryId(m.id) || !Array.isArray(m.classes)) {
    throw new DatasetError(`${path}: not a version ${MANIFEST_VERSION} dataset manifest`)
  }
  return m
}

/** Loads one split of a dataset folder. */
export async function loadDatasetSplit(dir: string, manifest: DatasetManifest, split: DatasetSplitName): Promise<Dataset> {
  if (split === 'test' && manifest.counts.test === 0) throw new DatasetError(`dataset ${manifest.id} (${manifest.title}) has no test split`)
  const files = SPLIT_FILES[split]
  const read = async (name: string) => {
    const path = join(dir, name)
    return decodeIdx(await readFile(path), path)
  }
  const [images, labels] = await Promise.all([read(files.images), read(files.labels)])
  return datasetFromIdx(split === 'train' ? manifest.title : `${manifest.title} (test)`, images, labels, manifest.classes, {
    images: join(dir, files.images),
    labels: join(dir, files.labels)
  })
}
