/**
 * "Look inside" one run: what was recorded for it (inspect:overview) and the answers its views asked for —
 * filters for a choice of weights, the confusion matrix of an epoch and the samples of a clicked cell, the
 * mistakes, a forward pass for one sample, the parameter histograms. Every request keeps only its latest
 * answer: a slider dragged quickly never shows an older epoch's matrix after a newer one.
 */
import { defineStore } from 'pinia'
import { computed, reactive, ref, shallowRef } from 'vue'
import type {
  ConfusionMatrix,
  FiltersResponse,
  ForwardResponse,
  HistogramsResponse,
  InspectOverview,
  SamplesPage,
  WeightsChoice
} from '../../../src-main/contract/inspect-types'
import type { RunRecord } from '../../../src-main/contract/workbench-api'
import { errorMessage, useWorkbench } from '../api/workbench'
import { sameWeights, weightsChoices } from '../components/inside/inside-render'

export type InsideTab = 'filters' | 'features' | 'confusion' | 'mistakes' | 'histograms' | 'draw'
export const INSIDE_TABS: { id: InsideTab; title: string }[] = [
  { id: 'filters', title: 'Filters' },
  { id: 'features', title: 'Feature maps' },
  { id: 'confusion', title: 'Confusion matrix' },
  { id: 'mistakes', title: 'Mistakes' },
  { id: 'histograms', title: 'Histograms' },
  { id: 'draw', title: 'Draw' }
]

/** Samples per page of the mistakes grid and of a confusion cell. */
export const PAGE_SIZE = 24
/** How many of an epoch's mistakes "next mistake" walks through. */
const MISTAKES_WALKED = 500

