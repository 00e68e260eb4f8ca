/**
 * RunManager: queues runs and trains each in its own engine process (through an injected launcher),
 * with a concurrency limit. Everything it learns goes to a RunSink; subscribers get status, step
 * batches and epochs. An engine process that goes away without a 'done' leaves its run
 * 'interrupted' with every metric received so far; the manager carries on with the other runs.
 */
import os from 'node:os'
import { serializeError, type FromEngine, type StepEvent } from '../../src-engine/protocol'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import type { Checkpoint } from '../../src-engine/train/checkpoint'
import type { StateDict } from '../../src-engine/network'
import type { KernelBackendChoice } from '../../src-engine/kernels/backend'
import type { TrainEvent, TrainOutcome } from '../../src-engine/train/events'
import type { EngineLauncher, EngineProcess } from './launcher'
import { encodeStateDict, type EpochEvent, type RunSink, type RunStatus, type StartEvent, type StatusInfo } from './run-sink'

export interface RunRequest {
  runId: string
  network: NetworkSpec
  training: TrainConfig
  /** Continue from this checkpoint instead of starting fresh. */
  resumeFrom?: Checkpoint
  /** Fine-tune: start from these weights (e.g. an imported model) instead of fresh ones. */
  initialWeights?: StateDict
}

export interface RunManagerOptions {
  launcher: EngineLauncher
  sink: RunSink
  /** Runs training at once; default: the number of CPU cores. */
  concurrency?: number
  /** Passed to the engine (folder holding datasets/ and wasm/). */
  resourcesDir?: string
  /** Passed to the engine: the dataset library folder (imported datasets). */
  datasetsDir?: string
  /** Kernel backend of every engine; default 'auto' (the fastest the engine's runtime supports). */
  backend?: KernelBackendChoice
  /**
   * Threads per engine (the wasm kernels can split their work with a helper thread). 'auto'
   * (default): see chooseThreads(). 1 or 2: always that many.
   */
  engineThreads?: 'auto' | 1 | 2
  /** CPU cores the policy counts on; default: os.availableParallelism(). */
  cores?: number
  /**
   * How long a running engine has to answer a stop request before it is killed and the run ends
   * 'stopped' at its last checkpoint (an engine hung in a kernel, or frozen); default 60 s.
   */
  stopGraceMs?: number
}

const DEFAULT_STOP_GRACE_MS = 60_000

export interface RunManagerEvents {
  status: { runId: string; status: RunStatus; info?: StatusInfo }
  steps: { runId: string; steps: StepEvent[] }
  epoch: { runId: string; epoch: EpochEvent }
  /** An epoch's insight was stored (after its 'epoch'), so the inspect views can show it. */
  insight: { runId: string; epoch: number }
  start: { runId: string; start: StartEvent }
}

type Listener<K extends keyof RunManagerEvents> = (e: RunManagerEvents[K]) => void

interface RunState {
  request: RunRequest
  status: RunStatus
  process: EngineProcess | null
  /** What we asked the live process to do, so its end is read correctly. */
  requested: 'pause' | 'stop' | null
  /** The engine's 'done' or 'error' arrived: the process exiting afterwards is expected. */
  finished: boolean
  lastCheckpoint: Checkpoint | null
  lastEpochWasBest: boolean
  /** Kills an engine that does not answer a stop request in time. */
  stopTimer: ReturnType<typeof setTimeout> | null
}

const OUTCOME_STATUS: Record<TrainOutcome, RunStatus> = {
  completed: 'completed',
  early_stopped: 'completed',
  diverged: 'diverged',
  stopped: 'stopped',
  paused: 'paused'
}

export function defaultConcurrency(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length)
}

export class RunManager {
  readonly concurrency: number
  private readonly launcher: EngineLauncher
  private readonly sink: RunSink
  private readonly resourcesDir: string | undefined
  private readonly datasetsDir: string | undefined
  private readonly backend: KernelBackendChoice | undefined
  private readonly engineThreads: 'auto' | 1 | 2
  private readonly cores: number
  private readonly stopGraceMs: number
  private readonly runs = new Map<string, RunState>()
  private readonly queue: string[] = []
  private readonly listeners: { [K in keyof RunManagerEvents]: Set<Listener<K>> } = { status: new Set(), steps: new Set(), epoch: new Set(), start: new Set(), insight: new Set() }
  private closed = false

