/**
 * The study channels: preview (variants, run count, time estimate), start (one experiment, one queued
 * run per variant and seed), list, and report (curves, ranking, summary in words).
 */
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import { validateTrainConfig } from '../../src-engine/train/train-config'
import { describeDataset, stampDatasetHash, type DatasetContext } from '../data/datasets'
import type { RunStore } from '../store/run-store'
import type { RunRecord } from '../store/types'
import { InvalidRequestError, NotFoundError } from '../services/service-errors'
import { DEFAULT_MACS_PER_SECOND, estimateSeconds, measuredMacsPerSecond, runShape } from './estimate'
import { buildStudyVariants, repeatSeeds, studyTitle } from './study-kinds'
import { rankVariants, runEnded, summarizeStudy, variantResult, type RunOutcome } from './study-report'
import { STUDY_KINDS, type EpochPoint, type StudyDefinition, type StudyKind, type StudyListItem, type StudyPreview, type StudyReport, type StudyRequest } from './study-types'

export interface StudyDeps {
  store: RunStore
  /** Queue a created run for training. */
  enqueue: (run: RunRecord) => void
  /** Runs that train at once (the run manager's limit). */
  concurrency: number
  /** Where datasets are looked up (sizes for the estimate, content hashes for the runs). */
  datasets: DatasetContext
}

