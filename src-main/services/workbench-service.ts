/**
 * The Workbench service: every WorkbenchApi channel implemented over the RunStore and the RunManager,
 * with payloads validated first. Transports (Electron IPC, `tatami serve`) only call `invoke` and
 * forward `events`. No Electron imports.
 */
import {
  WORKBENCH_CHANNELS,
  type WorkbenchChannel,
  type WorkbenchError,
  type WorkbenchEvent,
  type WorkbenchEvents,
  type WorkbenchRequest,
  type WorkbenchResponse
} from '../contract/workbench-api'
import { BadRequestError, validateRequest } from '../contract/validate'
import type { EngineLauncher } from '../runs/launcher'
import { forkLauncher } from '../runs/launcher'
import { RunManager } from '../runs/run-manager'
import { StoreRunSink } from '../runs/store-sink'
import { RunStore } from '../store/run-store'
import type { RunRecord } from '../store/types'
import { isAbsolute } from 'node:path'
import { exportRun, ExportError } from '../export/export-run'
import { DatasetLibrary, defaultDatasetsDir } from '../data/dataset-library'
import { datasetSamples, describeDataset, importDataset, listDatasets, stampDatasetHash, UnknownDatasetError, type DatasetContext } from '../data/datasets'
import { previewImageFolder } from '../data/importers/image-folder'
import { downloadDataset, KNOWN_DATASETS } from '../data/known-datasets'

import { ConflictError, NotFoundError } from './service-errors'
import type { KernelBackendChoice } from '../../src-engine/kernels/backend'
import { createStudyService } from '../studies/study-service'
import { InspectorClient, type InspectorLauncher } from '../inspect/inspector-client'
import { createInspectService } from '../inspect/inspect-service'
export { ConflictError, NotFoundError }

export type WorkbenchHandlers = { [C in WorkbenchChannel]: (request: WorkbenchRequest<C>) => Promise<WorkbenchResponse<C>> }

export interface WorkbenchEventSource {
  on<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void): () => void
}

export interface WorkbenchService {
  /** The channel implementations; they expect already-validated requests. */
  readonly handlers: WorkbenchHandlers
  /** Validates `raw` for `channel`, then runs its handler. Throws BadRequestError, NotFoundError, ConflictError or a store error. */
  invoke<C extends WorkbenchChannel>(channel: C, raw: unknown): Promise<WorkbenchResponse<C>>
  readonly events: WorkbenchEventSource
  /** Stops forwarding manager events. */
  dispose(): void
}

/** Any thrown value as plain data for a transport. */
export function toWorkbenchError(err: unknown): WorkbenchError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    return { name: err.name, message: err.message, ...(typeof code === 'string' ? { code } : {}) }
  }
  return { name: 'Error', message: String(err) }
}

const DELETE_STOP_TIMEOUT_MS = 15_000

export interface WorkbenchServiceDeps {
  store: RunStore
  manager: RunManager
  /** Imported datasets; default: datasets/ next to the run database. */
  library?: DatasetLibrary
  /** Folder holding datasets/ (the bundled MNIST), as given to the engine. */
  resourcesDir?: string
  /** Runs the inspect:* forward passes; default: an InspectorClient on the TypeScript inspector child. */
  inspector?: InspectorClient
}

