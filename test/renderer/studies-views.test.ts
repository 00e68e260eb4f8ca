// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type {
  StudyPreview,
  StudyReport,
  StudyRequest,
  WorkbenchChannel,
  WorkbenchClient,
  WorkbenchEvent,
  WorkbenchEvents,
  WorkbenchRequest,
  WorkbenchResponse
} from '../../src-main/contract/workbench-api'
import { buildStudyVariants } from '../../src-main/studies/study-kinds'
import { rankVariants, summarizeStudy, variantResult } from '../../src-main/studies/study-report'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useNavigationStore } from '../../src-renderer/src/stores/navigation'
import { useEditorStore } from '../../src-renderer/src/stores/editor'
import shapesQuick from '../../examples/shapes-quick.json'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import StudiesView from '../../src-renderer/src/views/StudiesView.vue'
import StudyView from '../../src-renderer/src/views/StudyView.vue'

type Handler = (request: unknown) => unknown

/** A WorkbenchClient whose channels are plain functions and whose events the test emits. */
function fakeClient(handlers: Partial<Record<WorkbenchChannel, Handler>>) {
  const calls: { channel: WorkbenchChannel; request: unknown }[] = []
  const listeners = new Map<WorkbenchEvent, Set<(p: unknown) => void>>()
  const client: WorkbenchClient = {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>> {
      calls.push({ channel, request })
      const h = handlers[channel]
      if (!h) throw new Error(`unexpected channel ${channel}`)
      return (await h(request)) as WorkbenchResponse<C>
    },
    subscribe<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void) {
      const set = listeners.get(event) ?? new Set()
      set.add(cb as (p: unknown) => void)
      listeners.set(event, set)
      return () => set.delete(cb as (p: unknown) => void)
    }
  }
  const emit = <E extends WorkbenchEvent>(event: E, payload: WorkbenchEvents[E]) => listeners.get(event)?.forEach((cb) => cb(payload))
  const count = (channel: WorkbenchChannel) => calls.filter((c) => c.channel === channel).length
  return { client, calls, emit, count, listeners }
}

function previewOf(request: StudyRequest): StudyPreview {
  const { factor, variants } = buildStudyVariants(request)
  const repeats = request.repeats ?? 1
  return { name: 'Grid sweep · MLP', factor, variants, repeats, runs: variants.length * repeats, estimatedSeconds: 370, estimateBasis: 'default throughput, 2 at a time' }
}

const stubs = { global: { stubs: { LineChart: true } } }

beforeEach(() => {
  setActivePinia(createPinia())
  window.location.hash = '#/studies'
})
afterEach(() => vi.useRealTimers())

