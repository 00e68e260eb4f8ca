/**
 * Node-only helpers that read dataset files from disk. Everything else in the data pipeline is pure.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { datasetFromIdx, type Dataset } from '../data/dataset'
import { decodeIdx } from '../data/idx'

export const MNIST_CLASS_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']

/**
 * The repository's resources/ directory, found relative to this source file (works when run from
 * the repo, e.g. with tsx or vitest). Bundled or packaged builds should pass the directory explicitly.
 */
export function defaultResourcesDir(): string {
  return fileURLToPath(new URL('../../resources/', import.meta.url))
}

/** Loads the bundled 10,000-digit MNIST subset from resources/datasets/mnist-10k/. */
export async function loadBundledMnist(resourcesDir: string = defaultResourcesDir()): Promise<Dataset> {
  const dir = join(resourcesDir, 'datasets', 'mnist-10k')
  return loadIdxDataset(
    join(dir, 'images-idx3-ubyte.gz'),
    join(dir, 'labels-idx1-ubyte.gz'),
    'MNIST (10k subset)',
    MNIST_CLASS_NAMES
  )
}

/** Loads a dataset from an IDX images file and an IDX labels file, each optionally gzipped. */
export async function loadIdxDataset(
  imagesPath: string,
  labelsPath: string,
  name: string,
  classNames?: string[]
): Promise<Dataset> {
  const [images, labels] = await Promise.all([readIdxFile(imagesPath), readIdxFile(labelsPath)])
  return datasetFromIdx(name, images, labels, classNames, { images: imagesPath, labels: labelsPath })
}

async function readIdxFile(path: string): ReturnType<typeof decodeIdx> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    throw new Error(`cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`)
  }
  return decodeIdx(bytes, path)
}
