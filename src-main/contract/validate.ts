/**
 * Main-side validation of every WorkbenchApi payload. Each validator returns the typed request or
 * throws BadRequestError whose message names the channel and the field.
 */
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import { validateTrainConfig, type TrainConfig } from '../../src-engine/train/train-config'
import { RUN_STATUSES } from '../store/migrations'
import type { ListRunsQuery, RunSortKey, RunStatus } from '../store/types'
import { STUDY_KINDS, type StudyKind, type StudyRequest } from '../studies/study-types'
import { isWorkbenchChannel, type DatasetFormat, type DatasetImportRequest, type WorkbenchChannel, type WorkbenchRequest } from './workbench-api'
import type { ForwardInput, SampleFilter, WeightsChoice } from './inspect-types'

export class BadRequestError extends Error {
  readonly code = 'BadRequest'
  constructor(
    readonly channel: string,
    readonly field: string | null,
    message: string
  ) {
    super(`${channel}: ${message}`)
    this.name = 'BadRequest'
  }
}

type Obj = Record<string, unknown>

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (v === undefined) return 'undefined'
  try {
    const s = JSON.stringify(v)
    return s === undefined ? String(v) : s.length > 60 ? s.slice(0, 57) + '...' : s
  } catch {
    return String(v)
  }
}

class Checker {
  constructor(readonly channel: string) {}
  fail(field: string | null, message: string): never {
    throw new BadRequestError(this.channel, field, message)
  }
  object(raw: unknown, allowed: readonly string[]): Obj {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) this.fail(null, `request must be an object, got ${show(raw)}`)
    const obj = raw as Obj
    for (const key of Object.keys(obj)) if (!allowed.includes(key)) this.fail(key, `unknown field "${key}"`)
    return obj
  }
  id(obj: Obj, field: string): number {
    const v = obj[field]
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) this.fail(field, `${field} must be a positive integer, got ${show(v)}`)
    return v
  }
  optId(obj: Obj, field: string): number | undefined {
    return obj[field] === undefined ? undefined : this.id(obj, field)
  }
  int(obj: Obj, field: string, min: number, max: number): number {
    const v = obj[field]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.fail(field, `${field} must be an integer in [${min}, ${max}], got ${show(v)}`)
    return v
  }
  optInt(obj: Obj, field: string, min: number, max: number): number | undefined {
    return obj[field] === undefined ? undefined : this.int(obj, field, min, max)
  }
  string(obj: Obj, field: string, maxLength: number, nonEmpty = true): string {
    const v = obj[field]
    if (typeof v !== 'string') this.fail(field, `${field} must be a string, got ${show(v)}`)
    if (nonEmpty && v.trim() === '') this.fail(field, `${field} must not be empty`)
    if (v.length > maxLength) this.fail(field, `${field} must be at most ${maxLength} characters, got ${v.length}`)
    return v
  }
  optString(obj: Obj, field: string, maxLength: number): string | undefined {
    return obj[field] === undefined ? undefined : this.string(obj, field, maxLength)
  }
  bool(obj: Obj, field: string): boolean {
    const v = obj[field]
    if (typeof v !== 'boolean') this.fail(field, `${field} must be true or false, got ${show(v)}`)
    return v
  }
  names(obj: Obj, field: string, max: number): string[] {
    const v = obj[field]
    if (!Array.isArray(v) || v.length === 0 || v.length > max) this.fail(field, `${field} must be a list of 1 to ${max} names, got ${show(v)}`)
    v.forEach((t: unknown, i: number) => {
      if (typeof t !== 'string' || t.trim() === '' || t.length > MAX_NAME) this.fail(`${field}[${i}]`, `${field}[${i}] must be a non-empty string of at most ${MAX_NAME} characters, got ${show(t)}`)
    })
    return v as string[]
  }
  network(obj: Obj, field: string): NetworkSpec {
    const analysis = analyzeNetwork(obj[field])
    if (!analysis.ok) {
      const issue = analysis.issues[0]
      this.fail(field, `${field}: ${issue ? issue.message : 'invalid network spec'}`)
    }
    return obj[field] as NetworkSpec
  }
  training(obj: Obj, field: string): TrainConfig {
    const problems = validateTrainConfig(obj[field])
    if (problems.length > 0) {
      // The engine's messages already start with "training." (or "training config").
      const first = problems[0]
      this.fail(field, first.startsWith('training') ? first : `${field}: ${first}`)
    }
    return obj[field] as TrainConfig
  }
}