describe('StudiesView', () => {
  it('previews a grid study, shows parse errors before asking the backend, and launches what it previewed', async () => {
    const fake = fakeClient({
      'studies:list': () => [{ experimentId: 3, name: 'Optimizers · LeNet-5', kind: 'optimizer', createdAt: 1_700_000_000_000, runs: 6, finished: 2 }],
      'studies:preview': (r) => previewOf(r as StudyRequest),
      'studies:start': () => ({ experimentId: 9, runIds: [1, 2] })
    })
    setWorkbench(fake.client)
    const nav = useNavigationStore()
    const w = mount(StudiesView, stubs)
    await flushPromises()
    expect(w.get('[data-testid="study-row-3"]').text()).toContain('2/6')
    expect(w.get('[data-testid="study-link-3"]').attributes('href')).toBe('#/studies/3')

    await w.get('[data-testid="study-base"]').setValue('mlp')
    await w.get('[data-testid="study-kind"]').setValue('grid')
    expect(w.get('[data-testid="study-kind-explain"]').text()).toContain('Every combination')
    await w.get('[data-testid="study-grid-values-0"]').setValue('0.001, fast')
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="study-preview-error"]').text()).toBe('grid row 1: values of optimizer.lr: mixes numbers, names and true/false (0.001, fast)')
    expect(fake.count('studies:preview')).toBe(0)
    expect(w.get('[data-testid="study-launch"]').attributes('disabled')).toBeDefined()

    await w.get('[data-testid="study-grid-values-0"]').setValue('0.001, 0.01')
    await w.get('[data-testid="study-grid-add"]').trigger('click')
    await w.get('[data-testid="study-grid-path-1"]').setValue('batchSize')
    await w.get('[data-testid="study-grid-values-1"]').setValue('32, 64')
    await w.get('[data-testid="study-epochs"]').setValue('2')
    await w.get('[data-testid="study-repeats"]').setValue(2)
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    expect(w.find('[data-testid="study-preview-error"]').exists()).toBe(false)
    expect(w.findAll('[data-testid="study-preview-variant"]').map((r) => r.find('td').text())).toEqual([
      'optimizer.lr=0.001, batchSize=32',
      'optimizer.lr=0.001, batchSize=64',
      'optimizer.lr=0.01, batchSize=32',
      'optimizer.lr=0.01, batchSize=64'
    ])
    expect(w.get('[data-testid="study-preview-runs"]').text()).toBe('4 variants × 2 seeds = 8 runs')
    expect(w.get('[data-testid="study-preview-time"]').text()).toBe('about 6 min')

    await w.get('[data-testid="study-launch"]').trigger('click')
    await flushPromises()
    const started = fake.calls.find((c) => c.channel === 'studies:start')!.request as StudyRequest
    expect(started.kind).toBe('grid')
    expect(started.repeats).toBe(2)
    expect(started.base.training.epochs).toBe(2)
    expect(started.base.network.name).toBe('MLP')
    expect(started.grid).toEqual([
      { path: 'optimizer.lr', values: [0.001, 0.01] },
      { path: 'batchSize', values: [32, 64] }
    ])
    expect(nav.route).toEqual({ view: 'study', experimentId: 9 })
    w.unmount()
  })

  it('shows the backend refusing a preview, and an edit hides a stale preview', async () => {
    let refuse = true
    const fake = fakeClient({
      'studies:list': () => [],
      'studies:preview': (r) => {
        if (refuse) throw new Error('cannot build the training-set size study: none of the training sizes 99999 fits the 8000 training samples available')
        return previewOf(r as StudyRequest)
      }
    })
    setWorkbench(fake.client)
    const w = mount(StudiesView, stubs)
    await flushPromises()
    expect(w.find('[data-testid="study-list-empty"]').exists()).toBe(true)
    await w.get('[data-testid="study-kind"]').setValue('training-size')
    await w.get('[data-testid="study-train-sizes"]').setValue('99999')
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="study-preview-error"]').text()).toContain('none of the training sizes 99999 fits')
    refuse = false
    await w.get('[data-testid="study-train-sizes"]').setValue('250, 500')
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    expect(w.findAll('[data-testid="study-preview-variant"]')).toHaveLength(2)
    expect(w.get('[data-testid="study-launch"]').attributes('disabled')).toBeUndefined()
    await w.get('[data-testid="study-epochs"]').setValue('3')
    expect(w.find('[data-testid="study-preview"]').exists()).toBe(false)
    expect(w.get('[data-testid="study-launch"]').attributes('disabled')).toBeDefined()
    w.unmount()
  })

  it('studies the network in the editor, with its launch training or a recipe for its input shape', async () => {
    const fake = fakeClient({ 'studies:list': () => [], 'studies:preview': (r) => previewOf(r as StudyRequest) })
    setWorkbench(fake.client)
    const editor = useEditorStore()
    const w = mount(StudiesView, stubs)
    await flushPromises()
    const editorOption = w.get('[data-testid="study-base"] option[value="editor"]')
    expect(editorOption.attributes('disabled')).toBeDefined()
    expect(editorOption.text()).toContain('the editor is empty')

    editor.spec = { ...(shapesQuick.network as NetworkSpec), name: 'my net' }
    await flushPromises()
    expect(editorOption.attributes('disabled')).toBeUndefined()
    await w.get('[data-testid="study-base"]').setValue('editor')
    await w.get('[data-testid="study-kind"]').setValue('optimizer')
    expect(w.text()).toContain('my net on shapes, adam lr 0.01')
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    const sent = fake.calls.find((c) => c.channel === 'studies:preview')!.request as StudyRequest
    expect(sent.base.network.name).toBe('my net')
    expect(sent.base.training.dataset.id).toBe('shapes')
    expect(w.findAll('[data-testid="study-preview-variant"]')).toHaveLength(6)

    // A relaunch's training config wins over the recipe.
    editor.launchDefaults = { training: { ...(shapesQuick.training as StudyRequest['base']['training']), batchSize: 8 }, parentRunId: 4 }
    await flushPromises()
    expect(w.find('[data-testid="study-preview"]').exists()).toBe(false)
    await w.get('[data-testid="study-preview-button"]').trigger('click')
    await flushPromises()
    expect((fake.calls.filter((c) => c.channel === 'studies:preview').at(-1)!.request as StudyRequest).base.training.batchSize).toBe(8)
    w.unmount()
  })
})

