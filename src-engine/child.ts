/**
 * The engine process entry: one training run per process. It works as an Electron utility process
 * (process.parentPort), a worker thread, or a Node child_process.fork child, and never imports Electron.
 */
import type { FromEngine, StepEvent, ToEngine } from './protocol'
import { serializeError } from './protocol'
import { Trainer } from './train/trainer'
import { prepareTrainData } from './train/prepare-data'
import type { ControlRequest } from './train/trainer'
import { loadDataset } from './node/builtin-datasets'
import { loadWasmModules } from './node/wasm-modules'
import { createKernels } from './kernels/backend'
import { connectToParent, type ParentChannel as Channel } from './node/parent-channel'
import { startKernelHelper } from './node/kernel-helper'

type ParentChannel = Channel<ToEngine, FromEngine>

const STEP_BATCH_MILLIS = 250

function main(): void {
  const parent = connectToParent<ToEngine, FromEngine>('engine child')
  let control: ControlRequest = null
  let started = false
  parent.onMessage((message) => {
    switch (message.type) {
      case 'pause':
      case 'stop':
        control = message.type
        break
      case 'start':
        if (started) {
          parent.send({ type: 'error', error: { name: 'ProtocolError', message: 'this engine process already runs a training' } })
          return
        }
        started = true
        void runTraining(message, parent, () => control).catch((err) => parent.send({ type: 'error', error: serializeError(err) }))
        break
    }
  })
  parent.send({ type: 'ready' })
}

async function runTraining(start: Extract<ToEngine, { type: 'start' }>, parent: ParentChannel, control: () => ControlRequest): Promise<void> {
  const choice = start.training.dataset
  const { dataset, hash } = await loadDataset(choice.id, { resourcesDir: start.resourcesDir, datasetsDir: start.datasetsDir }).catch((err: Error) => {
    throw new Error(`engine: ${err.message}`)
  })
  if (choice.hash !== undefined && choice.hash !== hash) {
    throw new Error(`engine: dataset "${choice.id}" has content hash ${hash}, but the run was created on ${choice.hash}; the data changed`)
  }
  // The backend is chosen once per engine; the trainer reports it in its start and done events.
  const threads = start.threads === 2 ? 2 : 1
  const kernels = createKernels(start.backend ?? 'auto', loadWasmModules({ resourcesDir: start.resourcesDir }), { threads, startHelper: startKernelHelper })
  const trainer = new Trainer(start.network, start.training, prepareTrainData(dataset, choice), {
    resumeFrom: start.resumeFrom,
    initialWeights: start.initialWeights,
    kernels,
    recordInsights: true
  })
  let pending: StepEvent[] = []
  let lastFlush = performance.now()
  const flush = () => {
    if (pending.length) parent.send({ type: 'steps', steps: pending })
    pending = []
    lastFlush = performance.now()
  }
  await trainer.run((event) => {
    if (event.type === 'step') {
      pending.push(event)
      if (performance.now() - lastFlush >= STEP_BATCH_MILLIS) flush()
      return
    }
    flush()
    parent.send({ type: 'event', event })
  }, control)
  flush()
  kernels.dispose()
}

main()
