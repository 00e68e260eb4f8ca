/**
 * Trains one stored run in an engine process (RunManager + StoreRunSink + a forked engine child, concurrency 1),
 * printing a line per epoch and a summary. Ctrl-C asks the engine to stop (the run ends 'stopped',
 * checkpointed, and can be resumed).
 */
import { forkLauncher } from '../runs/launcher'
import { RunManager } from '../runs/run-manager'
import { StoreRunSink } from '../runs/store-sink'
import type { RunStatus, StatusInfo } from '../runs/run-sink'
import type { RunStore } from '../store/run-store'
import type { RunRecord } from '../store/types'
import type { StateDict } from '../../src-engine/network'
import { epochLine, pct } from './db'
import { defaultDatasetsDir } from '../data/dataset-library'

export async function trainStoredRun(store: RunStore, run: RunRecord, mode: 'start' | 'resume', initialWeights?: StateDict): Promise<number> {
  const out = process.stdout
  const manager = new RunManager({
    launcher: forkLauncher({ ownProcessGroup: true }),
    sink: new StoreRunSink(store),
    concurrency: 1,
    datasetsDir: defaultDatasetsDir(store.path)
  })
  const runId = String(run.id)
  const epochs = run.training.epochs
  let last: StatusInfo | undefined
  let lastStatus: RunStatus = 'queued'
  manager.on('epoch', ({ runId: id, epoch: e }) => {
    if (id !== runId) return
    out.write(epochLine(e, epochs))
  })
  manager.on('status', (e) => {
    if (e.runId !== runId) return
    lastStatus = e.status
    last = e.info
  })
  let stopping = false
  const onSigint = () => {
    if (stopping) return
    stopping = true
    process.stderr.write('stopping (the run is checkpointed and can be resumed)...\n')
    manager.stop(runId)
  }
  process.on('SIGINT', onSigint)
  const started = Date.now()
  try {
    if (mode === 'start') manager.enqueue({ runId, network: run.network, training: run.training, ...(initialWeights ? { initialWeights } : {}) })
    else manager.resume(runId, { network: run.network, training: run.training })
    const status = await manager.settled(runId)
    const done = last?.done
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    out.write(`\n${done?.outcome ?? status}: ${last?.message ?? status} (${seconds}s)\n`)
    if (done && done.bestEpoch !== null && done.bestValLoss !== null) {
      out.write(`best epoch ${done.bestEpoch + 1}: val loss ${done.bestValLoss.toFixed(4)}, val accuracy ${pct(done.bestValAccuracy)}\n`)
    }
    out.write(`run ${run.id} ${status} in ${store.path}\n`)
    lastStatus = status
    return status === 'completed' || status === 'stopped' || status === 'paused' ? 0 : 1
  } finally {
    process.off('SIGINT', onSigint)
    if (lastStatus === 'queued' || lastStatus === 'running') manager.shutdown()
  }
}
