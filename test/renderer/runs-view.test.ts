// @vitest-environment happy-dom
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import type { ListRunsQuery, RunRecord, WorkbenchClient, WorkbenchEvent, WorkbenchEvents } from '../../src-main/contract/workbench-api'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useNavigationStore } from '../../src-renderer/src/stores/navigation'
import RunsView from '../../src-renderer/src/views/RunsView.vue'

function run(id: number, name: string, extra: Partial<RunRecord> = {}): RunRecord {
  return {
    id,
    experimentId: null,
    parentRunId: null,
    name,
    status: 'completed',
    createdAt: 1_700_000_000_000 + id,
    startedAt: 1_700_000_000_000,
    finishedAt: 1_700_000_065_000,
    network: { version: 1, input: { shape: [1, 16, 16] }, layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }] },
    training: { version: 1, dataset: { id: 'shapes' }, epochs: 3, batchSize: 32, optimizer: { type: 'adam', lr: 0.001, weightDecay: 0.0005 }, loss: 'cross_entropy', seed: 7 },
    seed: 7,
    dataset: 'shapes',
    summary: { bestValAccuracy: 0.9234, epochsCompleted: 3 },
    bestEpoch: 2,
    error: null,
    notes: '',
    tags: [],
    ...extra
  }
}

/** An in-memory backend that records every runs:list query. */
function fakeClient(runs: RunRecord[]) {
  const queries: ListRunsQuery[] = []
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const calls: string[] = []
  const client: WorkbenchClient = {
    async invoke(channel, request) {
      calls.push(channel)
      const req = request as Record<string, unknown>
      const find = () => runs.find((r) => r.id === req.runId)!
      switch (channel) {
        case 'runs:list': {
          const q = request as ListRunsQuery
          queries.push(q)
          let rows = runs.filter((r) => (q.status === undefined ? true : ([] as string[]).concat(q.status).includes(r.status)))
          if (q.search) rows = rows.filter((r) => r.name.includes(q.search!))
          if (q.sortBy === 'name') rows = [...rows].sort((a, b) => a.name.localeCompare(b.name) * (q.order === 'desc' ? -1 : 1))
          return { rows: rows.slice(q.offset ?? 0, (q.offset ?? 0) + (q.limit ?? 1e9)), total: rows.length } as never
        }
        case 'runs:setTags':
          find().tags = req.tags as string[]
          return { ...find() } as never
        case 'runs:setNotes':
          find().notes = req.notes as string
          return { ...find() } as never
        case 'runs:delete':
          runs.splice(runs.indexOf(find()), 1)
          return { deleted: req.runId } as never
        default:
          throw new Error(`unexpected ${channel}`)
      }
    },
    subscribe(event, cb) {
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      set.add(cb as (p: unknown) => void)
      return () => set.delete(cb as (p: unknown) => void)
    }
  }
  const emit = <E extends WorkbenchEvent>(event: E, payload: WorkbenchEvents[E]) => {
    for (const cb of listeners.get(event) ?? []) cb(payload)
  }
  return { client, queries, calls, emit, listeners }
}

