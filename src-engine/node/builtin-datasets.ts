import { join } from 'node:path'
import { makeShapesDataset } from '../data/shapes'
import type { Dataset } from '../data/dataset'
import { loadBundledMnist } from './load-dataset'
import { datasetHash, isLibraryId, loadDatasetSplit, readManifest } from './dataset-files'

/**
 * The datasets every install has: the bundled 10,000 MNIST digits and a generated shapes set.
 * The engine process, the CLI and the app (datasets:list) all resolve dataset ids here.
 */
export const BUILTIN_DATASETS = {
  'mnist-10k': { title: 'MNIST digits (10,000, bundled)', load: (resourcesDir?: string) => loadBundledMnist(resourcesDir) },
  shapes: { title: 'Shapes (2,000 generated 16×16 images, 4 classes)', load: async () => makeShapesDataset({ count: 2000, seed: 0 }) }
} as const

export type BuiltinDatasetId = keyof typeof BUILTIN_DATASETS

export function isBuiltinDataset(id: string): id is BuiltinDatasetId {
  return Object.prototype.hasOwnProperty.call(BUILTIN_DATASETS, id)
}

export async function loadBuiltinDataset(id: string, resourcesDir?: string): Promise<Dataset> {
  if (!isBuiltinDataset(id)) {
    throw new Error(`unknown dataset "${id}"`)
  }
  return BUILTIN_DATASETS[id].load(resourcesDir)
}

// Built-in contents never change within an install, so each hash is computed once per process.
const builtinHashes = new Map<BuiltinDatasetId, string>()

/** The content hash of a built-in dataset (computed at first use, then cached). */
export async function builtinDatasetHash(id: BuiltinDatasetId, resourcesDir?: string, loaded?: Dataset): Promise<string> {
  let hash = builtinHashes.get(id)
  if (hash === undefined) {
    hash = datasetHash(loaded ?? (await loadBuiltinDataset(id, resourcesDir)))
    builtinHashes.set(id, hash)
  }
  return hash
}

export interface DatasetLocations {
  /** Folder holding datasets/ (the bundled MNIST); default: the repository's resources/. */
  resourcesDir?: string
  /** The dataset library (imported datasets, one folder per id). */
  datasetsDir?: string
}

export interface LoadedDataset {
  /** The training split (a fixed test split, if any, is not loaded). */
  dataset: Dataset
  hash: string
  title: string
}

/** Resolves a dataset id: a built-in dataset, else an imported one in the dataset library. */
export async function loadDataset(id: string, where: DatasetLocations = {}): Promise<LoadedDataset> {
  if (isBuiltinDataset(id)) {
    const dataset = await loadBuiltinDataset(id, where.resourcesDir)
    return { dataset, hash: await builtinDatasetHash(id, where.resourcesDir, dataset), title: BUILTIN_DATASETS[id].title }
  }
  const known = Object.keys(BUILTIN_DATASETS).join(', ')
  if (!isLibraryId(id)) throw new Error(`unknown dataset "${id}"`)
  if (where.datasetsDir === undefined) throw new Error(`dataset "${id}" is not built in (${known}) and no dataset library folder was given`)
  const dir = join(where.datasetsDir, id)
  const manifest = await readManifest(dir).catch(() => {
    throw new Error(`unknown dataset "${id}": not built in (${known}) and not in the dataset library ${where.datasetsDir}`)
  })
  return { dataset: await loadDatasetSplit(dir, manifest, 'train'), hash: manifest.hash, title: manifest.title }
}
