/**
 * The inspect:* channels (contract/inspect-types.ts): what a run recorded at each epoch end, read from
 * the store, and forward passes and sample pixels, computed by the inspector process.
 */
import type {
  ConfusionMatrix,
  FilterBank,
  FiltersResponse,
  ForwardRequest,
  ForwardResponse,
  HistogramsResponse,
  InspectOverview,
  InspectSample,
  ParameterHistory,
  SampleFilter,
  SamplesPage,
  SamplesRequest,
  WeightsChoice
} from '../contract/inspect-types'
import type { StateDict } from '../../src-engine/network'
import { decodeStateDict } from '../runs/run-sink'
import type { RunStore } from '../store/run-store'
import type { InsightRecord, RunRecord } from '../store/types'
import { describeDataset, type DatasetContext } from '../data/datasets'
import { NotFoundError } from '../services/service-errors'
import type { InspectorClient } from './inspector-client'

export interface InspectServiceDeps {
  store: RunStore
  inspector: InspectorClient
  datasets: DatasetContext
}

export interface InspectService {
  overview(runId: number): Promise<InspectOverview>
  confusion(runId: number, epoch: number): Promise<ConfusionMatrix>
  samples(request: SamplesRequest): Promise<SamplesPage>
  filters(runId: number, weights: WeightsChoice): Promise<FiltersResponse>
  forward(request: ForwardRequest): Promise<ForwardResponse>
  histograms(runId: number): Promise<HistogramsResponse>
}

const DEFAULT_PAGE = 48
export const MAX_PAGE = 500

