import { makeShapesDataset, type Dataset } from '../../src-engine/index'
import { loadBundledMnist } from '../../src-engine/node/load-dataset'

/** The datasets every install has: the bundled 10,000 MNIST digits and a generated shapes set. */
export const BUILTIN_DATASETS = {
  'mnist-10k': { title: 'MNIST digits (10,000, bundled)', load: (resourcesDir?: string) => loadBundledMnist(resourcesDir) },
  shapes: { title: 'Shapes (2,000 generated 16×16 images, 4 classes)', load: async () => makeShapesDataset({ count: 2000, seed: 0 }) }
} as const

export type BuiltinDatasetId = keyof typeof BUILTIN_DATASETS

export async function loadBuiltinDataset(id: string, resourcesDir?: string): Promise<Dataset> {
  if (!(id in BUILTIN_DATASETS)) {
    throw new Error(`unknown dataset "${id}"; available: ${Object.keys(BUILTIN_DATASETS).join(', ')}`)
  }
  return BUILTIN_DATASETS[id as BuiltinDatasetId].load(resourcesDir)
}