describe('RunsView', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    window.location.hash = '#/runs'
  })

  it('lists runs with status, network, key hyperparameters, best accuracy and duration', async () => {
    const fake = fakeClient([run(1, 'alpha'), run(2, 'beta', { status: 'failed', summary: null, error: { name: 'Error', message: 'boom' } })])
    setWorkbench(fake.client)
    const w = mount(RunsView)
    await flushPromises()
    expect(w.get('[data-testid="runs-total"]').text()).toBe('2')
    const row = w.get('[data-testid="run-row-1"]')
    expect(row.text()).toContain('alpha')
    expect(row.text()).toContain('conv dense')
    expect(row.text()).toContain('adam')
    expect(row.text()).toContain('5e-4')
    expect(row.text()).toContain('1m 05s')
    expect(w.get('[data-testid="run-best-1"]').text()).toBe('92.3%')
    expect(w.get('[data-testid="run-epochs-1"]').text()).toBe('3/3')
    expect(w.get('[data-testid="run-status-2"]').attributes('data-status')).toBe('failed')
    expect(w.get('[data-testid="run-best-2"]').text()).toBe('—')
    w.unmount()
  })

  it('sorts on header clicks (toggling the order), filters by status and search', async () => {
    const fake = fakeClient([run(1, 'alpha'), run(2, 'beta', { status: 'running' })])
    setWorkbench(fake.client)
    const w = mount(RunsView)
    await flushPromises()
    await w.get('[data-testid="runs-sort-name"]').trigger('click')
    await flushPromises()
    expect(fake.queries.at(-1)).toMatchObject({ sortBy: 'name', order: 'asc', offset: 0 })
    expect(w.findAll('tr.run-row').map((r) => r.attributes('data-run-name'))).toEqual(['alpha', 'beta'])
    expect(w.get('th[aria-sort="ascending"]').text()).toContain('Name')
    await w.get('[data-testid="runs-sort-name"]').trigger('click')
    await flushPromises()
    expect(fake.queries.at(-1)).toMatchObject({ sortBy: 'name', order: 'desc' })
    expect(w.findAll('tr.run-row').map((r) => r.attributes('data-run-name'))).toEqual(['beta', 'alpha'])

    await w.get('[data-testid="runs-status-running"]').setValue(true)
    await flushPromises()
    expect(fake.queries.at(-1)).toMatchObject({ status: 'running' })
    expect(w.findAll('tr.run-row')).toHaveLength(1)
    await w.get('[data-testid="runs-status-running"]').setValue(false)
    await flushPromises()

    await w.get('[data-testid="runs-search"]').setValue('alp')
    await vi.waitFor(() => expect(fake.queries.at(-1)).toMatchObject({ search: 'alp' }))
    await flushPromises()
    expect(w.findAll('tr.run-row').map((r) => r.attributes('data-run-name'))).toEqual(['alpha'])
    w.unmount()
  })

  it('selects runs for Compare (enabled from two), opens a run from its row', async () => {
    const fake = fakeClient([run(1, 'alpha'), run(2, 'beta'), run(3, 'gamma')])
    setWorkbench(fake.client)
    const nav = useNavigationStore()
    const w = mount(RunsView)
    await flushPromises()
    const compare = w.get('[data-testid="runs-compare"]')
    expect(compare.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="run-select-3"]').setValue(true)
    expect(compare.attributes('disabled')).toBeDefined()
    await w.get('[data-testid="run-select-1"]').setValue(true)
    expect(compare.attributes('disabled')).toBeUndefined()
    expect(w.get('[data-testid="runs-selected-count"]').text()).toBe('2 selected')
    await compare.trigger('click')
    expect(nav.route).toEqual({ view: 'compare', runIds: [3, 1] })

    // A click on the row opens the run; a click on its checkbox does not.
    await w.get('[data-testid="run-select-2"]').trigger('click')
    expect(nav.route.view).toBe('compare')
    await w.get('[data-testid="run-row-2"] td:nth-child(5)').trigger('click')
    expect(nav.route).toEqual({ view: 'run', runId: 2 })
    w.unmount()
  })

  it('edits tags and notes, deletes after confirming', async () => {
    const runs = [run(1, 'alpha', { tags: ['old'] }), run(2, 'beta')]
    const fake = fakeClient(runs)
    setWorkbench(fake.client)
    const w = mount(RunsView, { attachTo: document.body })
    await flushPromises()

    const tagInput = w.get('[data-testid="run-tag-input-1"]')
    await tagInput.setValue('fresh')
    await tagInput.trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(runs[0]!.tags).toEqual(['old', 'fresh'])
    expect(w.get('[data-testid="run-tags-1"]').text()).toContain('fresh')
    await w.get('[data-testid="run-tag-remove-1-old"]').trigger('click')
    await flushPromises()
    expect(runs[0]!.tags).toEqual(['fresh'])

    await w.get('[data-testid="run-notes-edit-2"]').trigger('click')
    await w.get('[data-testid="run-notes-input-2"]').setValue('try dropout next')
    await w.get('[data-testid="run-notes-save-2"]').trigger('click')
    await flushPromises()
    expect(runs[1]!.notes).toBe('try dropout next')
    expect(w.get('[data-testid="run-notes-2"]').text()).toBe('try dropout next')

    await w.get('[data-testid="run-delete-2"]').trigger('click')
    expect(fake.calls).not.toContain('runs:delete')
    // Focus follows for keyboard users: to Cancel, and back to Delete after cancelling.
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-testid')).toBe('run-delete-cancel-2'))
    await w.get('[data-testid="run-delete-cancel-2"]').trigger('click')
    expect(w.find('[data-testid="run-delete-confirm-2"]').exists()).toBe(false)
    await vi.waitFor(() => expect(document.activeElement?.getAttribute('data-testid')).toBe('run-delete-2'))
    await w.get('[data-testid="run-delete-2"]').trigger('click')
    await w.get('[data-testid="run-delete-confirm-2"]').trigger('click')
    await flushPromises()
    expect(runs.map((r) => r.id)).toEqual([1])
    expect(w.find('[data-testid="run-row-2"]').exists()).toBe(false)
    expect(w.get('[data-testid="runs-total"]').text()).toBe('1')
    w.unmount()
  })

  it('refreshes after a run:status event and shows live epochs and best accuracy from run:epoch; unsubscribes on unmount', async () => {
    const runs = [run(1, 'alpha', { status: 'running', summary: null, finishedAt: null })]
    const fake = fakeClient(runs)
    setWorkbench(fake.client)
    const w = mount(RunsView)
    await flushPromises()
    const listsBefore = fake.queries.length
    fake.emit('run:epoch', {
      runId: 1,
      epoch: { type: 'epoch', epoch: 0, step: 10, trainLoss: 1, trainAccuracy: 0.5, valLoss: 0.9, valAccuracy: 0.61, lr: 0.001, seconds: 1, imagesPerSecond: 100, isBest: true, elapsedMs: 1000 }
    })
    await flushPromises()
    expect(w.get('[data-testid="run-best-1"]').text()).toBe('61.0%')
    expect(w.get('[data-testid="run-epochs-1"]').text()).toBe('1/3')
    runs[0]!.status = 'completed'
    fake.emit('run:status', { runId: 1, status: 'completed' })
    await vi.waitFor(() => expect(w.get('[data-testid="run-status-1"]').attributes('data-status')).toBe('completed'), { timeout: 2000 })
    // The status event's quick refresh replaced the epoch's slower one: one list call for the burst.
    expect(fake.queries.length).toBe(listsBefore + 1)
    w.unmount()
    expect([...fake.listeners.values()].every((s) => s.size === 0)).toBe(true)
  })
})
