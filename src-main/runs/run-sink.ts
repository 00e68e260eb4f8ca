/**
 * Where the RunManager writes what it learns about runs. The SQLite store implements this;
 * MemoryRunSink is the in-memory version for tests and throwaway sessions.
 */
import type { SerializedError, StepEvent } from '../../src-engine/protocol'
import type { TrainEvent, TrainOutcome } from '../../src-engine/train/events'
import type { Checkpoint } from '../../src-engine/train/checkpoint'
import type { StateDict } from '../../src-engine/network'
import type { EpochInsight } from '../../src-engine/train/insight'

export type RunStatus = 'queued' | 'running' | 'paused' | 'completed' | 'stopped' | 'failed' | 'diverged' | 'interrupted'

/** Statuses a run leaves only by an explicit resume/rerun. */
export const FINAL_STATUSES: readonly RunStatus[] = ['completed', 'stopped', 'failed', 'diverged', 'paused', 'interrupted']

export type EpochEvent = Extract<TrainEvent, { type: 'epoch' }>
export type DoneEvent = Extract<TrainEvent, { type: 'done' }>
export type StartEvent = Extract<TrainEvent, { type: 'start' }>

export interface StatusInfo {
  /** For 'failed'. */
  error?: SerializedError
  /** The engine's words ("trained 3 epochs", "loss became NaN at ..."), or why the process went away. */
  message?: string
  /** The engine's outcome when it sent one (e.g. 'early_stopped' reported as status 'completed'). */
  outcome?: TrainOutcome
  /** Exit code / signal of an engine process that went away without finishing. */
  exitCode?: number | null
  signal?: string | null
  /** The engine's final summary, when it sent one. */
  done?: DoneEvent
}

export type CheckpointKind = 'latest' | 'best'
export type ArtifactKind = 'final' | 'best'

export interface RunSink {
  setStatus(runId: string, status: RunStatus, info?: StatusInfo): void
  appendSteps(runId: string, steps: StepEvent[]): void
  appendEpoch(runId: string, epoch: EpochEvent): void
  /** What the engine reported when training began (steps per epoch, split sizes, backend). */
  recordStart(runId: string, start: StartEvent): void
  saveCheckpoint(runId: string, kind: CheckpointKind, checkpoint: Checkpoint): void
  /** Weights as bytes (encodeStateDict). */
  saveArtifact(runId: string, kind: ArtifactKind, stateDict: Uint8Array): void
  loadCheckpoint(runId: string, kind: 'latest'): Checkpoint | null
  /** What the engine recorded at a validated epoch end (confusion, predictions, histograms, weights). */
  saveInsight(runId: string, insight: EpochInsight): void
}

export interface MemoryRun {
  status: RunStatus
  info: StatusInfo | undefined
  /** Every status in order, for tests. */
  history: RunStatus[]
  steps: StepEvent[]
  epochs: EpochEvent[]
  start: StartEvent | null
  checkpoints: Partial<Record<CheckpointKind, Checkpoint>>
  artifacts: Partial<Record<ArtifactKind, Uint8Array>>
  insights: EpochInsight[]
}

export class MemoryRunSink implements RunSink {
  readonly runs = new Map<string, MemoryRun>()

  run(runId: string): MemoryRun {
    let r = this.runs.get(runId)
    if (!r) {
      r = { status: 'queued', info: undefined, history: [], steps: [], epochs: [], start: null, checkpoints: {}, artifacts: {}, insights: [] }
      this.runs.set(runId, r)
    }
    return r
  }

  setStatus(runId: string, status: RunStatus, info?: StatusInfo): void {
    const r = this.run(runId)
    r.status = status
    r.info = info
    r.history.push(status)
  }

  appendSteps(runId: string, steps: StepEvent[]): void {
    this.run(runId).steps.push(...steps)
  }

  appendEpoch(runId: string, epoch: EpochEvent): void {
    this.run(runId).epochs.push(epoch)
  }

  recordStart(runId: string, start: StartEvent): void {
    this.run(runId).start = start
  }

  saveCheckpoint(runId: string, kind: CheckpointKind, checkpoint: Checkpoint): void {
    this.run(runId).checkpoints[kind] = checkpoint
  }

  saveArtifact(runId: string, kind: ArtifactKind, stateDict: Uint8Array): void {
    this.run(runId).artifacts[kind] = stateDict
  }

  loadCheckpoint(runId: string, kind: 'latest'): Checkpoint | null {
    return this.runs.get(runId)?.checkpoints[kind] ?? null
  }

  saveInsight(runId: string, insight: EpochInsight): void {
    const list = this.run(runId).insights
    const at = list.findIndex((i) => i.epoch === insight.epoch)
    if (at >= 0) list[at] = insight
    else list.push(insight)
  }
}

const STATE_MAGIC = 'TTMISTAT'

/**
 * Weights to bytes: magic "TTMISTAT", u32 header length, JSON header {name: {shape, offset, length}},
 * then float32 little-endian data (the engine's parameters are float32; number[] entries are converted).
 */
export function encodeStateDict(state: StateDict): Uint8Array {
  const header: Record<string, { shape: number[]; offset: number; length: number }> = {}
  let total = 0
  for (const [name, entry] of Object.entries(state)) {
    header[name] = { shape: entry.shape, offset: total, length: entry.data.length }
    total += entry.data.length
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const dataStart = (12 + headerBytes.length + 3) & ~3
  const out = new Uint8Array(dataStart + total * 4)
  out.set(new TextEncoder().encode(STATE_MAGIC), 0)
  new DataView(out.buffer).setUint32(8, headerBytes.length, true)
  out.set(headerBytes, 12)
  const data = new Float32Array(out.buffer, dataStart, total)
  for (const [name, entry] of Object.entries(state)) data.set(entry.data, header[name].offset)
  return out
}

export function decodeStateDict(bytes: Uint8Array): StateDict {
  if (bytes.length < 12 || new TextDecoder().decode(bytes.subarray(0, 8)) !== STATE_MAGIC) throw new Error('weights: not Tatami state-dict bytes (bad magic)')
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8, true)
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(12, 12 + headerLength))) as Record<string, { shape: number[]; offset: number; length: number }>
  const dataStart = (12 + headerLength + 3) & ~3
  const copy = bytes.slice(dataStart)
  const data = new Float32Array(copy.buffer, 0, copy.byteLength >> 2)
  const out: StateDict = {}
  for (const [name, h] of Object.entries(header)) out[name] = { shape: h.shape, data: data.slice(h.offset, h.offset + h.length) }
  return out
}