/** One request slot: its answer, error and loading state; an answer to a superseded request is dropped. */
function slot<T>() {
  const value = shallowRef<T | null>(null)
  const error = ref<string | null>(null)
  const loading = ref(false)
  let seq = 0
  async function load(request: () => Promise<T>): Promise<T | null> {
    const mine = ++seq
    loading.value = true
    try {
      const answer = await request()
      if (mine !== seq) return null
      value.value = answer
      error.value = null
      return answer
    } catch (err) {
      if (mine === seq) error.value = errorMessage(err)
      return null
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  function reset(): void {
    seq++
    value.value = null
    error.value = null
    loading.value = false
  }
  // reactive() unwraps the refs (slot.data, not slot.data.value) and leaves the answer itself shallow.
  return reactive({ data: value, error, loading, load, reset })
}

export const useInsideStore = defineStore('inside', () => {
  const runId = ref<number | null>(null)
  const run = shallowRef<RunRecord | null>(null)
  const overview = slot<InspectOverview>()
  const tab = ref<InsideTab>('filters')

  /** Slider positions over the epochs with kept weights, then best and final weights. */
  const choices = computed<WeightsChoice[]>(() => {
    const o = overview.data
    return o ? weightsChoices(o.weightEpochs, o.hasBest, o.hasFinal) : []
  })
  /** Whether these weights exist for the run (a run that has not finished an epoch has none). */
  function available(w: WeightsChoice): boolean {
    return choices.value.some((c) => sameWeights(c, w))
  }
  const lastEpoch = computed(() => overview.data?.epochs.at(-1) ?? null)
  /** The recorded epoch whose insight matches a weights choice (best → the run's best epoch, final → the last). */
  function epochOf(w: WeightsChoice): number | null {
    const epochs = overview.data?.epochs ?? []
    if (typeof w !== 'string') return w.epoch
    const e = w === 'best' ? run.value?.bestEpoch ?? null : lastEpoch.value
    return e !== null && epochs.includes(e) ? e : lastEpoch.value
  }

  const filtersWeights = ref<WeightsChoice>('final')
  const filters = slot<FiltersResponse>()

  /** The epoch shown by the confusion matrix and the mistakes. */
  const epoch = ref<number | null>(null)
  const confusion = slot<ConfusionMatrix>()
  const cell = ref<{ trueLabel: number; predicted: number } | null>(null)
  const cellOffset = ref(0)
  const cellSamples = slot<SamplesPage>()
  const mistakesOffset = ref(0)
  const mistakes = slot<SamplesPage>()

  const forwardWeights = ref<WeightsChoice>('final')
  const sampleIndex = ref(0)
  const forward = slot<ForwardResponse>()
  /** The sample whose activations forward.data holds, and the weights they were computed with. */
  const shownIndex = ref<number | null>(null)
  let shownForwardWeights: WeightsChoice | null = null
  /** Mistakes of the forward weights' epoch, for "next mistake". */
  let walked: { epoch: number; indices: number[] } | null = null
  const walkError = ref<string | null>(null)

  const histograms = slot<HistogramsResponse>()

  function defaultWeights(o: InspectOverview): WeightsChoice {
    if (o.hasBest) return 'best'
    if (o.hasFinal) return 'final'
    const last = o.weightEpochs.at(-1)
    return last === undefined ? 'final' : { epoch: last }
  }

  /**
   * The same weights if the new overview still has them; an epoch thinned out of a long run becomes the
   * nearest earlier epoch with weights; otherwise the default.
   */
  function keptWeights(o: InspectOverview, w: WeightsChoice): WeightsChoice {
    if (weightsChoices(o.weightEpochs, o.hasBest, o.hasFinal).some((c) => sameWeights(c, w))) return w
    const earlier = typeof w === 'object' ? o.weightEpochs.filter((e) => e < w.epoch).at(-1) : undefined
    return earlier === undefined ? defaultWeights(o) : { epoch: earlier }
  }

  async function open(id: number): Promise<void> {
    runId.value = id
    for (const s of [overview, filters, confusion, cellSamples, mistakes, forward, histograms]) s.reset()
    cell.value = null
    walked = null
    run.value = null
    shownIndex.value = null
    shownForwardWeights = null
    sampleIndex.value = 0
    mistakesOffset.value = 0
    // The defaults are set before the overview shows, so the first views ask for the right weights and epoch.
    await overview.load(async () => {
      const [record, o] = await Promise.all([
        useWorkbench()
          .invoke('runs:get', { runId: id })
          .catch(() => null),
        useWorkbench().invoke('inspect:overview', { runId: id })
      ])
      run.value = record
      filtersWeights.value = defaultWeights(o)
      forwardWeights.value = defaultWeights(o)
      epoch.value = o.epochs.at(-1) ?? null
      return o
    })
  }

  /** A run still training recorded another epoch (or ended): follow it, keeping what the user picked. */
  async function refreshOverview(): Promise<void> {
    const id = runId.value
    if (id === null) return
    // Everything that depends on the new overview is set before it shows, so the views react to it once.
    await overview.load(async () => {
      const before = overview.data
      const [record, o] = await Promise.all([
        useWorkbench()
          .invoke('runs:get', { runId: id })
          .catch(() => run.value),
        useWorkbench().invoke('inspect:overview', { runId: id })
      ])
      run.value = record
      // Weights that did not exist before the run recorded something: its first (or best/final) weights now.
      filtersWeights.value = keptWeights(o, filtersWeights.value)
      forwardWeights.value = keptWeights(o, forwardWeights.value)
      // On the newest epoch (or none yet): stay on the newest.
      if (epoch.value === null || (before && epoch.value === before.epochs.at(-1))) epoch.value = o.epochs.at(-1) ?? null
      return o
    })
    // Weights thinned out of a long run while shown: show the nearest kept ones instead.
    if (filters.data && !filters.loading && !sameWeights(filters.data.weights, filtersWeights.value)) void loadFilters()
    if (forward.data && !forward.loading && shownIndex.value !== null && shownForwardWeights && !sameWeights(shownForwardWeights, forwardWeights.value)) {
      void loadForward(shownIndex.value)
    }
    // Histograms already shown gain the new epoch's row.
    const o = overview.data
    if (o && histograms.data && o.epochs.length !== new Set(histograms.data.parameters.flatMap((p) => p.epochs.map((e) => e.epoch))).size) {
      await loadHistograms()
    }
  }

  function loadFilters(w: WeightsChoice = filtersWeights.value): Promise<FiltersResponse | null> {
    const id = runId.value
    filtersWeights.value = w
    if (id === null) return Promise.resolve(null)
    return filters.load(() => useWorkbench().invoke('inspect:filters', { runId: id, weights: w }))
  }

  async function loadConfusion(e: number | null = epoch.value): Promise<void> {
    const id = runId.value
    epoch.value = e
    if (id === null || e === null) return
    const matrix = await confusion.load(() => useWorkbench().invoke('inspect:confusion', { runId: id, epoch: e }))
    // The clicked cell follows the epoch: its samples are reloaded for the new matrix.
    if (matrix && cell.value) await loadCell(cell.value, cellOffset.value)
  }

  function loadCell(c: { trueLabel: number; predicted: number }, offset = 0): Promise<SamplesPage | null> {
    const id = runId.value
    const e = epoch.value
    cell.value = c
    cellOffset.value = offset
    if (id === null || e === null) return Promise.resolve(null)
    return cellSamples.load(() =>
      useWorkbench().invoke('inspect:samples', { runId: id, epoch: e, filter: { kind: 'cell', ...c }, offset, limit: PAGE_SIZE })
    )
  }
  function closeCell(): void {
    cell.value = null
    cellSamples.reset()
  }

  function loadMistakes(offset = mistakesOffset.value): Promise<SamplesPage | null> {
    const id = runId.value
    const e = epoch.value
    mistakesOffset.value = Math.max(0, offset)
    if (id === null || e === null) return Promise.resolve(null)
    return mistakes.load(() =>
      useWorkbench().invoke('inspect:samples', { runId: id, epoch: e, filter: { kind: 'mistakes' }, offset: mistakesOffset.value, limit: PAGE_SIZE })
    )
  }

  async function loadForward(index = sampleIndex.value, w: WeightsChoice = forwardWeights.value): Promise<ForwardResponse | null> {
    const id = runId.value
    sampleIndex.value = index
    forwardWeights.value = w
    if (id === null) return null
    const answer = await forward.load(() => useWorkbench().invoke('inspect:forward', { runId: id, weights: w, input: { kind: 'sample', index } }))
    if (answer) {
      shownIndex.value = index
      shownForwardWeights = w
    }
    return answer
  }

  /** Weights for drawn digits (and, next time they show, the feature maps). */
  function setForwardWeights(w: WeightsChoice): void {
    if (sameWeights(w, forwardWeights.value)) return
    forwardWeights.value = w
    forward.reset()
    shownIndex.value = null
  }

  /** Activations of one sample in the feature-maps tab (from a sample card). */
  async function showSample(index: number): Promise<void> {
    tab.value = 'features'
    await loadForward(index)
  }

  /** Shows the next misclassified sample after the current index (most confident first, wrapping around). */
  async function nextMistake(): Promise<void> {
    const id = runId.value
    const e = epochOf(forwardWeights.value)
    walkError.value = null
    if (id === null || e === null) {
      walkError.value = 'No epoch with recorded predictions yet.'
      return
    }
    if (!walked || walked.epoch !== e) {
      try {
        const page = await useWorkbench().invoke('inspect:samples', { runId: id, epoch: e, filter: { kind: 'mistakes' }, limit: MISTAKES_WALKED })
        walked = { epoch: e, indices: page.samples.map((s) => s.index) }
      } catch (err) {
        walkError.value = errorMessage(err)
        return
      }
    }
    const list = walked.indices
    if (list.length === 0) {
      walkError.value = `No mistakes at epoch ${e + 1}.`
      return
    }
    const at = list.indexOf(sampleIndex.value)
    await loadForward(list[(at + 1) % list.length]!)
  }

  function loadHistograms(): Promise<HistogramsResponse | null> {
    const id = runId.value
    if (id === null) return Promise.resolve(null)
    return histograms.load(() => useWorkbench().invoke('inspect:histograms', { runId: id }))
  }

  return {
    runId,
    run,
    tab,
    overview,
    choices,
    available,
    epochOf,
    open,
    refreshOverview,
    filtersWeights,
    filters,
    loadFilters,
    epoch,
    confusion,
    loadConfusion,
    cell,
    cellOffset,
    cellSamples,
    loadCell,
    closeCell,
    mistakesOffset,
    mistakes,
    loadMistakes,
    forwardWeights,
    sampleIndex,
    forward,
    shownIndex,
    loadForward,
    setForwardWeights,
    showSample,
    nextMistake,
    walkError,
    histograms,
    loadHistograms
  }
})