export function createInspectService({ store, inspector, datasets }: InspectServiceDeps): InspectService {
  const requireRun = (runId: number): RunRecord => {
    const run = store.getRun(runId)
    if (!run) throw new NotFoundError(`run ${runId} does not exist`)
    return run
  }

  const noInsight = (run: RunRecord, epoch: number): NotFoundError => {
    const recorded = store.insightEpochs(run.id)
    const which = recorded.length ? `recorded epochs: ${recorded.map((e) => e + 1).join(', ')}` : 'nothing was recorded for it (no validation split, or trained before Tatami recorded insights)'
    return new NotFoundError(`run ${run.id} has no record of epoch ${epoch + 1}; ${which}`)
  }

  const requireInsight = (run: RunRecord, epoch: number): InsightRecord => {
    const insight = store.loadInsight(run.id, epoch)
    if (!insight) throw noInsight(run, epoch)
    return insight
  }

  const classNames = async (run: RunRecord, count: number): Promise<string[]> => {
    const info = await describeDataset(run.training.dataset.id, datasets).catch(() => null)
    const names = info?.classes
    return names && names.length === count ? names : Array.from({ length: count }, (_, i) => String(i))
  }

  const noArtifact = (run: RunRecord, kind: Exclude<WeightsChoice, object>): NotFoundError =>
    new NotFoundError(`run ${run.id} has no ${kind} weights${run.status === 'running' || run.status === 'queued' ? ' yet (it has not finished)' : ''}`)

  /** Epoch weights that were never recorded, or were thinned out of a long run. */
  const noEpochWeights = (run: RunRecord, epoch: number): NotFoundError => {
    if (!store.insightEpochs(run.id).includes(epoch)) return noInsight(run, epoch)
    const kept = store.weightEpochs(run.id)
    return new NotFoundError(`run ${run.id} kept no weights of epoch ${epoch + 1} (a long run keeps evenly spaced epochs); epochs with weights: ${kept.map((e) => e + 1).join(', ')}`)
  }

  const weightsOf = (run: RunRecord, choice: WeightsChoice): StateDict => {
    if (typeof choice === 'object') {
      const bytes = store.loadEpochWeights(run.id, choice.epoch)
      if (!bytes) throw noEpochWeights(run, choice.epoch)
      return decodeStateDict(bytes)
    }
    const artifact = store.loadArtifact(run.id, choice)
    if (!artifact) throw noArtifact(run, choice)
    return decodeStateDict(artifact.bytes)
  }

  /** Identifies one version of a run's weights: the same key is never reused for other weights. */
  const modelKey = (run: RunRecord, choice: WeightsChoice): string => {
    const stamp = store.weightsStamp(run.id, typeof choice === 'object' ? { epoch: choice.epoch } : { artifact: choice })
    if (stamp === null) throw typeof choice === 'object' ? noEpochWeights(run, choice.epoch) : noArtifact(run, choice)
    return `${run.id}:${typeof choice === 'object' ? `epoch-${choice.epoch}` : choice}:${stamp}`
  }

  return {
    async overview(runId) {
      const run = requireRun(runId)
      const epochs = store.insightEpochs(runId)
      const last = epochs.length ? store.loadInsight(runId, epochs[epochs.length - 1]) : null
      const artifacts = new Set(store.listArtifacts(runId).map((a) => a.kind))
      const classes = last ? last.classes : outputSize(run)
      return {
        runId,
        epochs,
        weightEpochs: store.weightEpochs(runId),
        classes: await classNames(run, classes),
        inputShape: run.network.input.shape.slice(),
        validationSize: last ? last.labels.length : (run.summary?.validationSize ?? 0),
        hasFinal: artifacts.has('final'),
        hasBest: artifacts.has('best'),
        scoreKind: last ? last.scoreKind : run.training.loss === 'cross_entropy' || run.network.layers.at(-1)?.type === 'softmax' ? 'probability' : 'output'
      }
    },

    async confusion(runId, epoch) {
      const run = requireRun(runId)
      const insight = requireInsight(run, epoch)
      const c = insight.classes
      const counts = Array.from({ length: c }, (_, t) => Array.from(insight.confusion.subarray(t * c, (t + 1) * c)))
      const total = counts.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0)
      const correct = counts.reduce((s, row, t) => s + row[t], 0)
      return {
        epoch,
        classes: await classNames(run, c),
        counts,
        total,
        accuracy: total ? correct / total : 0,
        perClassAccuracy: counts.map((row, t) => {
          const n = row.reduce((a, b) => a + b, 0)
          return n ? row[t] / n : null
        })
      }
    },

    async samples(request) {
      const run = requireRun(request.runId)
      const insight = requireInsight(run, request.epoch)
      const { k, labels, topLabels, topScores } = insight
      const matching = selectSamples(insight, request.filter)
      const offset = request.offset ?? 0
      const page = matching.slice(offset, offset + Math.min(request.limit ?? DEFAULT_PAGE, MAX_PAGE))
      const read = page.length ? await inspector.samples(run.training, page) : { shape: run.network.input.shape.slice(), samples: [] }
      const samples: InspectSample[] = read.samples.map((s) => {
        if (s.label !== labels[s.index]) {
          throw new Error(`run ${run.id}: validation sample ${s.index} is labelled ${s.label} in the data but ${labels[s.index]} in what was recorded; the data changed`)
        }
        return {
          index: s.index,
          label: s.label,
          predicted: topLabels[s.index * k],
          top: Array.from({ length: k }, (_, r) => ({ label: topLabels[s.index * k + r], score: topScores[s.index * k + r] })),
          pixels: s.pixels
        }
      })
      return { epoch: request.epoch, shape: read.shape, classes: await classNames(run, insight.classes), total: matching.length, samples }
    },

    async filters(runId, weights) {
      const run = requireRun(runId)
      const state = weightsOf(run, weights)
      const banks: FilterBank[] = []
      run.network.layers.forEach((layer, index) => {
        if (layer.type !== 'conv2d') return
        const entry = state[`${index}.weight`]
        if (!entry || entry.shape.length !== 4) return
        const [outChannels, inChannels, kernelH, kernelW] = entry.shape
        const values = Array.from(entry.data)
        banks.push({ layer: index, name: `${index}.weight`, outChannels, inChannels, kernelH, kernelW, weights: values, maxAbs: values.reduce((m, v) => Math.max(m, Math.abs(v)), 0) })
      })
      return { weights, banks }
    },

    async forward(request) {
      const run = requireRun(request.runId)
      const key = modelKey(run, request.weights)
      const result = await inspector.forward(key, () => ({ key, network: run.network, training: run.training, weights: weightsOf(run, request.weights) }), request.input)
      return { ...result, classes: await classNames(run, result.scores.length) }
    },

    async histograms(runId) {
      const run = requireRun(runId)
      const byName = new Map<string, ParameterHistory>()
      for (const { epoch, histograms } of store.insightHistograms(runId)) {
        for (const h of histograms) {
          let p = byName.get(h.name)
          if (!p) {
            p = { name: h.name, layer: h.layer, layerType: run.network.layers[h.layer]?.type ?? 'unknown', epochs: [] }
            byName.set(h.name, p)
          }
          p.epochs.push({ epoch, weights: h.weights, gradients: h.gradients })
        }
      }
      return { parameters: [...byName.values()] }
    }
  }
}

/** Validation samples (indices) matching a filter, the most confident prediction first, ties by index (stable pages). */
export function selectSamples(insight: Pick<InsightRecord, 'k' | 'labels' | 'topLabels' | 'topScores'>, filter: SampleFilter): number[] {
  const { k, labels, topLabels, topScores } = insight
  const matching: number[] = []
  for (let i = 0; i < labels.length; i++) {
    const predicted = topLabels[i * k]
    const keep = filter.kind === 'mistakes' ? predicted !== labels[i] : labels[i] === filter.trueLabel && predicted === filter.predicted
    if (keep) matching.push(i)
  }
  return matching.sort((a, b) => topScores[b * k] - topScores[a * k] || a - b)
}

/** Classes the network predicts (its output size), for runs with nothing recorded yet. */
function outputSize(run: RunRecord): number {
  const dense = [...run.network.layers].reverse().find((l) => l.type === 'dense') as { units?: number } | undefined
  return dense?.units ?? 0
}
