/**
 * What the service and the CLI do with datasets: list built-in and imported ones as DatasetInfo,
 * import by format, show samples, and stamp a run's training config with its dataset's content hash.
 */
import { classCounts, type Dataset } from '../../src-engine/data/dataset'
import { BUILTIN_DATASETS, builtinDatasetHash, isBuiltinDataset, loadBuiltinDataset, type BuiltinDatasetId } from '../../src-engine/node/builtin-datasets'
import type { DatasetManifest } from '../../src-engine/node/dataset-files'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { DatasetImportRequest, DatasetInfo, DatasetSamples } from '../contract/workbench-api'
import { ConflictError, NotFoundError } from '../services/service-errors'
import { samplesOf, type DatasetLibrary, type ImportedData } from './dataset-library'
import { importCifar10 } from './importers/cifar10'
import { importCsv } from './importers/csv'
import { importIdx } from './importers/idx'
import { importImageFolder } from './importers/image-folder'

export interface DatasetContext {
  library: DatasetLibrary
  /** Folder holding datasets/ (the bundled MNIST); default: the repository's resources/. */
  resourcesDir?: string
}

/** A dataset id that names nothing (code 'NotFound'). */
export class UnknownDatasetError extends NotFoundError {}

/** A run pinned to a content hash that its dataset no longer has (code 'Conflict'). */
export class DatasetChangedError extends ConflictError {}

export function manifestInfo(m: DatasetManifest): DatasetInfo {
  return {
    id: m.id,
    title: m.title,
    hash: m.hash,
    shape: [...m.shape],
    classes: m.classes.slice(),
    counts: { ...m.counts },
    perClass: { train: m.perClass.train.slice(), test: m.perClass.test.slice() },
    format: m.format,
    source: m.source,
    createdAt: m.createdAt,
    builtin: false
  }
}

// Built-in datasets never change within a process: their info (which needs the data loaded) is computed once.
const builtinInfos = new Map<string, Promise<DatasetInfo>>()

function builtinInfo(id: BuiltinDatasetId, resourcesDir?: string): Promise<DatasetInfo> {
  const key = `${id}\u0000${resourcesDir ?? ''}`
  let info = builtinInfos.get(key)
  if (!info) {
    info = computeBuiltinInfo(id, resourcesDir)
    builtinInfos.set(key, info)
    info.catch(() => builtinInfos.delete(key))
  }
  return info.then(copyInfo)
}

function copyInfo(d: DatasetInfo): DatasetInfo {
  return structuredClone(d)
}

async function computeBuiltinInfo(id: BuiltinDatasetId, resourcesDir?: string): Promise<DatasetInfo> {
  const ds = await loadBuiltinDataset(id, resourcesDir)
  return {
    id,
    title: BUILTIN_DATASETS[id].title,
    hash: await builtinDatasetHash(id, resourcesDir, ds),
    shape: [...ds.inputShape],
    classes: ds.classNames.slice(),
    counts: { train: ds.size, test: 0 },
    perClass: { train: classCounts(ds), test: [] },
    builtin: true
  }
}

export async function listDatasets(ctx: DatasetContext): Promise<DatasetInfo[]> {
  const builtins = await Promise.all(Object.keys(BUILTIN_DATASETS).map((id) => builtinInfo(id as BuiltinDatasetId, ctx.resourcesDir)))
  return [...builtins, ...(await ctx.library.list()).map(manifestInfo)]
}

export async function describeDataset(id: string, ctx: DatasetContext): Promise<DatasetInfo | null> {
  if (isBuiltinDataset(id)) return builtinInfo(id, ctx.resourcesDir)
  const m = await ctx.library.get(id)
  return m ? manifestInfo(m) : null
}

async function loadTrainSplit(id: string, ctx: DatasetContext): Promise<Dataset> {
  if (isBuiltinDataset(id)) return loadBuiltinDataset(id, ctx.resourcesDir)
  if (!(await ctx.library.get(id))) throw new UnknownDatasetError(`dataset "${id}" does not exist`)
  return ctx.library.load(id, 'train')
}

export async function datasetSamples(id: string, perClass: number, ctx: DatasetContext): Promise<DatasetSamples> {
  return samplesOf(await loadTrainSplit(id, ctx), perClass)
}

/** Reads and validates a source in one of the import formats (nothing is stored yet). */
export async function readImport(request: DatasetImportRequest): Promise<ImportedData> {
  const { path, title, classes } = request
  switch (request.format) {
    case 'idx':
      return importIdx(path, { title, classes, transpose: request.transpose })
    case 'image-folder':
      return importImageFolder(path, { title, size: request.size, channels: request.channels })
    case 'csv':
      return importCsv(path, { title, classes, header: request.header, testPath: request.testPath, channels: request.channels })
    case 'cifar10':
      return importCifar10(path, { title })
  }
}

export async function importDataset(request: DatasetImportRequest, library: DatasetLibrary): Promise<{ info: DatasetInfo; added: boolean }> {
  const { manifest, added } = await library.add(await readImport(request))
  return { info: manifestInfo(manifest), added }
}

/**
 * The training config with dataset.hash and dataset.title filled in from the dataset as it is now.
 * A config that already carries a hash must match it (a rerun of an old run on changed data fails).
 */
export async function stampDatasetHash(training: TrainConfig, ctx: DatasetContext): Promise<TrainConfig> {
  const info = await describeDataset(training.dataset.id, ctx)
  if (!info || info.hash === undefined) {
    throw new UnknownDatasetError(`dataset "${training.dataset.id}" does not exist (built in: ${Object.keys(BUILTIN_DATASETS).join(', ')}; imported: see datasets:list)`)
  }
  const pinned = training.dataset.hash
  if (pinned !== undefined && pinned !== info.hash) {
    throw new DatasetChangedError(`dataset "${training.dataset.id}" now has content hash ${info.hash}, but the run asks for ${pinned}`)
  }
  return { ...training, dataset: { ...training.dataset, hash: info.hash, title: info.title } }
}