function reportWith(epochsDone: number): StudyReport {
  const ep = (n: number, t: number, v: number) => Array.from({ length: n }, (_, epoch) => ({ epoch, trainAccuracy: t, valAccuracy: v, trainLoss: 1 - t, valLoss: 1 - v }))
  const runs = [
    { runId: 11, variant: 'SGD', seed: 1, status: epochsDone >= 2 ? 'completed' : 'running', bestEpoch: 0, epochs: ep(epochsDone, 0.9, 0.8) },
    { runId: 12, variant: 'Adam', seed: 1, status: epochsDone >= 2 ? 'completed' : 'running', bestEpoch: 0, epochs: ep(epochsDone, 0.95, 0.9) }
  ]
  const definition = { kind: 'optimizer' as const, factor: 'optimizer', repeats: 1, variants: runs.map((r) => ({ label: r.variant, changes: [`${r.variant} changes`], runIds: [r.runId] })) }
  const results = runs.map((r) => variantResult(r.variant, [{ runId: r.runId, status: r.status, outcome: null, epochs: r.epochs, seconds: 4 }]))
  return { experimentId: 5, name: 'Optimizers · Shapes quick', definition, runs, results, ranking: rankVariants(results).map((r) => r.label), summary: summarizeStudy(definition, results) }
}

describe('StudyView', () => {
  it('shows the summary and ranking, and refreshes about a second after its own runs report', async () => {
    vi.useFakeTimers()
    let epochsDone = 1
    const fake = fakeClient({ 'studies:report': () => reportWith(epochsDone) })
    setWorkbench(fake.client)
    const w = mount(StudyView, { props: { experimentId: 5 }, ...stubs })
    await flushPromises()
    expect(w.get('[data-testid="study-title"]').text()).toBe('Optimizers · Shapes quick')
    expect(w.get('[data-testid="study-summary"]').text()).toBe('No variant has finished yet.')
    expect(w.get('[data-testid="study-ranking-row-1"]').attributes('data-variant')).toBe('Adam')
    expect(w.get('[data-testid="study-ranking-row-1"] [data-testid="study-ranking-best"]').text()).toBe('90.0%')
    expect(w.get('[data-testid="study-ranking-row-2"] [data-testid="study-ranking-gap"]').text()).toBe('10.0')
    expect(w.get('[data-testid="study-ranking-row-1"] [data-testid="study-ranking-progress"]').text()).toContain('0/1 running')
    expect(w.get('[data-testid="study-progress"]').text()).toContain('0/2 runs finished · training…')
    expect(w.get('[data-testid="study-compare"]').attributes('href')).toBe('#/compare?runs=11,12')
    expect(w.get('[data-testid="study-run-link-12"]').attributes('href')).toBe('#/runs/12')
    expect(w.findAll('[data-testid="study-small-multiple"]')).toHaveLength(2)
    expect(fake.count('studies:report')).toBe(1)

    // Another study's run: ignored. Two events of ours within the second: one refresh.
    fake.emit('run:status', { runId: 99, status: 'running' })
    epochsDone = 2
    fake.emit('run:status', { runId: 11, status: 'completed' })
    fake.emit('run:status', { runId: 12, status: 'completed' })
    await vi.advanceTimersByTimeAsync(900)
    expect(fake.count('studies:report')).toBe(1)
    await vi.advanceTimersByTimeAsync(200)
    await flushPromises()
    expect(fake.count('studies:report')).toBe(2)
    expect(w.get('[data-testid="study-progress"]').text()).toBe('2/2 runs finished')
    expect(w.get('[data-testid="study-summary"]').text()).toContain('SGD: training accuracy ended at 90.0% and validation at 80.0%, a gap of 10.0 points.')
    expect(w.get('[data-testid="study-summary"]').text()).toContain('Best validation accuracy: Adam (90.0%).')

    // Finished: the fallback poll stays quiet; unmounting unsubscribes.
    await vi.advanceTimersByTimeAsync(12_000)
    expect(fake.count('studies:report')).toBe(2)
    w.unmount()
    expect([...fake.listeners.values()].every((s) => s.size === 0)).toBe(true)
  })

  it('says so when the study does not exist', async () => {
    setWorkbench(fakeClient({ 'studies:report': () => { throw new Error('study 404 does not exist') } }).client)
    const w = mount(StudyView, { props: { experimentId: 404 }, ...stubs })
    await flushPromises()
    expect(w.get('[data-testid="study-error"]').text()).toBe('study 404 does not exist')
    w.unmount()
  })
})