export function createStudyService(deps: StudyDeps) {
  const { store } = deps

  /** Training samples of a dataset (its train part; validation is split from it), null when unknown. */
  const sizes = new Map<string, number | null>()
  async function datasetSize(id: string): Promise<number | null> {
    if (!sizes.has(id)) sizes.set(id, (await describeDataset(id, deps.datasets))?.counts?.train ?? null)
    return sizes.get(id)!
  }

  async function throughput(): Promise<{ macsPerSecond: number; basis: string }> {
    const recent = store.listRuns({ status: 'completed', limit: 20 }).rows
    const finished: { shape: ReturnType<typeof runShape>; seconds: number }[] = []
    for (const r of recent) {
      if (r.startedAt === null || r.finishedAt === null) continue
      const epochs = r.summary?.epochsCompleted ?? r.training.epochs
      finished.push({ shape: { ...runShape(r, await datasetSize(r.dataset)), epochs }, seconds: (r.finishedAt - r.startedAt) / 1000 })
    }
    const measured = measuredMacsPerSecond(finished)
    if (measured === null) {
      const why = finished.length === 0 ? 'no finished runs yet' : 'finished runs too short to measure'
      return { macsPerSecond: DEFAULT_MACS_PER_SECOND, basis: `default throughput (${why})` }
    }
    const { macsPerSecond, runs } = measured
    return { macsPerSecond, basis: `throughput of ${runs} recent finished run${runs === 1 ? '' : 's'}` }
  }

  async function preview(request: StudyRequest): Promise<StudyPreview> {
    const size = await datasetSize(request.base.training.dataset.id)
    const validation = request.base.training.dataset.validationSize ?? (size === null ? 0 : Math.round(size * 0.2))
    let built: ReturnType<typeof buildStudyVariants>
    try {
      built = buildStudyVariants(request, size === null ? null : size - validation)
    } catch (err) {
      throw new InvalidRequestError(`cannot build the ${studyTitle(request.kind).toLowerCase()} study: ${(err as Error).message}`)
    }
    for (const v of built.variants) {
      const analysis = analyzeNetwork(v.network)
      if (!analysis.ok) throw new InvalidRequestError(`variant "${v.label}": ${analysis.issues[0]?.message ?? 'invalid network'}`)
      const problems = validateTrainConfig(v.training)
      if (problems.length > 0) throw new InvalidRequestError(`variant "${v.label}": ${problems[0]}`)
    }
    const repeats = request.repeats ?? 1
    const shapes = built.variants.flatMap((v) => repeatSeeds(v.training.seed, repeats).map(() => runShape(v, size)))
    const { macsPerSecond, basis } = await throughput()
    return {
      name: request.name ?? `${studyTitle(request.kind)} · ${request.base.network.name ?? 'network'}`,
      factor: built.factor,
      variants: built.variants,
      repeats,
      runs: shapes.length,
      estimatedSeconds: estimateSeconds(shapes, macsPerSecond, deps.concurrency),
      estimateBasis: `${basis}, ${deps.concurrency} at a time`
    }
  }

  async function start(unstamped: StudyRequest): Promise<{ experimentId: number; runIds: number[] }> {
    // Every run records the content hash of the data it trains on (an unknown dataset fails here, before any run exists).
    const request = { ...unstamped, base: { ...unstamped.base, training: await stampDatasetHash(unstamped.base.training, deps.datasets) } }
    const p = await preview(request)
    const seeds = repeatSeeds(request.base.training.seed, p.repeats)
    const experimentId = store.createExperiment(p.name, `study:${request.kind}`)
    const definition: StudyDefinition = { kind: request.kind, factor: p.factor, repeats: p.repeats, variants: [] }
    const created: RunRecord[] = []
    for (const v of p.variants) {
      const runIds: number[] = []
      for (const seed of seeds) {
        const id = store.createRun({
          name: p.repeats > 1 ? `${v.label} · seed ${seed}` : v.label,
          network: v.network,
          training: { ...v.training, seed },
          experimentId,
          tags: ['study'],
          notes: v.changes.join('; ')
        })
        runIds.push(id)
        created.push(store.getRun(id)!)
      }
      definition.variants.push({ label: v.label, changes: v.changes, runIds })
    }
    store.setExperimentDefinition(experimentId, definition)
    // First seed of every variant first, so a partly finished study already covers every variant.
    const order = seeds.flatMap((_, s) => definition.variants.map((v) => v.runIds[s]!))
    for (const id of order) deps.enqueue(created.find((r) => r.id === id)!)
    return { experimentId, runIds: definition.variants.flatMap((v) => v.runIds) }
  }

  function isStudyKind(kind: string): kind is `study:${StudyKind}` {
    return kind.startsWith('study:') && (STUDY_KINDS as readonly string[]).includes(kind.slice(6))
  }

  function list(): StudyListItem[] {
    return store.listExperiments().flatMap((e) => {
      if (!isStudyKind(e.kind)) return []
      const runs = store.listRuns({ experimentId: e.id, limit: 1000 }).rows
      return [{ experimentId: e.id, name: e.name, kind: e.kind.slice(6) as StudyKind, createdAt: e.createdAt, runs: runs.length, finished: runs.filter((r) => runEnded(r.status)).length }]
    })
  }

  function epochs(runId: number): { points: EpochPoint[]; seconds: number | null } {
    const byEpoch = new Map<number, EpochPoint>()
    const at = (epoch: number) => {
      let p = byEpoch.get(epoch)
      if (!p) byEpoch.set(epoch, (p = { epoch, trainLoss: null, trainAccuracy: null, valLoss: null, valAccuracy: null }))
      return p
    }
    const series = (name: string, split: 'train' | 'val') => store.metricSeries(runId, name, split, 100_000)
    const trainLoss = series('epoch_loss', 'train')
    for (const m of trainLoss) at(m.epoch).trainLoss = m.value
    for (const m of series('epoch_accuracy', 'train')) at(m.epoch).trainAccuracy = m.value
    for (const m of series('loss', 'val')) at(m.epoch).valLoss = m.value
    for (const m of series('accuracy', 'val')) at(m.epoch).valAccuracy = m.value
    const last = trainLoss.at(-1)
    return { points: [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch), seconds: last ? last.elapsedMs / 1000 : null }
  }

  function report(experimentId: number): StudyReport {
    const e = store.getExperiment(experimentId)
    if (!e || !isStudyKind(e.kind) || e.definition === null) throw new NotFoundError(`study ${experimentId} does not exist`)
    const definition = e.definition as StudyDefinition
    const runs: StudyReport['runs'] = []
    const results = definition.variants.map((v) => {
      const outcomes: RunOutcome[] = []
      for (const runId of v.runIds) {
        const run = store.getRun(runId)
        if (!run) continue // deleted by the user: the study goes on without it
        const { points, seconds } = epochs(runId)
        runs.push({ runId, variant: v.label, seed: run.seed, status: run.status, bestEpoch: run.bestEpoch, epochs: points })
        outcomes.push({ runId, status: run.status, outcome: run.summary?.outcome ?? null, epochs: points, seconds })
      }
      return variantResult(v.label, outcomes)
    })
    return { experimentId, name: e.name, definition, runs, results, ranking: rankVariants(results).map((r) => r.label), summary: summarizeStudy(definition, results) }
  }

  return { preview, start, list, report }
}
