// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import LaunchPanel from '../../src-renderer/src/components/launch/LaunchPanel.vue'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import type { RunRecord, WorkbenchChannel, WorkbenchClient, WorkbenchRequest } from '../../src-main/contract/workbench-api'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'

const network: NetworkSpec = { version: 1, name: 'tiny', input: { shape: [1, 28, 28] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 10 }, { type: 'softmax' }] }

interface Call {
  channel: WorkbenchChannel
  request: unknown
}

function fakeClient(options: { failStart?: string } = {}): { client: WorkbenchClient; calls: Call[] } {
  const calls: Call[] = []
  const client: WorkbenchClient = {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>) {
      calls.push({ channel, request: structuredClone(request) })
      if (channel === 'datasets:list') return [{ id: 'mnist-10k', title: 'MNIST digits' }, { id: 'shapes', title: 'Shapes' }] as never
      if (channel === 'runs:start') {
        if (options.failStart) throw Object.assign(new Error(options.failStart), { name: 'BadRequest' })
        return { id: 42 } as RunRecord as never
      }
      throw new Error(`unexpected channel ${channel}`)
    },
    subscribe: () => () => {}
  }
  return { client, calls }
}

function mountPanel(props: { initialTraining?: TrainConfig | null; parentRunId?: number | null } = {}) {
  return mount(LaunchPanel, {
    props: { network, networkName: 'tiny', initialTraining: props.initialTraining ?? null, parentRunId: props.parentRunId ?? null },
    attachTo: document.body
  })
}

beforeEach(() => setActivePinia(createPinia()))

