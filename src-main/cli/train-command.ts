/**
 * `tatami train EXPERIMENT.json [--seed N] [--epochs N] [--out model.json]`
 * Trains in this process (the engine is the same one the app runs in its engine processes), shows a
 * progress bar per epoch, a line per epoch and a final summary.
 */
import { writeFile, rename } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { createNetwork, prepareTrainData, Trainer, type ControlRequest, type TrainEvent } from '../../src-engine/index'
import { loadDataset } from '../../src-engine/node/builtin-datasets'
import { defaultDatasetsDir } from '../data/dataset-library'
import { loadWasmModules } from '../../src-engine/node/wasm-modules'
import { createKernels, isKernelBackendChoice, KERNEL_BACKENDS } from '../../src-engine/kernels/backend'
import { startKernelHelper } from '../../src-engine/node/kernel-helper'
import { availableParallelism } from 'node:os'
import { readExperimentFile } from './experiment-file'
import { readModelFile } from '../export/read-model-file'
import { ProgressBar } from './progress'
import { trainIntoStore } from './train-db'
import { dbPath, epochLine, pct } from './db'

const HELP = `Usage: tatami train EXPERIMENT.json [options]

Trains the network of an experiment file ({"network": ..., "training": ...}, see examples/).

Options:
  --seed N       override training.seed
  --epochs N     override training.epochs
  --init FILE    fine-tune: start from the weights of a .tatami file (or a Tatami-exported .onnx)
                 instead of fresh ones; the experiment's network must match the file's
  --backend B    kernel backend: auto (default: the fastest available), js, wasm-simd, wasm-relaxed
                 (in-process training; engine processes always use auto)
  --threads T    1 or 2 engine threads for the wasm kernels (in-process training; default 2 on a
                 machine with 2 or more cores, as the run manager gives a run that trains alone)
  --out PATH     write the trained model (spec, config, normalizer, weights, summary) as JSON
                 (in-process training only)
  --db PATH      log the run into this run database and train it in an engine process; prints the
                 run id (see tatami runs / show / resume). Ctrl-C stops the run (it can be resumed).
                 Without --db, trains in this process and stores nothing.
  -h, --help     show this help`

