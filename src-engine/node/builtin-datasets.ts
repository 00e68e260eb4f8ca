import { makeShapesDataset } from '../data/shapes'
import type { Dataset } from '../data/dataset'
import { loadBundledMnist } from './load-dataset'

/**
 * The datasets every install has: the bundled 10,000 MNIST digits and a generated shapes set.
 * The engine process, the CLI and the app (datasets:list) all resolve dataset ids here.
 */
export const BUILTIN_DATASETS = {
  'mnist-10k': { title: 'MNIST digits (10,000, bundled)', load: (resourcesDir?: string) => loadBundledMnist(resourcesDir) },
  shapes: { title: 'Shapes (2,000 generated 16×16 images, 4 classes)', load: async () => makeShapesDataset({ count: 2000, seed: 0 }) }
} as const

export type BuiltinDatasetId = keyof typeof BUILTIN_DATASETS

export async function loadBuiltinDataset(id: string, resourcesDir?: string): Promise<Dataset> {
  if (!(id in BUILTIN_DATASETS)) {
    throw new Error(`unknown dataset "${id}"`)
  }
  return BUILTIN_DATASETS[id as BuiltinDatasetId].load(resourcesDir)
}
