/**
 * exportRun: a run's weights (final or best) with its spec, training config, input normalizer and
 * metrics summary, written as ONNX, a PyTorch folder or a Tatami model file, atomically.
 */
import { dirname, join, resolve } from 'node:path'
import type { RunStore } from '../store/run-store'
import type { RunRecord } from '../store/types'
import { decodeStateDict } from '../runs/run-sink'
import { decodeCheckpoint, type Checkpoint } from '../../src-engine/train/checkpoint'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import type { StateDict } from '../../src-engine/network'
import type { ExportedModel, ExportFormat, WeightsChoice } from '../../src-engine/export/exported-model'
import { exportOnnx } from '../../src-engine/export/onnx'
import { exportPytorch } from '../../src-engine/export/pytorch'
import { encodeTatamiModel, TATAMI_EXTENSION } from '../../src-engine/export/tatami-format'
import { writeFileAtomic, writeFolderAtomic } from './atomic-write'

export interface ExportRunOptions {
  format: ExportFormat
  weights: WeightsChoice
  /** File (onnx, tatami) or folder (pytorch); default: exports/<descriptive name> next to the database. */
  outPath?: string
}

export interface ExportResult {
  path: string
  bytes: number
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ExportError'
  }
}

/**
 * The run's model. Final weights: the weights stored when the run ended, else (a paused, stopped or
 * interrupted run) those of its latest checkpoint. Best weights: those of its best validation epoch.
 */
export function modelOfRun(store: RunStore, runId: number, weights: WeightsChoice): ExportedModel {
  const run = store.getRun(runId)
  if (!run) throw new ExportError(`run ${runId} does not exist`)
  const latestRow = store.loadCheckpoint(runId, 'latest')
  const latest: Checkpoint | null = latestRow ? decodeCheckpoint(latestRow.bytes, `run ${runId}'s latest checkpoint`) : null
  const artifact = store.loadArtifact(runId, weights)
  let state: StateDict | null = artifact ? decodeStateDict(artifact.bytes) : null
  if (!state && latest) state = weights === 'final' ? latest.weights : latest.bestWeights
  if (!state) {
    throw new ExportError(
      weights === 'best'
        ? `run ${runId} (${run.status}) has no best weights yet: no validation epoch has finished`
        : `run ${runId} (${run.status}) has no weights yet: it has not finished an epoch or been paused`
    )
  }
  const analysis = analyzeNetwork(latest?.spec ?? run.network)
  if (!analysis.ok || !analysis.spec) throw new ExportError(`run ${runId}: its network spec is invalid: ${analysis.issues.map((i) => i.message).join('; ')}`)
  return {
    spec: { ...analysis.spec, name: analysis.spec.name ?? run.name },
    weights: state,
    training: run.training,
    normalizer: latest?.normalizer ?? null,
    summary: run.summary ? { ...run.summary, bestEpoch: run.bestEpoch } : null,
    source: { runId, runName: run.name, weights, dataset: run.dataset, exportedAt: new Date().toISOString() }
  }
}

/** "run-3-shapes-quick-best.onnx" (or a folder "run-3-shapes-quick-best-pytorch"). */
export function defaultExportName(run: Pick<RunRecord, 'id' | 'name'>, format: ExportFormat, weights: WeightsChoice): string {
  const slug = run.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'model'
  const base = `run-${run.id}-${slug}-${weights}`
  return format === 'onnx' ? `${base}.onnx` : format === 'tatami' ? `${base}${TATAMI_EXTENSION}` : `${base}-pytorch`
}

/** Where exports go when no path is given: exports/ next to the run database. */
export function exportsDir(dbPath: string): string {
  return join(dirname(resolve(dbPath)), 'exports')
}

export function defaultExportPath(store: RunStore, run: Pick<RunRecord, 'id' | 'name'>, format: ExportFormat, weights: WeightsChoice): string {
  return join(exportsDir(store.path), defaultExportName(run, format, weights))
}

export function exportRun(store: RunStore, runId: number, options: ExportRunOptions): ExportResult {
  const model = modelOfRun(store, runId, options.weights)
  const path = resolve(options.outPath ?? defaultExportPath(store, { id: runId, name: model.source.runName ?? 'model' }, options.format, options.weights))
  switch (options.format) {
    case 'onnx':
      return { path, bytes: writeFileAtomic(path, exportOnnx(model)) }
    case 'tatami':
      return { path, bytes: writeFileAtomic(path, encodeTatamiModel(model)) }
    case 'pytorch':
      return { path, bytes: writeFolderAtomic(path, exportPytorch(model)) }
  }
}