describe('LaunchPanel', () => {
  it('lists the datasets, launches the defaults and emits launched with the new run id', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const w = mountPanel()
    await flushPromises()
    expect(w.findAll('[data-testid="launch-dataset"] option').map((o) => o.attributes('value'))).toEqual(['mnist-10k', 'shapes'])
    expect(w.find('[data-testid="launch-problems"]').exists()).toBe(false)
    await w.find('[data-testid="launch-name"]').setValue('baseline')
    await w.find('[data-testid="launch-train-size"]').setValue('500')
    await w.find('[data-testid="launch-epochs"]').setValue('2')
    await w.find('form').trigger('submit')
    await flushPromises()
    const start = calls.find((c) => c.channel === 'runs:start')
    expect(start?.request).toEqual({
      name: 'baseline',
      network,
      training: {
        version: 1,
        dataset: { id: 'mnist-10k', validationSize: 2000, trainSize: 500 },
        epochs: 2,
        batchSize: 64,
        optimizer: { type: 'adam', lr: 0.001 },
        loss: 'cross_entropy',
        normalization: { kind: 'minmax', range: [0, 1] },
        seed: 1
      }
    })
    expect(w.emitted('launched')).toEqual([[42]])
    w.unmount()
  })

  it('shows the fields of the chosen optimizer only and sends just those', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const w = mountPanel()
    await flushPromises()
    const shown = () => w.findAll('[data-testid^="launch-opt-"]').map((e) => e.attributes('data-testid'))
    expect(shown()).toEqual(['launch-opt-beta1', 'launch-opt-beta2', 'launch-opt-eps', 'launch-opt-weightDecay'])
    await w.find('[data-testid="launch-optimizer"]').setValue('momentum')
    expect(shown()).toEqual(['launch-opt-momentum', 'launch-opt-weightDecay'])
    expect(w.find('[data-testid="launch-opt-momentum"]').attributes('placeholder')).toBe('0.9')
    await w.find('[data-testid="launch-opt-momentum"]').setValue('0.95')
    await w.find('[data-testid="launch-lr"]').setValue('0.05')
    await w.find('form').trigger('submit')
    await flushPromises()
    const start = calls.find((c) => c.channel === 'runs:start')!.request as { training: TrainConfig }
    expect(start.training.optimizer).toEqual({ type: 'momentum', lr: 0.05, momentum: 0.95 })
    w.unmount()
  })

  it('puts messages beside their fields, lists them above Launch and disables it while invalid', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const w = mountPanel()
    await flushPromises()
    await w.find('[data-testid="launch-lr"]').setValue('0')
    await w.find('[data-testid="launch-batch-size"]').setValue('')
    expect(w.find('[data-testid="launch-error-optimizer.lr"]').text()).toBe('optimizer.lr must be a positive number, got 0')
    expect(w.find('[data-testid="launch-lr"]').attributes('aria-invalid')).toBe('true')
    expect(w.find('[data-testid="launch-error-batchSize"]').text()).toBe('batchSize must be a whole number from 1 to 65536, got nothing')
    expect(w.find('[data-testid="launch-problems"]').findAll('li')).toHaveLength(2)
    expect(w.find('[data-testid="launch-submit"]').attributes('disabled')).toBeDefined()
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(calls.some((c) => c.channel === 'runs:start')).toBe(false)
    await w.find('[data-testid="launch-lr"]').setValue('0.01')
    await w.find('[data-testid="launch-batch-size"]').setValue('32')
    expect(w.find('[data-testid="launch-problems"]').exists()).toBe(false)
    expect(w.find('[data-testid="launch-submit"]').attributes('disabled')).toBeUndefined()
    w.unmount()
  })

  it('pre-fills from a relaunched run and records its parent', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const initial: TrainConfig = {
      version: 1,
      dataset: { id: 'shapes', validationSize: 200 },
      epochs: 3,
      batchSize: 16,
      optimizer: { type: 'sgd', lr: 0.1, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99, weightDecay: 0, decayAll: false },
      schedule: { type: 'step', stepSize: 2, gamma: 0.5 },
      loss: 'cross_entropy',
      earlyStopping: { metric: 'val_loss', patience: 2 },
      seed: 5
    }
    const w = mountPanel({ initialTraining: initial, parentRunId: 7 })
    await flushPromises()
    expect((w.find('[data-testid="launch-dataset"]').element as HTMLSelectElement).value).toBe('shapes')
    expect((w.find('[data-testid="launch-schedule-step-size"]').element as HTMLInputElement).value).toBe('2')
    expect((w.find('[data-testid="launch-es-patience"]').element as HTMLInputElement).value).toBe('2')
    expect(w.find('[data-testid="launch-parent"]').text()).toContain('#7')
    await w.find('form').trigger('submit')
    await flushPromises()
    const req = calls.find((c) => c.channel === 'runs:start')!.request as { parentRunId: number; training: TrainConfig; name: string }
    expect(req.parentRunId).toBe(7)
    expect(req.name).toBe('tiny')
    expect(req.training).toEqual({
      version: 1,
      dataset: { id: 'shapes', validationSize: 200 },
      epochs: 3,
      batchSize: 16,
      optimizer: { type: 'sgd', lr: 0.1, weightDecay: 0 },
      schedule: { type: 'step', stepSize: 2, gamma: 0.5 },
      loss: 'cross_entropy',
      earlyStopping: { metric: 'val_loss', patience: 2, restoreBest: true },
      seed: 5
    })
  })

  it('shows what the backend said when the run does not start, and a random seed on request', async () => {
    const { client } = fakeClient({ failStart: 'runs:start: training.dataset.id: unknown dataset "x"' })
    setWorkbench(client)
    const w = mountPanel()
    await flushPromises()
    await w.find('[data-testid="launch-random-seed"]').trigger('click')
    const seed = Number((w.find('[data-testid="launch-seed"]').element as HTMLInputElement).value)
    expect(Number.isInteger(seed) && seed >= 0).toBe(true)
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-testid="launch-backend-error"]').text()).toContain('unknown dataset "x"')
    expect(w.emitted('launched')).toBeUndefined()
    await w.find('[data-testid="launch-cancel"]').trigger('click')
    expect(w.emitted('cancel')).toHaveLength(1)
    w.unmount()
  })
})
