import type { Checkpoint } from './checkpoint'
import type { EpochInsight } from './insight'

/** How a training run ended. */
export type TrainOutcome = 'completed' | 'early_stopped' | 'diverged' | 'stopped' | 'paused'

/** Everything train() reports, in order: start, then steps and epochs, checkpoints, and one done. */
export type TrainEvent =
  | {
      type: 'start'
      epochs: number
      stepsPerEpoch: number
      trainSize: number
      validationSize: number
      parameterCount: number
      backend: string
      dtype: string
      /** Where a resumed run picks up; null for a fresh run. */
      resumedAt: { epoch: number; step: number } | null
    }
  | {
      type: 'step'
      /** 0-based epoch and global step (the step just taken). */
      epoch: number
      step: number
      loss: number
      accuracy: number
      lr: number
      /** Training throughput over the steps since the last step event. */
      imagesPerSecond: number
      /** Wall time this run has spent training so far, across pauses and resumes (ms). */
      elapsedMs: number
    }
  | {
      type: 'epoch'
      epoch: number
      step: number
      trainLoss: number
      trainAccuracy: number
      /** null when there is no validation split. */
      valLoss: number | null
      valAccuracy: number | null
      lr: number
      seconds: number
      imagesPerSecond: number
      /** This epoch is the best so far on the early-stopping (or validation-loss) metric. */
      isBest: boolean
      /** Wall time this run has spent training so far, validation included, across resumes (ms). */
      elapsedMs: number
    }
  /** Right after a validated 'epoch' when the trainer records insights (TrainerOptions.recordInsights). */
  | { type: 'insight'; insight: EpochInsight }
  /** 'end' comes once, just before 'done', when training completed or stopped early: the final weights. */
  | { type: 'checkpoint'; reason: 'epoch' | 'pause' | 'stop' | 'end'; checkpoint: Checkpoint }
  | {
      type: 'done'
      outcome: TrainOutcome
      /** Epochs fully completed. */
      epochsCompleted: number
      step: number
      bestEpoch: number | null
      bestValLoss: number | null
      bestValAccuracy: number | null
      /** Why, in words, e.g. "loss became NaN at step 412 (epoch 3)". */
      message: string
      /** The kernel backend this session computed with (as in 'start'). */
      backend?: string
    }
