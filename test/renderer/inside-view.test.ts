// @vitest-environment happy-dom
/**
 * The Inside page against a fake WorkbenchClient whose answers come from the engine (a tiny conv net):
 * tabs, filter banks, weights slider, confusion matrix with cell samples, mistakes paging, feature maps
 * with "next mistake", histograms and the drawn-digit activations.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type {
  ConfusionMatrix,
  FilterBank,
  ForwardRequest,
  ForwardResponse,
  HistogramsResponse,
  InspectOverview,
  InspectSample,
  SamplesRequest,
  WeightsChoice
} from '../../src-main/contract/inspect-types'
import type { RunRecord, WorkbenchChannel, WorkbenchClient, WorkbenchEvent, WorkbenchEvents, WorkbenchRequest, WorkbenchResponse } from '../../src-main/contract/workbench-api'
import { createNetwork } from '../../src-engine/network'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { parseRoute, routeHash } from '../../src-renderer/src/stores/navigation'
import { useInsideStore } from '../../src-renderer/src/stores/inside'
import InsideView from '../../src-renderer/src/views/InsideView.vue'
import DrawDigitPanel from '../../src-renderer/src/components/inside/DrawDigitPanel.vue'

const spec: NetworkSpec = {
  version: 1,
  input: { shape: [1, 8, 8] },
  layers: [{ type: 'conv2d', filters: 3, kernel: 3 }, { type: 'relu' }, { type: 'maxpool2d', size: 2 }, { type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'softmax' }]
}
const classes = ['circle', 'square', 'cross']
const VALIDATION = 60

/** Validation samples: deterministic pixels, labels i % 3, predictions wrong for every 4th sample. */
function sample(index: number): InspectSample {
  const label = index % 3
  const predicted = index % 4 === 0 ? (label + 1) % 3 : label
  const pixels = Array.from({ length: 64 }, (_, p) => (p * (index + 3)) % 256)
  return { index, label, predicted, top: [{ label: predicted, score: 0.7 }, { label: (predicted + 1) % 3, score: 0.2 }, { label: (predicted + 2) % 3, score: 0.1 }], pixels }
}
const samples = Array.from({ length: VALIDATION }, (_, i) => sample(i))

function confusionAt(epoch: number): ConfusionMatrix {
  const counts = classes.map(() => classes.map(() => 0))
  for (const s of samples) counts[s.label]![s.predicted]!++
  const correct = counts.reduce((a, r, t) => a + r[t]!, 0)
  return {
    epoch,
    classes,
    counts,
    total: VALIDATION,
    accuracy: correct / VALIDATION,
    perClassAccuracy: counts.map((r, t) => r[t]! / r.reduce((a, b) => a + b, 0))
  }
}

/** Weights per choice: the engine's initialization with a seed per epoch. */
function networkFor(w: WeightsChoice) {
  return createNetwork(spec, { seed: typeof w === 'string' ? (w === 'best' ? 50 : 60) : 10 + w.epoch, dtype: 'float64' })
}

function forwardOf(req: ForwardRequest): ForwardResponse {
  const net = networkFor(req.weights)
  const pixels = req.input.kind === 'sample' ? samples[req.input.index]!.pixels : req.input.pixels
  const input = pixels.map((p) => p / 255)
  const state = net.stateDict()
  const layers = spec.layers.map((l, k) => {
    const prefix = createNetwork({ ...spec, layers: spec.layers.slice(0, k + 1) }, { dtype: 'float64' })
    prefix.loadStateDict(Object.fromEntries(Object.keys(prefix.stateDict()).map((n) => [n, state[n]!])))
    const y = prefix.forward({ shape: [1, 1, 8, 8], data: Float64Array.from(input) }, 'eval')
    return { layer: k, type: l.type, shape: y.shape.slice(1), values: Array.from(y.data) }
  })
  const scores = layers.at(-1)!.values
  const predicted = scores.indexOf(Math.max(...scores))
  return {
    input,
    inputShape: [1, 8, 8],
    layers,
    scores,
    predicted,
    classes,
    scoreKind: 'probability',
    ...(req.input.kind === 'sample' ? { label: samples[req.input.index]!.label } : {})
  }
}

