import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { WorkbenchEvents } from '../../src-main/contract/workbench-api'
import { RunStore } from '../../src-main/store/run-store'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { network, PROCESS_TEST_BACKEND, STEPS_PER_EPOCH, training } from '../runs/helpers'

let backends: WorkbenchBackend[] = []
afterEach(() => {
  for (const b of backends) b.close()
  backends = []
})

function dbPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tatami-service-')), 'tatami.sqlite')
}

function open(path = dbPath(), concurrency = 2): WorkbenchBackend {
  const b = startWorkbenchBackend({ dbPath: path, concurrency, backend: PROCESS_TEST_BACKEND })
  backends.push(b)
  return b
}

async function waitFor(b: WorkbenchBackend, runId: number, predicate: (s: WorkbenchEvents['run:status']) => boolean): Promise<WorkbenchEvents['run:status']> {
  return new Promise((resolve) => {
    const off = b.service.events.on('run:status', (e) => {
      if (e.runId === runId && predicate(e)) {
        off()
        resolve(e)
      }
    })
  })
}

describe('workbench service (real store, real engine)', () => {
  it('start → completed, visible through runs:get, runs:list and metrics:series; events are forwarded', async () => {
    const b = open()
    const statuses: string[] = []
    let steps = 0
    let epochs = 0
    b.service.events.on('run:status', (e) => statuses.push(e.status))
    b.service.events.on('run:steps', (e) => (steps += e.steps.length))
    b.service.events.on('run:epoch', () => epochs++)
    const starts: number[] = []
    b.service.events.on('run:start', (e) => starts.push(e.start.stepsPerEpoch))
    const run = await b.service.invoke('runs:start', { name: 'tiny', network, training: training(1) })
    expect(run).toMatchObject({ name: 'tiny', status: 'running', seed: 3, dataset: 'shapes' })
    expect(await b.manager.settled(String(run.id))).toBe('completed')
    const done = await b.service.invoke('runs:get', { runId: run.id })
    expect(done).toMatchObject({ status: 'completed', summary: { epochsCompleted: 1, outcome: 'completed', stepsPerEpoch: STEPS_PER_EPOCH, backend: expect.stringMatching(/^(js|wasm-simd|wasm-relaxed)$/) } })
    expect(starts).toEqual([STEPS_PER_EPOCH])
    expect(statuses).toEqual(['queued', 'running', 'completed'])
    expect(steps).toBe(STEPS_PER_EPOCH)
    expect(epochs).toBe(1)
    const loss = await b.service.invoke('metrics:series', { runId: run.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    expect(loss).toHaveLength(STEPS_PER_EPOCH)
    expect(await b.service.invoke('metrics:series', { runId: run.id, name: 'accuracy', split: 'val' })).toHaveLength(1)
    const list = await b.service.invoke('runs:list', { status: 'completed' })
    expect(list.total).toBe(1)
    expect((await b.service.invoke('runs:setNotes', { runId: run.id, notes: 'baseline' })).notes).toBe('baseline')
    expect((await b.service.invoke('runs:setTags', { runId: run.id, tags: ['a', 'b', 'a'] })).tags).toEqual(['a', 'b'])
    await expect(b.service.invoke('runs:resume', { runId: run.id })).rejects.toMatchObject({ name: 'Conflict' })
    await expect(b.service.invoke('runs:start', { network, training: { ...training(1), epochs: 0 } })).rejects.toMatchObject({
      name: 'BadRequest',
      message: expect.stringMatching(/^runs:start: training\.epochs/)
    })
  })

  it('pause → resume continues from the checkpoint to completion', async () => {
    const b = open()
    const run = await b.service.invoke('runs:start', { network, training: training(2) })
    const offSteps = b.service.events.on('run:steps', (e) => {
      if (e.runId === run.id && e.steps.some((s) => s.step >= 5)) {
        offSteps()
        void b.service.invoke('runs:pause', { runId: run.id })
      }
    })
    expect(await b.manager.settled(String(run.id))).toBe('paused')
    const paused = await b.service.invoke('runs:get', { runId: run.id })
    expect(paused!.status).toBe('paused')
    expect(b.store.loadCheckpoint(run.id, 'latest')).not.toBeNull()
    const resumed = await b.service.invoke('runs:resume', { runId: run.id })
    expect(resumed.status).toBe('running')
    expect(await b.manager.settled(String(run.id))).toBe('completed')
    const loss = await b.service.invoke('metrics:series', { runId: run.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    expect(loss.map((p) => p.step)).toEqual(Array.from({ length: 2 * STEPS_PER_EPOCH }, (_, i) => i + 1))
  })

  it('rerun creates a child run with the same config (and the new seed); delete stops and removes', async () => {
    const b = open()
    const parent = await b.service.invoke('runs:start', { name: 'p', network, training: training(1) })
    const child = await b.service.invoke('runs:rerun', { runId: parent.id, newSeed: 11 })
    expect(child).toMatchObject({ parentRunId: parent.id, seed: 11, network: parent.network })
    expect({ ...child.training, seed: 3 }).toEqual(parent.training)
    const diff = await b.service.invoke('compare:hyperparameters', { runIds: [parent.id, child.id] })
    expect(diff.map((d) => d.key)).toContain('seed')
    // Delete the child while it trains: it is stopped first, then removed.
    const deleted = await b.service.invoke('runs:delete', { runId: child.id })
    expect(deleted).toEqual({ deleted: child.id })
    expect(await b.service.invoke('runs:get', { runId: child.id })).toBeNull()
    await expect(b.service.invoke('runs:pause', { runId: child.id })).rejects.toMatchObject({ name: 'NotFound' })
    expect(await b.manager.settled(String(parent.id))).toBe('completed')
    const same = await b.service.invoke('runs:rerun', { runId: parent.id })
    expect(same.seed).toBe(3)
    expect(await b.manager.settled(String(same.id))).toBe('completed')
    const a = await b.service.invoke('metrics:series', { runId: parent.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    const c = await b.service.invoke('metrics:series', { runId: same.id, name: 'loss', split: 'train', maxPoints: 10_000 })
    expect(c.map((p) => p.value)).toEqual(a.map((p) => p.value))
  })

  it('stop ends a running run as stopped', async () => {
    const b = open()
    const run = await b.service.invoke('runs:start', { network, training: training(5) })
    expect(run.status).toBe('running')
    await new Promise<void>((resolve) => {
      const off = b.service.events.on('run:steps', (e) => {
        if (e.runId === run.id) {
          off()
          resolve()
        }
      })
    })
    const finished = waitFor(b, run.id, (e) => e.status !== 'running')
    await b.service.invoke('runs:stop', { runId: run.id })
    expect((await finished).status).toBe('stopped')
    expect(await b.manager.settled(String(run.id))).toBe('stopped')
    expect((await b.service.invoke('runs:get', { runId: run.id }))!.status).toBe('stopped')
  })

  it('restart recovery: a run left running becomes interrupted and can be resumed', async () => {
    const path = dbPath()
    const store = RunStore.open(path)
    const id = store.createRun({ name: 'crashed', network, training: training(1) })
    store.setStatus(id, 'running', { startedAt: Date.now() })
    store.close()
    const b = open(path)
    expect(b.recovered).toEqual([id])
    expect((await b.service.invoke('runs:get', { runId: id }))!.status).toBe('interrupted')
    await b.service.invoke('runs:resume', { runId: id })
    expect(await b.manager.settled(String(id))).toBe('completed')
  })

  it('restart recovery: runs left queued by a process that died are queued again and train', async () => {
    const path = dbPath()
    const store = RunStore.open(path)
    const first = store.createRun({ name: 'waiting 1', network, training: training(1) })
    const second = store.createRun({ name: 'waiting 2', network, training: training(1) })
    // A queued run that belongs to another live process is left to that process.
    const other = store.createRun({ name: 'someone else', network, training: training(1) })
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(process.ppid, other)
    store.close()
    const b = open(path)
    expect(b.requeued).toEqual([first, second])
    expect(await b.manager.settled(String(first))).toBe('completed')
    expect(await b.manager.settled(String(second))).toBe('completed')
    expect((await b.service.invoke('runs:get', { runId: other }))!.status).toBe('queued')
  })

  it('networks: save, list, get', async () => {
    const b = open()
    await b.service.invoke('networks:save', { name: 'tiny', spec: network })
    const v2 = await b.service.invoke('networks:save', { name: 'tiny', spec: { ...network, name: 'v2' } })
    expect(v2.version).toBe(2)
    expect(await b.service.invoke('networks:list', {})).toMatchObject([{ name: 'tiny', latestVersion: 2, versions: 2 }])
    expect((await b.service.invoke('networks:get', { name: 'tiny', version: 1 }))!.spec).toEqual(network)
    expect(await b.service.invoke('networks:get', { name: 'nope' })).toBeNull()
  })

  it('datasets: lists the built-in datasets', async () => {
    const b = open()
    expect((await b.service.invoke('datasets:list', {})).map((d) => d.id)).toEqual(['mnist-10k', 'shapes'])
  })

  it('clone and edit: a run started from another records its parent; an unknown parent is refused', async () => {
    const b = open()
    const first = await b.service.invoke('runs:start', { network, training: training(1) })
    const edited = await b.service.invoke('runs:start', { network, training: { ...training(1), optimizer: { type: 'sgd', lr: 0.05 } }, parentRunId: first.id })
    expect(edited.parentRunId).toBe(first.id)
    await expect(b.service.invoke('runs:start', { network, training: training(1), parentRunId: 999 })).rejects.toMatchObject({ name: 'NotFound' })
    await expect(b.service.invoke('runs:start', { network, training: training(1), parentRunId: -1 })).rejects.toMatchObject({ name: 'BadRequest' })
    await b.service.invoke('runs:stop', { runId: first.id })
    await b.service.invoke('runs:stop', { runId: edited.id })
  })
})