const MAX_NAME = 200
const MAX_PATH = 4096
const MAX_SAMPLES_PER_CLASS = 64
const DATASET_FORMATS = ['idx', 'image-folder', 'csv', 'cifar10'] as const satisfies readonly DatasetFormat[]
const MAX_NOTES = 100_000
const MAX_POINTS = 100_000
const MAX_RUN_IDS = 1000

type Validators = { [C in WorkbenchChannel]: (raw: unknown) => WorkbenchRequest<C> }

const SORT_FIXED: readonly string[] = ['created', 'name', 'status', 'bestValAccuracy']

function runIdOnly<C extends 'runs:get' | 'runs:pause' | 'runs:resume' | 'runs:stop' | 'runs:delete'>(channel: C) {
  return (raw: unknown): { runId: number } => {
    const c: Checker = new Checker(channel)
    return { runId: c.id(c.object(raw, ['runId']), 'runId') }
  }
}

function status(c: Checker, v: unknown): RunStatus {
  if (!(RUN_STATUSES as readonly unknown[]).includes(v)) c.fail('status', `status must be one of ${RUN_STATUSES.join(', ')}, got ${show(v)}`)
  return v as RunStatus
}

export const validators: Validators = {
  'networks:list': (raw) => {
    const c: Checker = new Checker('networks:list')
    c.object(raw ?? {}, [])
    return {}
  },
  'networks:save': (raw) => {
    const c: Checker = new Checker('networks:save')
    const o = c.object(raw, ['name', 'spec'])
    return { name: c.string(o, 'name', MAX_NAME), spec: c.network(o, 'spec') }
  },
  'networks:get': (raw) => {
    const c: Checker = new Checker('networks:get')
    const o = c.object(raw, ['name', 'version'])
    const version = c.optId(o, 'version')
    return { name: c.string(o, 'name', MAX_NAME), ...(version !== undefined ? { version } : {}) }
  },
  'datasets:list': (raw) => {
    const c: Checker = new Checker('datasets:list')
    c.object(raw ?? {}, [])
    return {}
  },
  'datasets:import': (raw) => {
    const c: Checker = new Checker('datasets:import')
    const o = c.object(raw, ['format', 'path', 'title', 'size', 'channels', 'header', 'testPath', 'classes', 'transpose'])
    if (!(DATASET_FORMATS as readonly unknown[]).includes(o.format)) c.fail('format', `format must be one of ${DATASET_FORMATS.join(', ')}, got ${show(o.format)}`)
    const req: DatasetImportRequest = { format: o.format as DatasetFormat, path: c.string(o, 'path', MAX_PATH) }
    const title = c.optString(o, 'title', MAX_NAME)
    if (title !== undefined) req.title = title
    const size = c.optInt(o, 'size', 4, 512)
    if (size !== undefined) req.size = size
    const channels = c.optInt(o, 'channels', 1, 3)
    if (channels !== undefined) {
      if (channels !== 1 && channels !== 3) c.fail('channels', `channels must be 1 or 3, got ${channels}`)
      req.channels = channels
    }
    if (o.header !== undefined) req.header = c.bool(o, 'header')
    if (o.transpose !== undefined) req.transpose = c.bool(o, 'transpose')
    const testPath = c.optString(o, 'testPath', MAX_PATH)
    if (testPath !== undefined) req.testPath = testPath
    if (o.classes !== undefined) req.classes = c.names(o, 'classes', 256)
    return req
  },
  'datasets:preview': (raw) => {
    const c: Checker = new Checker('datasets:preview')
    const o = c.object(raw, ['path', 'size', 'channels', 'perClass'])
    const req: WorkbenchRequest<'datasets:preview'> = { path: c.string(o, 'path', MAX_PATH) }
    const size = c.optInt(o, 'size', 4, 512)
    if (size !== undefined) req.size = size
    const channels = c.optInt(o, 'channels', 1, 3)
    if (channels !== undefined) {
      if (channels !== 1 && channels !== 3) c.fail('channels', `channels must be 1 or 3, got ${channels}`)
      req.channels = channels
    }
    const perClass = c.optInt(o, 'perClass', 1, MAX_SAMPLES_PER_CLASS)
    if (perClass !== undefined) req.perClass = perClass
    return req
  },
  'datasets:samples': (raw) => {
    const c: Checker = new Checker('datasets:samples')
    const o = c.object(raw, ['id', 'perClass'])
    return { id: c.string(o, 'id', MAX_NAME), perClass: c.int(o, 'perClass', 1, MAX_SAMPLES_PER_CLASS) }
  },
  'datasets:remove': (raw) => {
    const c: Checker = new Checker('datasets:remove')
    const o = c.object(raw, ['id'])
    return { id: c.string(o, 'id', MAX_NAME) }
  },
  'datasets:download': (raw) => {
    const c: Checker = new Checker('datasets:download')
    const o = c.object(raw, ['name', 'mirror'])
    if (o.name !== 'mnist' && o.name !== 'fashion-mnist') c.fail('name', `name must be "mnist" or "fashion-mnist", got ${show(o.name)}`)
    const mirror = c.optString(o, 'mirror', MAX_PATH)
    if (mirror !== undefined && !/^https?:\/\//.test(mirror)) c.fail('mirror', `mirror must be an http:// or https:// URL, got ${show(mirror)}`)
    return { name: o.name, ...(mirror !== undefined ? { mirror } : {}) }
  },
  'runs:start': (raw) => {
    const c: Checker = new Checker('runs:start')
    const o = c.object(raw, ['name', 'network', 'training', 'experimentId', 'parentRunId'])
    const name = c.optString(o, 'name', MAX_NAME)
    const experimentId = c.optId(o, 'experimentId')
    const parentRunId = c.optId(o, 'parentRunId')
    return {
      network: c.network(o, 'network'),
      training: c.training(o, 'training'),
      ...(name !== undefined ? { name } : {}),
      ...(experimentId !== undefined ? { experimentId } : {}),
      ...(parentRunId !== undefined ? { parentRunId } : {})
    }
  },
  'runs:list': (raw) => {
    const c: Checker = new Checker('runs:list')
    const o = c.object(raw ?? {}, ['status', 'tag', 'experimentId', 'search', 'hyperparameters', 'sortBy', 'order', 'limit', 'offset'])
    const q: ListRunsQuery = {}
    if (o.status !== undefined) q.status = Array.isArray(o.status) ? o.status.map((s) => status(c, s)) : status(c, o.status)
    const tag = c.optString(o, 'tag', MAX_NAME)
    if (tag !== undefined) q.tag = tag
    const experimentId = c.optId(o, 'experimentId')
    if (experimentId !== undefined) q.experimentId = experimentId
    if (o.search !== undefined) q.search = c.string(o, 'search', MAX_NAME, false)
    if (o.hyperparameters !== undefined) {
      const hp = o.hyperparameters
      if (typeof hp !== 'object' || hp === null || Array.isArray(hp)) c.fail('hyperparameters', `hyperparameters must be an object, got ${show(hp)}`)
      const out: Record<string, string | number | boolean> = {}
      for (const [k, v] of Object.entries(hp as Obj)) {
        if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
          c.fail(`hyperparameters.${k}`, `hyperparameters.${k} must be a string, finite number or boolean, got ${show(v)}`)
        }
        out[k] = v
      }
      q.hyperparameters = out
    }
    if (o.sortBy !== undefined) {
      const s = o.sortBy
      if (typeof s !== 'string' || !(SORT_FIXED.includes(s) || (s.startsWith('hp:') && s.length > 3 && s.length <= MAX_NAME))) {
        c.fail('sortBy', `sortBy must be one of ${SORT_FIXED.join(', ')} or "hp:<key>", got ${show(s)}`)
      }
      q.sortBy = s as RunSortKey
    }
    if (o.order !== undefined) {
      if (o.order !== 'asc' && o.order !== 'desc') c.fail('order', `order must be "asc" or "desc", got ${show(o.order)}`)
      q.order = o.order
    }
    const limit = c.optInt(o, 'limit', 1, 10_000)
    if (limit !== undefined) q.limit = limit
    const offset = c.optInt(o, 'offset', 0, Number.MAX_SAFE_INTEGER)
    if (offset !== undefined) q.offset = offset
    return q
  },
  'runs:get': runIdOnly('runs:get'),
  'runs:pause': runIdOnly('runs:pause'),
  'runs:resume': runIdOnly('runs:resume'),
  'runs:stop': runIdOnly('runs:stop'),
  'runs:delete': runIdOnly('runs:delete'),
  'runs:rerun': (raw) => {
    const c: Checker = new Checker('runs:rerun')
    const o = c.object(raw, ['runId', 'newSeed'])
    const newSeed = c.optInt(o, 'newSeed', 0, 2 ** 32 - 1)
    return { runId: c.id(o, 'runId'), ...(newSeed !== undefined ? { newSeed } : {}) }
  },
  'runs:setNotes': (raw) => {
    const c: Checker = new Checker('runs:setNotes')
    const o = c.object(raw, ['runId', 'notes'])
    return { runId: c.id(o, 'runId'), notes: c.string(o, 'notes', MAX_NOTES, false) }
  },
  'runs:setTags': (raw) => {
    const c: Checker = new Checker('runs:setTags')
    const o = c.object(raw, ['runId', 'tags'])
    const tags = o.tags
    if (!Array.isArray(tags) || tags.length > 100) c.fail('tags', `tags must be a list of at most 100 strings, got ${show(tags)}`)
    tags.forEach((t: unknown, i: number) => {
      if (typeof t !== 'string' || t.trim() === '' || t.length > 100) c.fail(`tags[${i}]`, `tags[${i}] must be a non-empty string of at most 100 characters, got ${show(t)}`)
    })
    return { runId: c.id(o, 'runId'), tags: tags as string[] }
  },
  'metrics:series': (raw) => {
    const c: Checker = new Checker('metrics:series')
    const o = c.object(raw, ['runId', 'name', 'split', 'maxPoints'])
    if (o.split !== 'train' && o.split !== 'val') c.fail('split', `split must be "train" or "val", got ${show(o.split)}`)
    const maxPoints = c.optInt(o, 'maxPoints', 2, MAX_POINTS)
    return { runId: c.id(o, 'runId'), name: c.string(o, 'name', MAX_NAME), split: o.split, ...(maxPoints !== undefined ? { maxPoints } : {}) }
  },
  'runs:export': (raw) => {
    const c: Checker = new Checker('runs:export')
    const o = c.object(raw, ['runId', 'format', 'weights', 'path'])
    if (o.format !== 'onnx' && o.format !== 'pytorch' && o.format !== 'tatami') c.fail('format', `format must be "onnx", "pytorch" or "tatami", got ${show(o.format)}`)
    if (o.weights !== 'best' && o.weights !== 'final') c.fail('weights', `weights must be "best" or "final", got ${show(o.weights)}`)
    const path = c.optString(o, 'path', 4096)
    return { runId: c.id(o, 'runId'), format: o.format, weights: o.weights, ...(path !== undefined ? { path } : {}) }
  },
  'compare:hyperparameters': (raw) => {
    const c: Checker = new Checker('compare:hyperparameters')
    const o = c.object(raw, ['runIds'])
    const ids = o.runIds
    if (!Array.isArray(ids) || ids.length === 0 || ids.length > MAX_RUN_IDS) c.fail('runIds', `runIds must be a non-empty list of at most ${MAX_RUN_IDS} run ids, got ${show(ids)}`)
    return {
      runIds: ids.map((v: unknown, i: number) => {
        if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) c.fail(`runIds[${i}]`, `runIds[${i}] must be a positive integer, got ${show(v)}`)
        return v
      })
    }
  },
  'studies:preview': (raw) => studyRequest('studies:preview', raw),
  'studies:start': (raw) => studyRequest('studies:start', raw),
  'studies:list': (raw) => {
    const c: Checker = new Checker('studies:list')
    c.object(raw ?? {}, [])
    return {}
  },
  'studies:report': (raw) => {
    const c: Checker = new Checker('studies:report')
    return { experimentId: c.id(c.object(raw, ['experimentId']), 'experimentId') }
  },
  'inspect:overview': (raw) => {
    const c: Checker = new Checker('inspect:overview')
    return { runId: c.id(c.object(raw, ['runId']), 'runId') }
  },
  'inspect:confusion': (raw) => {
    const c: Checker = new Checker('inspect:confusion')
    const o = c.object(raw, ['runId', 'epoch'])
    return { runId: c.id(o, 'runId'), epoch: c.int(o, 'epoch', 0, MAX_EPOCH) }
  },
  'inspect:samples': (raw) => {
    const c: Checker = new Checker('inspect:samples')
    const o = c.object(raw, ['runId', 'epoch', 'filter', 'offset', 'limit'])
    const offset = c.optInt(o, 'offset', 0, Number.MAX_SAFE_INTEGER)
    const limit = c.optInt(o, 'limit', 1, MAX_SAMPLES_PAGE)
    return { runId: c.id(o, 'runId'), epoch: c.int(o, 'epoch', 0, MAX_EPOCH), filter: sampleFilter(c, o.filter), ...(offset !== undefined ? { offset } : {}), ...(limit !== undefined ? { limit } : {}) }
  },
  'inspect:filters': (raw) => {
    const c: Checker = new Checker('inspect:filters')
    const o = c.object(raw, ['runId', 'weights'])
    return { runId: c.id(o, 'runId'), weights: weightsChoice(c, o.weights) }
  },
  'inspect:forward': (raw) => {
    const c: Checker = new Checker('inspect:forward')
    const o = c.object(raw, ['runId', 'weights', 'input'])
    return { runId: c.id(o, 'runId'), weights: weightsChoice(c, o.weights), input: forwardInput(c, o.input) }
  },
  'inspect:histograms': (raw) => {
    const c: Checker = new Checker('inspect:histograms')
    return { runId: c.id(c.object(raw, ['runId']), 'runId') }
  }
}