export function createWorkbenchService(deps: WorkbenchServiceDeps): WorkbenchService {
  const { store, manager } = deps
  const datasets: DatasetContext = {
    library: deps.library ?? new DatasetLibrary(defaultDatasetsDir(store.path)),
    ...(deps.resourcesDir !== undefined ? { resourcesDir: deps.resourcesDir } : {})
  }
  const key = (id: number) => String(id)

  const requireRun = (id: number): RunRecord => {
    const run = store.getRun(id)
    if (!run) throw new NotFoundError(`run ${id} does not exist`)
    return run
  }

  const startRun = (run: RunRecord): void => {
    manager.enqueue({ runId: key(run.id), network: run.network, training: run.training })
  }


  const studies = createStudyService({ store, enqueue: startRun, concurrency: manager.concurrency, datasets })
  const inspector = deps.inspector ?? new InspectorClient({ resourcesDir: deps.resourcesDir, datasetsDir: datasets.library.root })
  const inspect = createInspectService({ store, inspector, datasets })

  const handlers: WorkbenchHandlers = {
    'studies:preview': (request) => studies.preview(request),
    'studies:start': (request) => studies.start(request),
    'studies:list': async () => studies.list(),
    'studies:report': async ({ experimentId }) => studies.report(experimentId),

    'inspect:overview': ({ runId }) => inspect.overview(runId),
    'inspect:confusion': ({ runId, epoch }) => inspect.confusion(runId, epoch),
    'inspect:samples': (request) => inspect.samples(request),
    'inspect:filters': ({ runId, weights }) => inspect.filters(runId, weights),
    'inspect:forward': (request) => inspect.forward(request),
    'inspect:histograms': ({ runId }) => inspect.histograms(runId),

    'networks:list': async () => store.listNetworks(),
    'networks:save': async ({ name, spec }) => store.saveNetwork(name, spec),
    'networks:get': async ({ name, version }) => store.getNetwork(name, version),

    'datasets:list': async () => listDatasets(datasets),
    'datasets:import': async (request) => (await importDataset(request, datasets.library)).info,
    'datasets:preview': async ({ path, ...options }) => previewImageFolder(path, options),
    'datasets:samples': async ({ id, perClass }) => {
      if (!(await describeDataset(id, datasets))) throw new NotFoundError(`dataset "${id}" does not exist`)
      return datasetSamples(id, perClass, datasets)
    },
    'datasets:remove': async ({ id }) => ({ removed: await datasets.library.remove(id) }),
    'datasets:download': async ({ name, mirror }) => {
      const { manifest } = await downloadDataset(KNOWN_DATASETS[name], datasets.library, {
        ...(mirror !== undefined ? { mirror } : {}),
        onProgress: (p) => emit('dataset:progress', { name: p.name, file: p.file, fileIndex: p.fileIndex, fileCount: p.fileCount, received: p.received, total: p.total })
      })
      return (await describeDataset(manifest.id, datasets))!
    },

    'runs:start': async ({ name, network, training: requested, experimentId, parentRunId }) => {
      if (experimentId !== undefined && !store.getExperiment(experimentId)) throw new NotFoundError(`experiment ${experimentId} does not exist`)
      if (parentRunId !== undefined) requireRun(parentRunId)
      const training = await stampDatasetHash(requested, datasets)
      const id = store.createRun({
        name: name ?? `${network.name ?? 'run'} (seed ${training.seed})`,
        network,
        training,
        ...(experimentId !== undefined ? { experimentId } : {}),
        ...(parentRunId !== undefined ? { parentRunId } : {})
      })
      startRun(requireRun(id))
      return requireRun(id)
    },
    'runs:list': async (query) => store.listRuns(query),
    'runs:get': async ({ runId }) => store.getRun(runId),

    'runs:pause': async ({ runId }) => {
      const run = requireRun(runId)
      const live = manager.status(key(runId))
      if (live === 'queued' || live === 'running') manager.pause(key(runId))
      else if (live === undefined && run.status === 'queued') store.setStatus(runId, 'paused')
      else throw new ConflictError(`run ${runId} is ${live ?? run.status}; only queued or running runs can be paused`)
      return requireRun(runId)
    },
    'runs:resume': async ({ runId }) => {
      const run = requireRun(runId)
      const live = manager.status(key(runId))
      const status = live ?? run.status
      if (status !== 'paused' && status !== 'interrupted') throw new ConflictError(`run ${runId} is ${status}; only paused or interrupted runs can be resumed`)
      // The manager loads the latest checkpoint through the store sink (so this works after a restart too).
      manager.resume(key(runId), { network: run.network, training: run.training })
      return requireRun(runId)
    },
    'runs:stop': async ({ runId }) => {
      const run = requireRun(runId)
      const live = manager.status(key(runId))
      if (live === 'queued' || live === 'running' || live === 'paused' || live === 'interrupted') manager.stop(key(runId))
      else if (live === undefined && (run.status === 'queued' || run.status === 'paused' || run.status === 'interrupted')) store.setStatus(runId, 'stopped')
      else throw new ConflictError(`run ${runId} is ${status(live, run)}; only queued, running, paused or interrupted runs can be stopped`)
      return requireRun(runId)
    },
    'runs:rerun': async ({ runId, newSeed }) => {
      const parent = requireRun(runId)
      const training = await stampDatasetHash({ ...parent.training, seed: newSeed ?? parent.training.seed }, datasets)
      const id = store.createRun({
        name: `${parent.name} (rerun${newSeed !== undefined ? `, seed ${newSeed}` : ''})`,
        network: parent.network,
        training,
        parentRunId: parent.id,
        experimentId: parent.experimentId,
        tags: parent.tags
      })
      startRun(requireRun(id))
      return requireRun(id)
    },
    'runs:delete': async ({ runId }) => {
      requireRun(runId)
      const live = manager.status(key(runId))
      if (live === 'queued' || live === 'running') {
        const settled = manager.settled(key(runId))
        manager.stop(key(runId))
        await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, DELETE_STOP_TIMEOUT_MS).unref())])
      }
      store.deleteRun(runId)
      return { deleted: runId }
    },
    'runs:setNotes': async ({ runId, notes }) => {
      requireRun(runId)
      store.setNotes(runId, notes)
      return requireRun(runId)
    },
    'runs:setTags': async ({ runId, tags }) => {
      requireRun(runId)
      store.setTags(runId, [...new Set(tags)])
      return requireRun(runId)
    },
    'metrics:series': async ({ runId, name, split, maxPoints }) => {
      requireRun(runId)
      return store.metricSeries(runId, name, split, maxPoints ?? 1000)
    },
    'compare:hyperparameters': async ({ runIds }) => {
      for (const id of runIds) requireRun(id)
      return store.differingHyperparameters(runIds)
    },
    'runs:export': async ({ runId, format, weights, path }) => {
      requireRun(runId)
      if (path !== undefined && !isAbsolute(path)) throw new BadRequestError('runs:export', 'path', `path must be absolute, got ${JSON.stringify(path)}`)
      try {
        return exportRun(store, runId, { format, weights, outPath: path })
      } catch (err) {
        if (err instanceof ExportError) throw new ConflictError(err.message)
        throw err
      }
    }
  }

  // ---- events -------------------------------------------------------------------------------
  type Listeners = { [E in WorkbenchEvent]: Set<(payload: WorkbenchEvents[E]) => void> }
  const listeners: Listeners = { 'run:status': new Set(), 'run:steps': new Set(), 'run:epoch': new Set(), 'run:start': new Set(), 'run:insight': new Set(), 'dataset:progress': new Set() }
  const emit = <E extends WorkbenchEvent>(event: E, payload: WorkbenchEvents[E]): void => {
    for (const cb of listeners[event] as Set<(p: WorkbenchEvents[E]) => void>) {
      try {
        cb(payload)
      } catch {
        // One broken subscriber must not stop the others or the manager.
      }
    }
  }
  const offs = [
    manager.on('status', (e) =>
      emit('run:status', {
        runId: Number(e.runId),
        status: e.status,
        ...(e.info?.message !== undefined ? { message: e.info.message } : {}),
        ...(e.info?.error ? { error: { name: e.info.error.name, message: e.info.error.message } } : {})
      })
    ),
    manager.on('steps', (e) => emit('run:steps', { runId: Number(e.runId), steps: e.steps })),
    manager.on('epoch', (e) => emit('run:epoch', { runId: Number(e.runId), epoch: e.epoch })),
    manager.on('start', (e) => emit('run:start', { runId: Number(e.runId), start: e.start })),
    manager.on('insight', (e) => emit('run:insight', { runId: Number(e.runId), epoch: e.epoch }))
  ]

  return {
    handlers,
    async invoke<C extends WorkbenchChannel>(channel: C, raw: unknown): Promise<WorkbenchResponse<C>> {
      const request = validateRequest(channel, raw)
      const handler = handlers[channel] as (r: WorkbenchRequest<C>) => Promise<WorkbenchResponse<C>>
      return handler(request)
    },
    events: {
      on(event, cb) {
        const set = listeners[event] as Set<typeof cb>
        set.add(cb)
        return () => {
          set.delete(cb)
        }
      }
    },
    dispose() {
      inspector.close()
      for (const off of offs) off()
    }
  }
}

