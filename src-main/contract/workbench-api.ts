/**
 * The WorkbenchApi contract: one map from channel to { request, response }, plus the events map.
 * Types only (and one const list of names): no Node or Electron imports, so the renderer, the preload,
 * the IPC handlers and the serve transport all share it.
 */
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { StepEvent } from '../../src-engine/protocol'
import type { EpochEvent, RunStatus, StartEvent, StatusInfo } from '../runs/run-sink'
import type {
  HyperparameterDiff,
  ListRunsQuery,
  MetricPoint,
  MetricSplit,
  NetworkListItem,
  NetworkRecord,
  RunRecord
} from '../store/types'

import type { StudyListItem, StudyPreview, StudyReport, StudyRequest } from '../studies/study-types'
import type {
  ConfusionMatrix,
  FiltersResponse,
  ForwardRequest,
  ForwardResponse,
  HistogramsResponse,
  InspectOverview,
  SamplesPage,
  SamplesRequest,
  WeightsChoice
} from './inspect-types'

export type { StudyListItem, StudyPreview, StudyReport, StudyRequest }
export type * from './inspect-types'
export type { NetworkSpec, TrainConfig, RunRecord, RunStatus, MetricPoint, MetricSplit, NetworkRecord, NetworkListItem, HyperparameterDiff, ListRunsQuery }

/** A dataset a run can train on: built in, or imported into the dataset library. */
export interface DatasetInfo {
  id: string
  title: string
  /** SHA-256 of the content (canonical IDX bytes), recorded with every run as training.dataset.hash. */
  hash?: string
  /** [channels, height, width] */
  shape?: [number, number, number]
  classes?: string[]
  counts?: { train: number; test: number }
  /** Samples per class, index = label. */
  perClass?: { train: number[]; test: number[] }
  format?: DatasetFormat
  /** Where an imported dataset came from (path or URL). */
  source?: string
  createdAt?: string
  builtin?: boolean
}

export type DatasetFormat = 'idx' | 'image-folder' | 'csv' | 'cifar10'

export interface DatasetImportRequest {
  format: DatasetFormat
  /** A folder (idx, image-folder, cifar10) or a file (csv). */
  path: string
  title?: string
  /** image-folder: width and height after resizing (default 28). */
  size?: number
  /** image-folder and csv: 1 (grayscale, default) or 3 (RGB). */
  channels?: 1 | 3
  /** csv: the first row is a header (default: detected). */
  header?: boolean
  /** csv: a second file used as the fixed test split. */
  testPath?: string
  /** idx and csv: class names, label i = classes[i]. */
  classes?: string[]
  /** idx: images are stored transposed (EMNIST). */
  transpose?: boolean
}

/** A few decoded samples per class for a sample grid; pixels CHW, 0..255. */
export interface DatasetSamples {
  shape: [number, number, number]
  classes: string[]
  samples: { label: number; pixels: number[] }[]
}

export type DownloadableDataset = 'mnist' | 'fashion-mnist'

export interface WorkbenchChannels {
  'networks:list': { request: Record<string, never>; response: NetworkListItem[] }
  'networks:save': { request: { name: string; spec: NetworkSpec }; response: NetworkRecord }
  'networks:get': { request: { name: string; version?: number }; response: NetworkRecord | null }
  'datasets:list': { request: Record<string, never>; response: DatasetInfo[] }
  'datasets:import': { request: DatasetImportRequest; response: DatasetInfo }
  /** An image folder as it would be imported: the first perClass images of each class and the image count per class. */
  'datasets:preview': { request: { path: string; size?: number; channels?: 1 | 3; perClass?: number }; response: DatasetSamples & { counts: number[] } }
  'datasets:samples': { request: { id: string; perClass: number }; response: DatasetSamples }
  'datasets:remove': { request: { id: string }; response: { removed: boolean } }
  /** Progress arrives as 'dataset:progress' events. mirror: a base URL to use instead of the built-in mirrors. */
  'datasets:download': { request: { name: DownloadableDataset; mirror?: string }; response: DatasetInfo }
  /** parentRunId records where a cloned-and-edited run came from. */
  'runs:start': { request: { name?: string; network: NetworkSpec; training: TrainConfig; experimentId?: number; parentRunId?: number }; response: RunRecord }
  'runs:list': { request: ListRunsQuery; response: { rows: RunRecord[]; total: number } }
  'runs:get': { request: { runId: number }; response: RunRecord | null }
  'runs:pause': { request: { runId: number }; response: RunRecord }
  'runs:resume': { request: { runId: number }; response: RunRecord }
  'runs:stop': { request: { runId: number }; response: RunRecord }
  'runs:rerun': { request: { runId: number; newSeed?: number }; response: RunRecord }
  'runs:delete': { request: { runId: number }; response: { deleted: number } }
  'runs:setNotes': { request: { runId: number; notes: string }; response: RunRecord }
  'runs:setTags': { request: { runId: number; tags: string[] }; response: RunRecord }
  'metrics:series': { request: { runId: number; name: string; split: MetricSplit; maxPoints?: number }; response: MetricPoint[] }
  'compare:hyperparameters': { request: { runIds: number[] }; response: HyperparameterDiff[] }
  /** A study's variants, run count and time estimate, without launching anything. */
  'studies:preview': { request: StudyRequest; response: StudyPreview }
  /** One experiment; one queued run per variant and seed. */
  'studies:start': { request: StudyRequest; response: { experimentId: number; runIds: number[] } }
  'studies:list': { request: Record<string, never>; response: StudyListItem[] }
  'studies:report': { request: { experimentId: number }; response: StudyReport }
  /** Writes the run's model; without a path, into exports/ next to the database. pytorch writes a folder. */
  'runs:export': { request: { runId: number; format: 'onnx' | 'pytorch' | 'tatami'; weights: 'best' | 'final'; path?: string }; response: { path: string; bytes: number } }
  /** Look inside a model (inspect-types.ts): what was recorded for a run. */
  'inspect:overview': { request: { runId: number }; response: InspectOverview }
  'inspect:confusion': { request: { runId: number; epoch: number }; response: ConfusionMatrix }
  'inspect:samples': { request: SamplesRequest; response: SamplesPage }
  'inspect:filters': { request: { runId: number; weights: WeightsChoice }; response: FiltersResponse }
  /** Activations after every layer for one input; runs in the inspector process. */
  'inspect:forward': { request: ForwardRequest; response: ForwardResponse }
  'inspect:histograms': { request: { runId: number }; response: HistogramsResponse }
}