const MAX_EPOCH = 1_000_000
const MAX_SAMPLES_PAGE = 500
/** 3×256×256: the largest input a drawn or uploaded image may have. */
const MAX_INPUT_VALUES = 3 * 256 * 256

function weightsChoice(c: Checker, v: unknown): WeightsChoice {
  if (v === 'final' || v === 'best') return v
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const o = c.object(v, ['epoch'])
    return { epoch: c.int(o, 'epoch', 0, MAX_EPOCH) }
  }
  c.fail('weights', `weights must be "final", "best" or {"epoch": N} (0-based), got ${show(v)}`)
}

function sampleFilter(c: Checker, v: unknown): SampleFilter {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) c.fail('filter', `filter must be {"kind": "mistakes"} or {"kind": "cell", "trueLabel": T, "predicted": P}, got ${show(v)}`)
  const o = v as Obj
  if (o.kind === 'mistakes') {
    c.object(o, ['kind'])
    return { kind: 'mistakes' }
  }
  if (o.kind === 'cell') {
    c.object(o, ['kind', 'trueLabel', 'predicted'])
    return { kind: 'cell', trueLabel: c.int(o, 'trueLabel', 0, 65535), predicted: c.int(o, 'predicted', 0, 65535) }
  }
  c.fail('filter.kind', `filter.kind must be "mistakes" or "cell", got ${show(o.kind)}`)
}