function status(live: string | undefined, run: RunRecord): string {
  return live ?? run.status
}

export interface WorkbenchBackendOptions {
  dbPath: string
  concurrency?: number
  /** Default: forkLauncher() (the TypeScript engine child through tsx). */
  launcher?: EngineLauncher
  /** Folder holding datasets/ for the engine. */
  resourcesDir?: string
  /** The dataset library (imported datasets); default: datasets/ next to the database. */
  datasetsDir?: string
  /** Kernel backend of every engine; default 'auto' (the fastest available). */
  backend?: KernelBackendChoice
  /** How the inspector process is started; default: the TypeScript inspector child through tsx. */
  inspectorLauncher?: InspectorLauncher
}

export interface WorkbenchBackend {
  service: WorkbenchService
  store: RunStore
  manager: RunManager
  /** The process behind the inspect:* forward passes. */
  inspector: InspectorClient
  /** Runs found 'running' at startup and marked 'interrupted'. */
  recovered: number[]
  /** Runs found 'queued' at startup (their process died before their turn) and queued again. */
  requeued: number[]
  close(): void
}

/** Opens the store, recovers runs a dead process left 'running', and wires sink, manager and service. */
export function startWorkbenchBackend(options: WorkbenchBackendOptions): WorkbenchBackend {
  const store = RunStore.open(options.dbPath)
  let recovered: number[]
  let requeued: number[]
  try {
    recovered = store.markInterruptedRuns()
    requeued = store.claimOrphanedQueuedRuns()
  } catch (err) {
    store.close()
    throw err
  }
  const sink = new StoreRunSink(store)
  const datasetsDir = options.datasetsDir ?? defaultDatasetsDir(store.path)
  const manager = new RunManager({
    datasetsDir,
    launcher: options.launcher ?? forkLauncher(),
    sink,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.resourcesDir !== undefined ? { resourcesDir: options.resourcesDir } : {}),
    ...(options.backend !== undefined ? { backend: options.backend } : {})
  })
  const inspector = new InspectorClient({
    datasetsDir,
    ...(options.resourcesDir !== undefined ? { resourcesDir: options.resourcesDir } : {}),
    ...(options.inspectorLauncher !== undefined ? { launcher: options.inspectorLauncher } : {})
  })
  const service = createWorkbenchService({
    store,
    manager,
    library: new DatasetLibrary(datasetsDir),
    inspector,
    ...(options.resourcesDir !== undefined ? { resourcesDir: options.resourcesDir } : {})
  })
  for (const id of requeued) {
    const run = store.getRun(id)
    if (run) manager.enqueue({ runId: String(id), network: run.network, training: run.training })
  }
  let closed = false
  return {
    service,
    store,
    manager,
    inspector,
    recovered,
    requeued,
    close() {
      if (closed) return
      closed = true
      service.dispose()
      manager.shutdown()
      store.close()
    }
  }
}

export { BadRequestError, WORKBENCH_CHANNELS, UnknownDatasetError }