export type WorkbenchChannel = keyof WorkbenchChannels
export type WorkbenchRequest<C extends WorkbenchChannel> = WorkbenchChannels[C]['request']
export type WorkbenchResponse<C extends WorkbenchChannel> = WorkbenchChannels[C]['response']

/** Every channel, at runtime (the preload and the IPC registration check names against it). */
export const WORKBENCH_CHANNELS = [
  'datasets:list',
  'datasets:import',
  'datasets:preview',
  'datasets:samples',
  'datasets:remove',
  'datasets:download',
  'networks:list',
  'networks:save',
  'networks:get',
  'runs:start',
  'runs:list',
  'runs:get',
  'runs:pause',
  'runs:resume',
  'runs:stop',
  'runs:rerun',
  'runs:delete',
  'runs:setNotes',
  'runs:setTags',
  'metrics:series',
  'compare:hyperparameters',
  'studies:preview',
  'studies:start',
  'studies:list',
  'studies:report',
  'runs:export',
  'inspect:overview',
  'inspect:confusion',
  'inspect:samples',
  'inspect:filters',
  'inspect:forward',
  'inspect:histograms'
] as const satisfies readonly WorkbenchChannel[]

// Compile-time check that the list names every channel.
type MissingChannels = Exclude<WorkbenchChannel, (typeof WORKBENCH_CHANNELS)[number]>
const _allChannelsListed: MissingChannels extends never ? true : false = true
void _allChannelsListed

/** Events pushed from main; run ids are the store's integer ids. */
export interface WorkbenchEvents {
  'run:status': { runId: number; status: RunStatus; message?: string; error?: { name: string; message: string } }
  'run:steps': { runId: number; steps: StepEvent[] }
  'run:epoch': { runId: number; epoch: EpochEvent }
  /** The engine began training: steps per epoch, split sizes, parameter count, kernel backend. */
  'run:start': { runId: number; start: StartEvent }
  /** What the run recorded at an epoch's end (inspect:*) is stored and can be shown; epoch is 0-based. */
  'run:insight': { runId: number; epoch: number }
  /** Download progress of datasets:download; total is null when the server does not say. */
  'dataset:progress': { name: string; file: string; fileIndex: number; fileCount: number; received: number; total: number | null }
}
export type WorkbenchEvent = keyof WorkbenchEvents
export const WORKBENCH_EVENTS = ['run:status', 'run:steps', 'run:epoch', 'run:start', 'run:insight', 'dataset:progress'] as const satisfies readonly WorkbenchEvent[]

/** An error as it crosses a transport. code 'BadRequest' for refused payloads, 'Forbidden' for untrusted senders. */
export interface WorkbenchError {
  name: string
  message: string
  code?: string
}

/** What a transport returns for one invoke: a response or an error, as plain data. */
export type WorkbenchResult<C extends WorkbenchChannel> = { ok: true; value: WorkbenchResponse<C> } | { ok: false; error: WorkbenchError }

/** The renderer's view of the API (window.tatami in Electron; the HTTP client in serve mode). */
export interface WorkbenchClient {
  invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>>
  subscribe<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void): () => void
}

export type { StatusInfo }

export function isWorkbenchChannel(name: unknown): name is WorkbenchChannel {
  return typeof name === 'string' && (WORKBENCH_CHANNELS as readonly string[]).includes(name)
}
export function isWorkbenchEvent(name: unknown): name is WorkbenchEvent {
  return typeof name === 'string' && (WORKBENCH_EVENTS as readonly string[]).includes(name)
}