  constructor(options: RunManagerOptions) {
    this.launcher = options.launcher
    this.sink = options.sink
    this.resourcesDir = options.resourcesDir
    this.datasetsDir = options.datasetsDir
    this.backend = options.backend
    this.engineThreads = options.engineThreads ?? 'auto'
    this.cores = options.cores ?? defaultConcurrency()
    this.stopGraceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? defaultConcurrency()))
  }

  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof RunManagerEvents>(event: K, cb: Listener<K>): () => void {
    const set = this.listeners[event] as Set<Listener<K>>
    set.add(cb)
    return () => {
      set.delete(cb)
    }
  }

  /** Queues a run (it starts as soon as a slot is free). */
  enqueue(request: RunRequest): void {
    if (this.closed) throw new Error('run manager is shut down')
    const existing = this.runs.get(request.runId)
    if (existing && (existing.status === 'queued' || existing.status === 'running')) throw new Error(`run ${request.runId} is already ${existing.status}`)
    this.runs.set(request.runId, {
      request,
      status: 'queued',
      process: null,
      requested: null,
      finished: false,
      lastCheckpoint: request.resumeFrom ?? null,
      lastEpochWasBest: false,
      stopTimer: null
    })
    this.queue.push(request.runId)
    this.setStatus(request.runId, 'queued')
    this.pump()
  }

  status(runId: string): RunStatus | undefined {
    return this.runs.get(runId)?.status
  }

  /** The engine process id of a running run (for diagnostics and fault tests). */
  pid(runId: string): number | undefined {
    return this.runs.get(runId)?.process?.pid
  }

  /** Resolves when the run reaches a status other than queued/running (immediately if it is there already). */
  settled(runId: string): Promise<RunStatus> {
    const now = this.runs.get(runId)?.status
    if (now === undefined) return Promise.reject(new Error(`unknown run ${runId}`))
    if (now !== 'queued' && now !== 'running') return Promise.resolve(now)
    return new Promise((resolve) => {
      const off = this.on('status', (e) => {
        if (e.runId === runId && e.status !== 'queued' && e.status !== 'running') {
          off()
          resolve(e.status)
        }
      })
    })
  }

  /** A running run checkpoints and ends as 'paused'; a queued one leaves the queue as 'paused'. */
  pause(runId: string): void {
    const run = this.get(runId)
    if (run.status === 'queued') {
      this.dequeue(runId)
      this.setStatus(runId, 'paused', { message: 'paused before it started' })
    } else if (run.status === 'running' && run.process && !run.finished) {
      run.requested = 'pause'
      run.process.send({ type: 'pause' })
    } else {
      throw new Error(`run ${runId} is ${run.status}; only queued or running runs can be paused`)
    }
  }

  /** A paused or interrupted run is queued again and continues from its latest checkpoint (or from the start if it has none). */
  resume(runId: string, request?: Omit<RunRequest, 'runId' | 'resumeFrom'>): void {
    const run = this.runs.get(runId)
    if (run && run.status !== 'paused' && run.status !== 'interrupted') throw new Error(`run ${runId} is ${run.status}; only paused or interrupted runs can be resumed`)
    const base = request ?? run?.request
    if (!base) throw new Error(`unknown run ${runId}: pass its network and training to resume it`)
    const checkpoint = this.sink.loadCheckpoint(runId, 'latest')
    this.enqueue({ runId, network: base.network, training: base.training, ...(checkpoint ? { resumeFrom: checkpoint } : {}) })
  }

  /** A running run checkpoints and ends as 'stopped'; a queued or paused one is marked 'stopped'. */
  stop(runId: string): void {
    const run = this.get(runId)
    if (run.status === 'queued' || run.status === 'paused' || run.status === 'interrupted') {
      this.dequeue(runId)
      this.setStatus(runId, 'stopped', { message: 'stopped on request' })
    } else if (run.status === 'running' && run.process && !run.finished) {
      run.requested = 'stop'
      run.process.send({ type: 'stop' })
      const proc = run.process
      run.stopTimer ??= setTimeout(() => this.forceStop(runId, proc), this.stopGraceMs)
    }
  }

  /** The engine did not answer a stop request: end it; the run keeps what was recorded up to its last checkpoint. */
  private forceStop(runId: string, proc: EngineProcess): void {
    const run = this.get(runId)
    run.stopTimer = null
    if (run.process !== proc || run.finished) return
    run.process = null
    proc.kill('SIGKILL')
    const cp = run.lastCheckpoint
    const at = cp ? `its last checkpoint (after ${cp.epoch} epochs, step ${cp.globalStep})` : 'no checkpoint (it had not finished an epoch)'
    this.finishRun(runId, 'stopped', { message: `the engine did not answer the stop request within ${Math.round(this.stopGraceMs / 1000)} s and was ended; the run keeps ${at}` })
  }

  /** Kills every engine process; their runs become 'interrupted' (resumable), queued runs stay queued in the sink. */
  shutdown(): void {
    this.closed = true
    this.queue.length = 0
    for (const [runId, run] of this.runs) {
      if (run.process) {
        const proc = run.process
        if (run.status === 'running') this.finishRun(runId, 'interrupted', { message: 'the run manager shut down' })
        proc.kill('SIGKILL')
      }
    }
  }

  private get(runId: string): RunState {
    const run = this.runs.get(runId)
    if (!run) throw new Error(`unknown run ${runId}`)
    return run
  }

  private dequeue(runId: string): void {
    const i = this.queue.indexOf(runId)
    if (i >= 0) this.queue.splice(i, 1)
  }

  private runningCount(): number {
    let n = 0
    for (const run of this.runs.values()) if (run.status === 'running') n++
    return n
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0 && this.runningCount() < this.concurrency) this.launch(this.queue.shift()!)
  }

  private launch(runId: string): void {
    const run = this.get(runId)
    run.requested = null
    run.finished = false
    let proc: EngineProcess
    try {
      proc = this.launcher()
    } catch (err) {
      this.finishRun(runId, 'failed', { error: serializeError(err), message: 'could not start the engine process' })
      return
    }
    run.process = proc
    this.setStatus(runId, 'running')
    proc.onMessage((m) => {
      if (run.process !== proc) return
      try {
        this.handleMessage(runId, run, m)
      } catch (err) {
        this.recordingFailed(runId, err)
      }
    })
    proc.onExit((code, signal) => {
      if (run.process !== proc) return
      run.process = null
      if (!run.finished && run.status === 'running') {
        const how = signal ? `signal ${signal}` : `code ${String(code)}`
        try {
          this.finishRun(runId, 'interrupted', { message: `engine process exited with ${how} before finishing`, exitCode: code, signal })
        } catch (err) {
          this.recordingFailed(runId, err)
        }
      }
    })
  }

  /**
   * Threads for an engine about to start. The policy ('auto'): one run using both cores when it is
   * alone, one core per run when several share the machine. A run gets 2 threads when the machine
   * has at least 2 cores and, as it starts, no other run is running or queued; otherwise 1. The
   * choice holds for the life of the engine process: a run queued later starts with 1 thread beside
   * it (three threads on two cores until the first run ends, pauses or is stopped); a resumed run
   * chooses again.
   */
  private chooseThreads(): 1 | 2 {
    if (this.engineThreads !== 'auto') return this.engineThreads
    return this.cores >= 2 && this.runningCount() === 1 && this.queue.length === 0 ? 2 : 1
  }

  private handleMessage(runId: string, run: RunState, m: FromEngine): void {
    if (run.finished) return
    switch (m.type) {
      case 'ready':
        run.process?.send({
          type: 'start',
          network: run.request.network,
          training: run.request.training,
          ...(this.resourcesDir ? { resourcesDir: this.resourcesDir } : {}),
          ...(this.datasetsDir ? { datasetsDir: this.datasetsDir } : {}),
          ...(this.backend ? { backend: this.backend } : {}),
          threads: this.chooseThreads(),
          ...(run.request.resumeFrom ? { resumeFrom: run.request.resumeFrom } : {}),
          ...(run.request.initialWeights ? { initialWeights: run.request.initialWeights } : {})
        })
        break
      case 'steps':
        this.sink.appendSteps(runId, m.steps)
        this.emit('steps', { runId, steps: m.steps })
        break
      case 'event':
        this.handleEvent(runId, run, m.event)
        break
      case 'error':
        this.finishRun(runId, 'failed', { error: m.error, message: m.error.message })
        break
    }
  }

  private handleEvent(runId: string, run: RunState, event: Exclude<TrainEvent, StepEvent>): void {
    switch (event.type) {
      case 'start':
        this.sink.recordStart(runId, event)
        this.emit('start', { runId, start: event })
        break
      case 'epoch':
        run.lastEpochWasBest = event.isBest
        this.sink.appendEpoch(runId, event)
        this.emit('epoch', { runId, epoch: event })
        break
      case 'insight':
        this.sink.saveInsight(runId, event.insight)
        this.emit('insight', { runId, epoch: event.insight.epoch })
        break
      case 'checkpoint':
        run.lastCheckpoint = event.checkpoint
        this.sink.saveCheckpoint(runId, 'latest', event.checkpoint)
        if ((event.reason === 'epoch' || event.reason === 'end') && run.lastEpochWasBest) this.sink.saveCheckpoint(runId, 'best', event.checkpoint)
        break
      case 'done': {
        // Weights of the run's end: the engine sends a checkpoint at that step before 'done'
        // (reason 'end' for completed or early-stopped runs, 'stop' for stopped ones).
        const cp = run.lastCheckpoint
        if (cp && cp.globalStep === event.step && event.outcome !== 'paused') {
          this.sink.saveArtifact(runId, 'final', encodeStateDict(cp.weights))
          if (cp.bestWeights) this.sink.saveArtifact(runId, 'best', encodeStateDict(cp.bestWeights))
        }
        this.finishRun(runId, OUTCOME_STATUS[event.outcome], { message: event.message, outcome: event.outcome, done: event })
        break
      }
    }
  }

  /**
   * The sink could not record the run (a full disk, a locked or read-only database): stop its engine
   * rather than train on without a record, report it as failed where possible, and go on with the queue.
   */
  private recordingFailed(runId: string, err: unknown): void {
    const run = this.get(runId)
    const proc = run.process
    run.process = null
    run.finished = true
    proc?.kill()
    const error = serializeError(err)
    const info: StatusInfo = { error, message: `could not record the run: ${error.message}` }
    run.status = 'failed'
    try {
      this.sink.setStatus(runId, 'failed', info)
    } catch {
      // The store is unusable; subscribers still hear about it below.
    }
    this.emit('status', { runId, status: 'failed', info })
    this.pump()
  }

  /** Sets a final status, ends the engine process, and frees the slot for the next queued run. */
  private finishRun(runId: string, status: RunStatus, info: StatusInfo): void {
    const run = this.get(runId)
    run.finished = true
    if (run.stopTimer) clearTimeout(run.stopTimer)
    run.stopTimer = null
    const proc = run.process
    run.process = null
    this.setStatus(runId, status, info)
    proc?.kill()
    this.pump()
  }

  private setStatus(runId: string, status: RunStatus, info?: StatusInfo): void {
    const run = this.runs.get(runId)
    if (run) run.status = status
    this.sink.setStatus(runId, status, info)
    this.emit('status', info ? { runId, status, info } : { runId, status })
  }

  private emit<K extends keyof RunManagerEvents>(event: K, payload: RunManagerEvents[K]): void {
    for (const cb of this.listeners[event] as Set<Listener<K>>) cb(payload)
  }
}