function forwardInput(c: Checker, v: unknown): ForwardInput {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) c.fail('input', `input must be {"kind": "sample", "index": N} or {"kind": "pixels", "pixels": [...]}, got ${show(v)}`)
  const o = v as Obj
  if (o.kind === 'sample') {
    c.object(o, ['kind', 'index'])
    return { kind: 'sample', index: c.int(o, 'index', 0, Number.MAX_SAFE_INTEGER) }
  }
  if (o.kind === 'pixels') {
    c.object(o, ['kind', 'pixels'])
    const px = o.pixels
    if (!Array.isArray(px) || px.length === 0 || px.length > MAX_INPUT_VALUES) c.fail('input.pixels', `input.pixels must be an array of 1 to ${MAX_INPUT_VALUES} numbers`)
    const bad = px.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x))
    if (bad >= 0) c.fail('input.pixels', `input.pixels[${bad}] must be a finite number, got ${show(px[bad])}`)
    return { kind: 'pixels', pixels: px as number[] }
  }
  c.fail('input.kind', `input.kind must be "sample" or "pixels", got ${show(o.kind)}`)
}

function studyRequest(channel: 'studies:preview' | 'studies:start', raw: unknown): StudyRequest {
  const c: Checker = new Checker(channel)
  const o = c.object(raw, ['kind', 'name', 'base', 'repeats', 'grid', 'trainSizes'])
  if (!(STUDY_KINDS as readonly unknown[]).includes(o.kind)) c.fail('kind', `kind must be one of ${STUDY_KINDS.join(', ')}, got ${show(o.kind)}`)
  const base = c.object(o.base, ['network', 'training'])
  const name = c.optString(o, 'name', MAX_NAME)
  const repeats = c.optInt(o, 'repeats', 1, 10)
  const request: StudyRequest = { kind: o.kind as StudyKind, base: { network: c.network(base, 'network'), training: c.training(base, 'training') } }
  if (name !== undefined) request.name = name
  if (repeats !== undefined) request.repeats = repeats
  if (o.trainSizes !== undefined) {
    const sizes = o.trainSizes
    if (!Array.isArray(sizes) || sizes.length === 0 || sizes.length > 20 || !sizes.every((n) => typeof n === 'number' && Number.isInteger(n) && n > 0)) {
      c.fail('trainSizes', `trainSizes must be a list of 1 to 20 positive whole numbers, got ${show(sizes)}`)
    }
    request.trainSizes = sizes as number[]
  }
  if (o.grid !== undefined) {
    const axes = o.grid
    if (!Array.isArray(axes) || axes.length === 0 || axes.length > 6) c.fail('grid', `grid must be a list of 1 to 6 axes, got ${show(axes)}`)
    request.grid = axes.map((a: unknown, i: number) => {
      const axis = c.object(a, ['path', 'values'])
      const path = c.string(axis, 'path', 100)
      if (!/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*$/.test(path)) c.fail(`grid[${i}].path`, `grid[${i}].path must be a dotted config path like "optimizer.lr", got ${show(path)}`)
      const values = axis.values
      if (!Array.isArray(values) || values.length === 0 || values.length > 20 || !values.every((v) => ['number', 'string', 'boolean'].includes(typeof v))) {
        c.fail(`grid[${i}].values`, `grid[${i}].values must be a list of 1 to 20 numbers, strings or booleans, got ${show(values)}`)
      }
      return { path, values: values as (number | string | boolean)[] }
    })
  }
  return request
}

/** Validates one request for a channel; an unknown channel is a BadRequest too. */
export function validateRequest<C extends WorkbenchChannel>(channel: C, raw: unknown): WorkbenchRequest<C> {
  if (!isWorkbenchChannel(channel)) throw new BadRequestError(String(channel), null, 'unknown channel')
  return (validators[channel] as (raw: unknown) => WorkbenchRequest<C>)(raw)
}
