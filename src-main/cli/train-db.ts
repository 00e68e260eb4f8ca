/** `tatami train FILE --db PATH`: creates the run in the store and trains it in an engine process. */
import { basename, extname } from 'node:path'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { StateDict } from '../../src-engine/network'
import { dbPath, openCliStore } from './db'
import { trainStoredRun } from './engine-run'

export async function trainIntoStore(file: string, network: NetworkSpec, training: TrainConfig, db: string, init?: { path: string; weights: StateDict }): Promise<number> {
  const path = dbPath(db)
  const store = openCliStore(path, true)!
  try {
    const name = network.name?.trim() || basename(file, extname(file))
    const id = store.createRun({ name, network, training, ...(init ? { notes: `fine-tuned from ${init.path}` } : {}) })
    const run = store.getRun(id)!
    process.stdout.write(
      `Training ${file} as run ${id} ("${name}") in ${path}: dataset ${training.dataset.id}, ${training.epochs} epochs, batch ${training.batchSize}, ` +
        `${training.optimizer.type} lr ${training.optimizer.lr}, seed ${training.seed}, in an engine process\n`
    )
    return await trainStoredRun(store, run, 'start', init?.weights)
  } finally {
    store.close()
  }
}