function bankOf(w: WeightsChoice): FilterBank {
  const d = networkFor(w).stateDict()['0.weight']!
  const weights = Array.from(d.data)
  return { layer: 0, name: 'conv 1', outChannels: 3, inChannels: 1, kernelH: 3, kernelW: 3, weights, maxAbs: Math.max(...weights.map(Math.abs)) }
}

const histograms: HistogramsResponse = {
  parameters: ['0.weight', '0.bias'].map((name) => ({
    name,
    layer: 0,
    layerType: 'conv2d',
    epochs: [0, 1].map((epoch) => ({
      epoch,
      weights: { min: -0.5 - epoch, max: 0.5, mean: 0, std: 0.2, counts: [1, 4, 6, 2] },
      gradients: { min: -0.01, max: 0.02, mean: 0.001, std: 0.005, counts: [3, 5, 1, 0] }
    }))
  }))
}

const overview: InspectOverview = { runId: 7, epochs: [0, 1], weightEpochs: [0, 1], classes, inputShape: [1, 8, 8], validationSize: VALIDATION, hasFinal: true, hasBest: true, scoreKind: 'probability' }

type Handler = (request: never) => unknown
function fakeClient(overrides: Partial<Record<WorkbenchChannel, Handler>> = {}) {
  const calls: { channel: WorkbenchChannel; request: unknown }[] = []
  const listeners = new Map<WorkbenchEvent, Set<(p: unknown) => void>>()
  const handlers: Partial<Record<WorkbenchChannel, Handler>> = {
    'runs:get': () => ({ id: 7, name: 'tiny shapes', bestEpoch: 1 }) as unknown as RunRecord,
    'inspect:overview': () => overview,
    'inspect:filters': (r: { weights: WeightsChoice }) => ({ weights: r.weights, banks: [bankOf(r.weights)] }),
    'inspect:confusion': (r: { epoch: number }) => confusionAt(r.epoch),
    'inspect:samples': (r: SamplesRequest) => {
      const f = r.filter
      const matching = samples
        .filter((s) => (f.kind === 'mistakes' ? s.label !== s.predicted : s.label === f.trueLabel && s.predicted === f.predicted))
        .sort((a, b) => b.index - a.index)
      const offset = r.offset ?? 0
      return { epoch: r.epoch, shape: [1, 8, 8], classes, total: matching.length, samples: matching.slice(offset, offset + (r.limit ?? 48)) }
    },
    'inspect:forward': (r: ForwardRequest) => forwardOf(r),
    'inspect:histograms': () => histograms,
    ...overrides
  }
  const client: WorkbenchClient = {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>> {
      calls.push({ channel, request })
      const h = handlers[channel]
      if (!h) throw new Error(`unexpected channel ${channel}`)
      return (await (h as (r: unknown) => unknown)(request)) as WorkbenchResponse<C>
    },
    subscribe<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(cb as (p: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(cb as (p: unknown) => void)
    }
  }
  const of = (channel: WorkbenchChannel) => calls.filter((c) => c.channel === channel).map((c) => c.request)
  return { client, calls, of, listeners }
}

async function mountInside(fake = fakeClient()): Promise<{ w: VueWrapper; fake: ReturnType<typeof fakeClient> }> {
  setWorkbench(fake.client)
  const w = mount(InsideView, { props: { runId: 7 }, attachTo: document.body })
  await flushPromises()
  return { w, fake }
}
async function openTab(w: VueWrapper, tab: string): Promise<void> {
  await w.get(`[data-testid="inside-tab-${tab}"]`).trigger('click')
  await flushPromises()
}

beforeEach(() => {
  setActivePinia(createPinia())
  document.body.innerHTML = ''
})

describe('the inside route', () => {
  it('parses and writes #/runs/N/inside next to #/runs/N', () => {
    expect(parseRoute('#/runs/12/inside')).toEqual({ view: 'inside', runId: 12 })
    expect(parseRoute('#/runs/12')).toEqual({ view: 'run', runId: 12 })
    expect(routeHash({ view: 'inside', runId: 12 })).toBe('#/runs/12/inside')
  })
})

describe('InsideView', () => {
  it('shows the overview and the best weights’ filter banks; the slider asks for other epochs and the gain re-scales', async () => {
    const { w, fake } = await mountInside()
    expect(w.get('[data-testid="inside-title"]').text()).toBe('Inside tiny shapes')
    expect(w.get('[data-testid="inside-summary"]').text()).toContain('3 classes · input 1×8×8 · 60 validation samples · 2 recorded epochs')
    expect(fake.of('inspect:filters')).toEqual([{ runId: 7, weights: 'best' }])
    const bank = w.get('[data-testid="filter-bank-0"]')
    expect(bank.attributes('data-out')).toBe('3')
    expect(bank.attributes('data-in')).toBe('1')
    expect(Number(bank.attributes('data-max-abs'))).toBe(bankOf('best').maxAbs)
    expect(w.get('[data-testid="filters-weights-value"]').text()).toBe('best weights')

    const slider = w.get('[data-testid="filters-weights"]')
    expect(slider.attributes('max')).toBe('3')
    await slider.setValue('0')
    await flushPromises()
    expect(fake.of('inspect:filters').at(-1)).toEqual({ runId: 7, weights: { epoch: 0 } })
    expect(w.get('[data-testid="filters-weights-value"]').text()).toBe('epoch 1')
    expect(Number(w.get('[data-testid="filter-bank-0"]').attributes('data-max-abs'))).toBe(bankOf({ epoch: 0 }).maxAbs)

    await w.get('[data-testid="filters-gain"]').setValue('2.5')
    expect(w.get('[data-testid="filters-gain-value"]').text()).toBe('×2.50')
    w.unmount()
  })

  it('keeps only the latest answer when the weights slider moves faster than the backend answers', async () => {
    const pending: { weights: WeightsChoice; resolve: (v: unknown) => void }[] = []
    const fake = fakeClient({
      'inspect:filters': (r: { weights: WeightsChoice }) => new Promise((resolve) => pending.push({ weights: r.weights, resolve }))
    })
    const { w } = await mountInside(fake)
    const store = useInsideStore()
    const first = store.loadFilters({ epoch: 0 })
    const second = store.loadFilters({ epoch: 1 })
    // Answer in reverse order: the older request's answer must not win.
    pending[2]!.resolve({ weights: { epoch: 1 }, banks: [bankOf({ epoch: 1 })] })
    pending[1]!.resolve({ weights: { epoch: 0 }, banks: [bankOf({ epoch: 0 })] })
    pending[0]!.resolve({ weights: 'best', banks: [bankOf('best')] })
    expect(await first).toBeNull()
    expect(await second).not.toBeNull()
    await flushPromises()
    expect(store.filters.data?.weights).toEqual({ epoch: 1 })
    expect(Number(w.get('[data-testid="filter-bank-0"]').attributes('data-max-abs'))).toBe(bankOf({ epoch: 1 }).maxAbs)
    w.unmount()
  })

  it('plays the filters through the recorded epochs, one after the other, and stops', async () => {
    vi.useFakeTimers()
    try {
      const { w, fake } = await mountInside()
      await w.get('[data-testid="filters-play"]').trigger('click')
      await flushPromises()
      expect(w.get('[data-testid="filters-play"]').text()).toBe('Stop')
      expect(fake.of('inspect:filters').at(-1)).toEqual({ runId: 7, weights: { epoch: 0 } })
      await vi.advanceTimersByTimeAsync(700)
      await flushPromises()
      expect(fake.of('inspect:filters').at(-1)).toEqual({ runId: 7, weights: { epoch: 1 } })
      expect(w.get('[data-testid="filters-weights-value"]').text()).toBe('epoch 2')
      await vi.advanceTimersByTimeAsync(700)
      await flushPromises()
      expect(w.get('[data-testid="filters-play"]').text()).toBe('Play epochs')
      // Only the epochs are played: best and final weights are not part of the sequence.
      expect(fake.of('inspect:filters')).toHaveLength(3)
      w.unmount()
    } finally {
      vi.useRealTimers()
    }
  })

  it('moves between tabs with the arrow keys', async () => {
    const { w } = await mountInside()
    const tabs = w.get('[role="tablist"]')
    await tabs.trigger('keydown', { key: 'ArrowRight' })
    await flushPromises()
    expect(w.get('[data-testid="inside-tab-features"]').attributes('aria-selected')).toBe('true')
    expect(document.activeElement?.getAttribute('data-testid')).toBe('inside-tab-features')
    await tabs.trigger('keydown', { key: 'End' })
    expect(w.get('[data-testid="inside-tab-draw"]').attributes('aria-selected')).toBe('true')
    await tabs.trigger('keydown', { key: 'ArrowRight' })
    expect(w.get('[data-testid="inside-tab-filters"]').attributes('aria-selected')).toBe('true')
    w.unmount()
  })

  it('shows the last epoch’s confusion matrix with per-class accuracy; a cell lists its samples, which open their feature maps', async () => {
    const { w, fake } = await mountInside()
    await openTab(w, 'confusion')
    expect(fake.of('inspect:confusion')).toEqual([{ runId: 7, epoch: 1 }])
    const cm = confusionAt(1)
    for (let t = 0; t < 3; t++) {
      for (let p = 0; p < 3; p++) expect(Number(w.get(`[data-testid="confusion-cell-${t}-${p}"]`).attributes('data-count'))).toBe(cm.counts[t]![p])
      expect(w.get(`[data-testid="confusion-class-accuracy-${t}"]`).text()).toBe(`${(cm.perClassAccuracy[t]! * 100).toFixed(1)}%`)
    }
    expect(w.get('[data-testid="confusion-accuracy"]').text()).toContain(`${(cm.accuracy * 100).toFixed(1)}%`)
    expect(w.get('[data-testid="confusion-accuracy"]').text()).toContain(`${cm.counts[0]![0]! + cm.counts[1]![1]! + cm.counts[2]![2]!} of 60`)
    // An empty cell cannot be clicked.
    expect(w.get('[data-testid="confusion-cell-0-2"]').attributes('disabled')).toBeDefined()

    // True circle predicted square: samples 0, 12, 24, 36, 48 (label 0, every 4th wrong → predicted 1).
    await w.get('[data-testid="confusion-cell-0-1"]').trigger('click')
    await flushPromises()
    expect(fake.of('inspect:samples').at(-1)).toEqual({ runId: 7, epoch: 1, filter: { kind: 'cell', trueLabel: 0, predicted: 1 }, offset: 0, limit: 24 })
    const grid = w.get('[data-testid="cell-samples"]')
    expect(grid.attributes('data-count')).toBe(String(cm.counts[0]![1]))
    expect(w.get('[data-testid="confusion-cell-0-1"]').attributes('aria-pressed')).toBe('true')
    expect(w.get('[data-testid="cell-samples-sample-12"]').text()).toContain('true circle')
    expect(w.get('[data-testid="cell-samples-sample-12"]').text()).toContain('pred. square')

    // Another epoch reloads the matrix and the open cell's samples.
    await w.get('[data-testid="confusion-epoch"]').setValue('0')
    await flushPromises()
    expect(fake.of('inspect:confusion')).toEqual([
      { runId: 7, epoch: 1 },
      { runId: 7, epoch: 0 }
    ])
    expect(fake.of('inspect:samples').at(-1)).toMatchObject({ epoch: 0, filter: { kind: 'cell', trueLabel: 0, predicted: 1 } })

    await w.get('[data-testid="cell-samples-open-12"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="inside-tab-features"]').attributes('aria-selected')).toBe('true')
    expect(fake.of('inspect:forward').at(-1)).toEqual({ runId: 7, weights: 'best', input: { kind: 'sample', index: 12 } })
    w.unmount()
  })

  it('pages through the mistakes, most confident first', async () => {
    const { w, fake } = await mountInside()
    await openTab(w, 'mistakes')
    const wrong = samples.filter((s) => s.label !== s.predicted)
    expect(w.get('[data-testid="mistakes-total"]').attributes('data-total')).toBe(String(wrong.length))
    expect(w.get('[data-testid="mistakes"]').attributes('data-count')).toBe(String(Math.min(24, wrong.length)))
    expect(w.get('[data-testid="mistakes-prev"]').attributes('disabled')).toBeDefined()
    const card = w.get(`[data-testid="mistakes-sample-${wrong.at(-1)!.index}"]`)
    expect(card.text()).toContain('70.0%')
    expect(card.findAll('.top li')).toHaveLength(3)
    // 15 mistakes fit on one page: next is disabled.
    expect(wrong.length).toBe(15)
    expect(w.get('[data-testid="mistakes-next"]').attributes('disabled')).toBeDefined()
    expect(fake.of('inspect:samples')).toEqual([{ runId: 7, epoch: 1, filter: { kind: 'mistakes' }, offset: 0, limit: 24 }])
    // The epoch slider: the other epoch's first page, asked once.
    await w.get('[data-testid="mistakes-epoch"]').setValue('0')
    await flushPromises()
    expect(fake.of('inspect:samples')).toEqual([
      { runId: 7, epoch: 1, filter: { kind: 'mistakes' }, offset: 0, limit: 24 },
      { runId: 7, epoch: 0, filter: { kind: 'mistakes' }, offset: 0, limit: 24 }
    ])
    expect(w.get('[data-testid="mistakes-total"]').text()).toContain('at epoch 1')
    w.unmount()
  })

  it('shows every layer of a sample with its shape, the scores, and walks through the mistakes', async () => {
    const { w, fake } = await mountInside()
    await openTab(w, 'features')
    expect(fake.of('inspect:forward')).toEqual([{ runId: 7, weights: 'best', input: { kind: 'sample', index: 0 } }])
    const expected = forwardOf({ runId: 7, weights: 'best', input: { kind: 'sample', index: 0 } })
    expect(w.get('[data-testid="features-input"]').attributes('data-shape')).toBe('1x8x8')
    expect(w.get('[data-testid="features-layer-0"]').attributes('data-shape')).toBe('3x6x6')
    expect(w.get('[data-testid="features-layer-2"]').attributes('data-shape')).toBe('3x3x3')
    expect(w.get('[data-testid="features-layer-3"]').attributes('data-shape')).toBe('27')
    expect(Number(w.get('[data-testid="features-layer-0"]').attributes('data-max'))).toBe(Math.max(...expected.layers[0]!.values))
    expect(w.findAll('[data-testid="features-layer-0"] canvas')).toHaveLength(3)
    expect(w.get('[data-testid="features-scores-predicted"]').text()).toBe(classes[expected.predicted])
    for (let k = 0; k < 3; k++) expect(Number(w.get(`[data-testid="features-scores-class-${k}"]`).attributes('data-score'))).toBe(expected.scores[k])
    expect(w.get('[data-testid="features-scores-truth"]').text()).toContain('true class circle')

    // Mistakes at the best epoch (1) are walked most confident first: 56, 52, … (the fake sorts by index, descending).
    await w.get('[data-testid="features-next-mistake"]').trigger('click')
    await flushPromises()
    expect(fake.of('inspect:samples').at(-1)).toMatchObject({ epoch: 1, filter: { kind: 'mistakes' } })
    expect(fake.of('inspect:forward').at(-1)).toMatchObject({ input: { kind: 'sample', index: 56 } })
    await w.get('[data-testid="features-next-mistake"]').trigger('click')
    await flushPromises()
    expect(fake.of('inspect:forward').at(-1)).toMatchObject({ input: { kind: 'sample', index: 52 } })
    expect((w.get('[data-testid="features-index"]').element as HTMLInputElement).value).toBe('52')

    await w.get('[data-testid="features-index"]').setValue('60')
    expect(w.text()).toContain('The index must be below 60.')
    expect(w.get('[data-testid="features-show"]').attributes('disabled')).toBeDefined()
    await w.get('[data-testid="features-index"]').setValue('5')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(fake.of('inspect:forward').at(-1)).toMatchObject({ input: { kind: 'sample', index: 5 } })
    w.unmount()
  })

  it('draws each parameter’s weights and gradients over the epochs', async () => {
    const { w } = await mountInside()
    await openTab(w, 'histograms')
    const row = w.get('[data-testid="histogram-0.weight"]')
    expect(row.attributes('data-epochs')).toBe('2')
    expect(row.findAll('canvas')).toHaveLength(2)
    expect(w.get('[data-testid="histogram-0.weight-gradients-last"]').text()).toContain('mean 1.0e-3 · std 5.0e-3')
    expect(w.find('[data-testid="histogram-0.bias"]').exists()).toBe(true)
    w.unmount()
  })

  it('passes the run, weights, input shape and classes to the draw panel and shows the activations it emits', async () => {
    const { w, fake } = await mountInside()
    await openTab(w, 'draw')
    const panel = w.getComponent(DrawDigitPanel)
    expect(panel.props()).toEqual({ runId: 7, weights: 'best', inputShape: [1, 8, 8], classes })
    const drawn = forwardOf({ runId: 7, weights: 'best', input: { kind: 'pixels', pixels: samples[3]!.pixels } })
    panel.vm.$emit('forward', drawn)
    await flushPromises()
    expect(w.get('[data-testid="drawn-layer-2"]').attributes('data-shape')).toBe('3x3x3')
    expect(Number(w.get('[data-testid="drawn-layer-5"]').attributes('data-max'))).toBe(Math.max(...drawn.scores))
    // The panel shows the scores: the activations below do not repeat them.
    expect(w.find('[data-testid="drawn-scores"]').exists()).toBe(false)
    panel.vm.$emit('cleared')
    await flushPromises()
    expect(w.find('[data-testid="drawn"]').exists()).toBe(false)
    // Other weights for drawing: the panel gets them, the old activations go, the page asks nothing itself.
    panel.vm.$emit('forward', drawn)
    await flushPromises()
    const forwards = fake.of('inspect:forward').length
    await w.get('[data-testid="draw-weights"]').setValue('0')
    await flushPromises()
    expect(w.getComponent(DrawDigitPanel).props('weights')).toEqual({ epoch: 0 })
    expect(w.find('[data-testid="drawn"]').exists()).toBe(false)
    expect(fake.of('inspect:forward')).toHaveLength(forwards)
    // The feature maps then show the sample with those weights.
    await openTab(w, 'features')
    expect(fake.of('inspect:forward').at(-1)).toEqual({ runId: 7, weights: { epoch: 0 }, input: { kind: 'sample', index: 0 } })
    w.unmount()
  })

  it('says so when the backend cannot answer, and when nothing was recorded', async () => {
    const broken = fakeClient({
      'inspect:overview': () => {
        throw new Error('run 7 not found')
      }
    })
    const { w } = await mountInside(broken)
    expect(w.get('[data-testid="inside-error"]').text()).toBe('run 7 not found')
    w.unmount()

    setActivePinia(createPinia())
    const empty = fakeClient({ 'inspect:overview': () => ({ ...overview, epochs: [], weightEpochs: [], hasBest: false }) })
    const { w: w2 } = await mountInside(empty)
    expect(w2.get('[data-testid="inside-nothing-recorded"]').text()).toContain('use its final weights')
    expect(empty.of('inspect:filters')).toEqual([{ runId: 7, weights: 'final' }])
    await openTab(w2, 'confusion')
    expect(w2.find('[data-testid="confusion-none"]').exists()).toBe(true)
    await openTab(w2, 'features')
    expect(w2.find('[data-testid="features-index"]').exists()).toBe(true)
    expect(empty.of('inspect:confusion')).toEqual([])
    w2.unmount()

    setActivePinia(createPinia())
    const noVal = fakeClient({ 'inspect:overview': () => ({ ...overview, epochs: [], weightEpochs: [], hasBest: false, validationSize: 0 }) })
    const { w: w3 } = await mountInside(noVal)
    await openTab(w3, 'features')
    expect(w3.find('[data-testid="features-no-samples"]').exists()).toBe(true)
    expect(w3.find('[data-testid="features-index"]').exists()).toBe(false)
    expect(noVal.of('inspect:forward')).toEqual([])
    w3.unmount()
  })

  it('waits for a run that has recorded nothing yet instead of asking for weights it does not have', async () => {
    const epochs: number[] = []
    const fake = fakeClient({ 'inspect:overview': () => ({ ...overview, epochs: [...epochs], weightEpochs: [...epochs], hasBest: false, hasFinal: false, validationSize: epochs.length ? 60 : 0 }) })
    const { w } = await mountInside(fake)
    expect(w.find('[data-testid="filters-waiting"]').exists()).toBe(true)
    await openTab(w, 'draw')
    expect(w.find('[data-testid="draw-waiting"]').exists()).toBe(true)
    await openTab(w, 'features')
    expect(w.find('[data-testid="features-waiting"]').exists()).toBe(true)
    expect(w.find('[data-testid="features-no-samples"]').exists()).toBe(false)
    expect(fake.of('inspect:filters')).toEqual([])
    expect(fake.of('inspect:forward')).toEqual([])
    // The first epoch is recorded: the open view shows it with that epoch's weights.
    epochs.push(0)
    for (const cb of fake.listeners.get('run:insight') ?? []) cb({ runId: 7, epoch: 0 })
    await flushPromises()
    expect(fake.of('inspect:forward')).toEqual([{ runId: 7, weights: { epoch: 0 }, input: { kind: 'sample', index: 0 } }])
    expect(w.get('[data-testid="features-layer-0"]').attributes('data-shape')).toBe('3x6x6')
    await openTab(w, 'filters')
    expect(fake.of('inspect:filters')).toEqual([{ runId: 7, weights: { epoch: 0 } }])
    w.unmount()
  })

  it('offers only the epochs whose weights a long run kept; a thinned-out choice moves to the nearest earlier one', async () => {
    const epochs = [0, 1, 2, 3, 4]
    let weightEpochs = [0, 1, 2, 3, 4]
    const fake = fakeClient({ 'inspect:overview': () => ({ ...overview, epochs: [...epochs], weightEpochs: [...weightEpochs], hasBest: false, hasFinal: false }) })
    const { w } = await mountInside(fake)
    const store = useInsideStore()
    expect(w.get('[data-testid="inside-summary"]').text()).not.toContain('weights kept')
    await w.get('[data-testid="filters-weights"]').setValue('3')
    await flushPromises()
    expect(fake.of('inspect:filters').at(-1)).toEqual({ runId: 7, weights: { epoch: 3 } })
    await store.loadForward(4, { epoch: 3 })
    // Epoch 6 is recorded and the store thinned the weights to even epochs plus the newest.
    epochs.push(5, 6)
    weightEpochs = [0, 2, 4, 6]
    for (const cb of fake.listeners.get('run:insight') ?? []) cb({ runId: 7, epoch: 6 })
    await flushPromises()
    expect(store.filtersWeights).toEqual({ epoch: 2 })
    expect(fake.of('inspect:filters').at(-1)).toEqual({ runId: 7, weights: { epoch: 2 } })
    expect(fake.of('inspect:forward').at(-1)).toEqual({ runId: 7, weights: { epoch: 2 }, input: { kind: 'sample', index: 4 } })
    expect(w.get('[data-testid="filters-weights"]').attributes('max')).toBe('3')
    expect(w.get('[data-testid="inside-summary"]').text()).toContain('7 recorded epochs (weights kept for 4, evenly spaced)')
    // The confusion matrix still offers every recorded epoch.
    await openTab(w, 'confusion')
    expect(w.get('[data-testid="confusion-epoch"]').attributes('max')).toBe('6')
    w.unmount()
  })

    it('follows a run that is still training: a new epoch refreshes the overview', async () => {
    const epochs = [0]
    const fake = fakeClient({ 'inspect:overview': () => ({ ...overview, epochs: [...epochs], weightEpochs: [...epochs], hasBest: false, hasFinal: false }) })
    const { w } = await mountInside(fake)
    const store = useInsideStore()
    expect(store.epoch).toBe(0)
    await openTab(w, 'confusion')
    expect(w.get('[data-testid="confusion-matrix"]').attributes('data-epoch')).toBe('0')
    epochs.push(1)
    // Another run's record changes nothing.
    for (const cb of fake.listeners.get('run:insight') ?? []) cb({ runId: 8, epoch: 1 })
    await flushPromises()
    expect(store.overview.data?.epochs).toEqual([0])
    for (const cb of fake.listeners.get('run:insight') ?? []) cb({ runId: 7, epoch: 1 })
    await flushPromises()
    expect(store.overview.data?.epochs).toEqual([0, 1])
    // The user was on the latest epoch: they stay on the latest, and the open matrix follows.
    expect(store.epoch).toBe(1)
    expect(w.get('[data-testid="confusion-matrix"]').attributes('data-epoch')).toBe('1')
    // Histograms on screen gain the newly recorded epoch (the fake always answers two epochs: asked once more, then no more).
    await openTab(w, 'histograms')
    expect(fake.of('inspect:histograms')).toHaveLength(1)
    await openTab(w, 'confusion')
    // The run ends: the overview is read again.
    epochs.push(2)
    for (const cb of fake.listeners.get('run:status') ?? []) cb({ runId: 7, status: 'completed' })
    await flushPromises()
    expect(store.overview.data?.epochs).toEqual([0, 1, 2])
    expect(fake.of('inspect:histograms')).toHaveLength(2)
    w.unmount()
    expect(fake.listeners.get('run:insight')?.size).toBe(0)
    expect(fake.listeners.get('run:status')?.size).toBe(0)
  })
})