export async function trainCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { seed: { type: 'string' }, epochs: { type: 'string' }, init: { type: 'string' }, out: { type: 'string' }, backend: { type: 'string' }, threads: { type: 'string' }, db: { type: 'string' }, help: { type: 'boolean', short: 'h' } }
  })
  if (values.help) {
    process.stdout.write(HELP + '\n')
    return 0
  }
  if (positionals.length !== 1) {
    process.stderr.write(`tatami train: expected one experiment file\n\n${HELP}\n`)
    return 2
  }
  const experiment = await readExperimentFile(positionals[0])
  const training = { ...experiment.training }
  if (values.seed !== undefined) training.seed = parseWholeNumber('--seed', values.seed)
  if (values.epochs !== undefined) training.epochs = parseWholeNumber('--epochs', values.epochs)
  const init = values.init !== undefined ? { path: values.init, weights: readModelFile(values.init).model.weights } : undefined
  if (init) {
    // Refuse a mismatch here, before a run is created, naming what differs.
    try {
      createNetwork(experiment.network).loadStateDict(init.weights)
    } catch (err) {
      process.stderr.write(`tatami train: --init ${init.path} does not fit the experiment's network: ${(err as Error).message}\n`)
      return 1
    }
  }
  if (values.db !== undefined) {
    if (values.out !== undefined) {
      process.stderr.write('tatami train: --out is for in-process training; with --db the weights are stored in the database\n')
      return 2
    }
    return trainIntoStore(positionals[0], experiment.network, training, values.db, init)
  }

  const backend = values.backend ?? 'auto'
  if (!isKernelBackendChoice(backend)) {
    process.stderr.write(`tatami train: --backend must be one of auto, ${KERNEL_BACKENDS.join(', ')}, got "${backend}"\n`)
    return 2
  }
  const threads = values.threads === undefined ? (availableParallelism() >= 2 ? 2 : 1) : Number(values.threads)
  if (threads !== 1 && threads !== 2) {
    process.stderr.write(`tatami train: --threads must be 1 or 2, got "${values.threads}"\n`)
    return 2
  }
  const kernels = createKernels(backend, loadWasmModules(), { threads, startHelper: startKernelHelper })
  // Imported datasets are looked up in the library next to the default run database.
  const { dataset, hash } = await loadDataset(training.dataset.id, { datasetsDir: defaultDatasetsDir(dbPath(undefined)) })
  const data = prepareTrainData(dataset, training.dataset)
  const trainer = new Trainer(experiment.network, training, data, { initialWeights: init?.weights, kernels })
  const out = process.stdout
  const bar = new ProgressBar(process.stderr)
  let stepsPerEpoch = 1
  let lastStep: Extract<TrainEvent, { type: 'step' }> | null = null
  let firstStep = 0
  let epochStarted = Date.now()
  let lastEpoch: Extract<TrainEvent, { type: 'epoch' }> | null = null
  let done: Extract<TrainEvent, { type: 'done' }> | null = null
  let stopRequested: ControlRequest = null
  const onSigint = () => {
    stopRequested = 'stop'
  }
  process.once('SIGINT', onSigint)
  const started = Date.now()

  const onEvent = (e: TrainEvent) => {
    switch (e.type) {
      case 'start':
        stepsPerEpoch = e.stepsPerEpoch
        out.write(
          `Training ${positionals[0]} on ${dataset.name} (sha256 ${hash.slice(0, 12)}): ${e.trainSize} training / ${e.validationSize} validation samples, ` +
            `${e.parameterCount.toLocaleString('en-US')} parameters, ${training.epochs} epochs, batch ${training.batchSize}, ` +
            `${training.optimizer.type} lr ${training.optimizer.lr}, seed ${training.seed}, ${e.backend} kernels${kernels.threads === 2 ? ' on 2 threads' : ''}\n`
        )
        break
      case 'step':
        if (!lastStep || lastStep.epoch !== e.epoch) {
          firstStep = e.step - 1
          epochStarted = Date.now()
        }
        lastStep = e
        {
          const done = e.step - firstStep
          const elapsed = (Date.now() - epochStarted) / 1000
          const eta = done > 0 ? (elapsed / done) * (stepsPerEpoch - done) : 0
          bar.draw(`epoch ${e.epoch + 1}/${training.epochs}`, done, stepsPerEpoch, `loss ${e.loss.toFixed(4)}  ${elapsed.toFixed(0)}s elapsed, ~${eta.toFixed(0)}s left`)
        }
        break
      case 'epoch': {
        lastEpoch = e
        bar.clear()
        out.write(epochLine(e, training.epochs))
        break
      }
      case 'done':
        done = e
        bar.clear()
        out.write(`\n${e.outcome}: ${e.message} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`)
        if (e.bestEpoch !== null) {
          out.write(`best epoch ${e.bestEpoch + 1}: val loss ${e.bestValLoss!.toFixed(4)}, val accuracy ${pct(e.bestValAccuracy!)}\n`)
        }
        break
      case 'checkpoint':
        break
    }
  }
  const outcome = await trainer.run(onEvent, () => stopRequested)
  process.off('SIGINT', onSigint)

  if (values.out) {
    const weights: Record<string, { shape: number[]; data: number[] }> = {}
    for (const [name, entry] of Object.entries(trainer.network.stateDict())) weights[name] = { shape: entry.shape, data: Array.from(entry.data) }
    const model = {
      format: 'tatami-model-json',
      version: 1,
      network: trainer.spec,
      training,
      normalizer: trainer.normalizer,
      summary: summarize(outcome, lastEpoch, done),
      weights
    }
    // Written atomically: a temp file renamed into place, so a failure leaves no half-written model.
    const tmp = `${values.out}.tmp-${process.pid}`
    await writeFile(tmp, JSON.stringify(model))
    await rename(tmp, values.out)
    out.write(`model written to ${values.out}\n`)
  }
  return outcome === 'diverged' ? 1 : 0
}

function summarize(
  outcome: string,
  last: Extract<TrainEvent, { type: 'epoch' }> | null,
  done: Extract<TrainEvent, { type: 'done' }> | null
) {
  return {
    outcome,
    epochsCompleted: done?.epochsCompleted ?? 0,
    steps: done?.step ?? 0,
    final: last ? { trainLoss: last.trainLoss, trainAccuracy: last.trainAccuracy, valLoss: last.valLoss, valAccuracy: last.valAccuracy } : null,
    best: done && done.bestEpoch !== null ? { epoch: done.bestEpoch, valLoss: done.bestValLoss, valAccuracy: done.bestValAccuracy } : null
  }
}

function parseWholeNumber(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} must be a whole number, got "${text}"`)
  return n
}

// Run directly (npm run train -- file.json).
if (import.meta.url === `file://${process.argv[1]}`) {
  trainCommand(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`tatami train: ${err.message}\n`)
      process.exit(1)
    }
  )
}
