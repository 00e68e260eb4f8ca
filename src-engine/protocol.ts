/**
 * Messages between a run manager and an engine process: one union each way, each with a literal
 * `type`, plain data only (structured-clone friendly), errors as data.
 */
import type { NetworkSpec } from './spec/network-spec'
import type { TrainConfig } from './train/train-config'
import type { TrainEvent } from './train/events'
import type { Checkpoint } from './train/checkpoint'
import type { StateDict } from './network'
import type { KernelBackendChoice } from './kernels/backend'

export type StepEvent = Extract<TrainEvent, { type: 'step' }>

export type ToEngine =
  | {
      type: 'start'
      network: NetworkSpec
      training: TrainConfig
      /** Folder holding datasets/ (the bundled MNIST); default: the repository's resources/. */
      resourcesDir?: string
      /** The dataset library folder, where ids that are not built in are looked up. */
      datasetsDir?: string
      resumeFrom?: Checkpoint
      /** Fine-tune: start from these weights instead of fresh ones. */
      initialWeights?: StateDict
      /** Kernel backend for this engine; default 'auto' (the fastest this runtime supports). */
      backend?: KernelBackendChoice
      /** Threads for the wasm kernels (2: a helper thread on shared memory); default 1. */
      threads?: 1 | 2
    }
  | { type: 'pause' }
  | { type: 'stop' }

export interface SerializedError {
  name: string
  message: string
  stack?: string
}

export type FromEngine =
  | { type: 'ready' }
  /** Step metrics, batched: a few messages a second rather than one per step. */
  | { type: 'steps'; steps: StepEvent[] }
  | { type: 'event'; event: Exclude<TrainEvent, StepEvent> }
  | { type: 'error'; error: SerializedError }

export function serializeError(err: unknown): SerializedError {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack }
  return { name: 'Error', message: String(err) }
}
