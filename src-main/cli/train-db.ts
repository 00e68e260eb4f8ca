/** `tatami train FILE --db PATH`: creates the run in the store and trains it in an engine process. */
import { basename, extname } from 'node:path'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { StateDict } from '../../src-engine/network'
import { dbPath, openCliStore } from './db'
import { trainStoredRun } from './engine-run'
import { DatasetLibrary, defaultDatasetsDir } from '../data/dataset-library'
import { stampDatasetHash } from '../data/datasets'

export async function trainIntoStore(file: string, network: NetworkSpec, requested: TrainConfig, db: string, init?: { path: string; weights: StateDict }): Promise<number> {
  const path = dbPath(db)
  // The run records the content hash of its dataset; an unknown dataset fails before a run is created.
  const training = await stampDatasetHash(requested, { library: new DatasetLibrary(defaultDatasetsDir(path)) })
  const store = openCliStore(path, true)!
  try {
    const name = network.name?.trim() || basename(file, extname(file))
    const id = store.createRun({ name, network, training, ...(init ? { notes: `fine-tuned from ${init.path}` } : {}) })
    const run = store.getRun(id)!
    process.stdout.write(
      `Training ${file} as run ${id} ("${name}") in ${path}: dataset ${training.dataset.id} (${training.dataset.title}, sha256 ${training.dataset.hash!.slice(0, 12)}), ${training.epochs} epochs, batch ${training.batchSize}, ` +
        `${training.optimizer.type} lr ${training.optimizer.lr}, seed ${training.seed}, in an engine process\n`
    )
    return await trainStoredRun(store, run, 'start', init?.weights)
  } finally {
    store.close()
  }
}
