import { describe, it, expect, beforeEach, afterEach } from 'vitest'
import { RunStore } from '../../src-main/store/run-store'
import { StoreError } from '../../src-main/store/errors'
import type { MetricRow } from '../../src-main/store/types'
import { network, newRun, tempDbPath, training } from './fixtures'

let store: RunStore
let path: string

beforeEach(() => {
  path = tempDbPath()
  store = RunStore.open(path)
})
afterEach(() => store.close())

function count(sql: string, ...params: (string | number)[]): number {
  return (store.db.prepare(sql).get(...params) as { n: number }).n
}

describe('runs', () => {
  it('creates a queued run with its specs, seed, dataset and flattened hyperparameters', () => {
    const id = store.createRun(newRun('baseline', { tags: ['a', 'b'], lr: 0.003, seed: 9, trainSize: 500 }))
    const run = store.getRun(id)!
    expect(run).toMatchObject({ id, name: 'baseline', status: 'queued', seed: 9, dataset: 'shapes', tags: ['a', 'b'], notes: '', summary: null, error: null })
    expect(run.network).toEqual(network())
    expect(run.training).toEqual(training({ lr: 0.003, seed: 9, trainSize: 500 }))
    const hp = store.hyperparameters(id)
    expect(hp['optimizer.lr']).toBe('0.003')
    expect(hp['optimizer.type']).toBe('adam')
    expect(hp['dataset.trainSize']).toBe('500')
    expect(hp['augmentation.shift']).toBe('1')
    expect(hp['network.layers']).toBe('7')
    expect(hp['network.layer.4.rate']).toBe('0.2')
    expect(hp['network.input']).toBe('[1,16,16]')
    expect(Number(hp['network.params'])).toBeGreaterThan(0)
    expect(store.getRun(id + 100)).toBeNull()
  })

  it('updates status with timestamps and errors, summary, notes and tags', () => {
    const id = store.createRun(newRun('r'))
    store.setStatus(id, 'running')
    const started = store.getRun(id)!.startedAt
    expect(started).toBeTypeOf('number')
    store.setStatus(id, 'failed', { error: { name: 'Error', message: 'boom' } })
    let run = store.getRun(id)!
    expect(run.status).toBe('failed')
    expect(run.startedAt).toBe(started)
    expect(run.finishedAt).toBeTypeOf('number')
    expect(run.error).toEqual({ name: 'Error', message: 'boom' })
    store.setStatus(id, 'running', { error: null, startedAt: 42 })
    store.setSummary(id, { bestValAccuracy: 0.9, finalTrainLoss: 0.1 }, 3)
    store.setNotes(id, 'too much dropout?')
    store.setTags(id, ['x', ' x ', '', 'y'])
    run = store.getRun(id)!
    expect(run).toMatchObject({ status: 'running', error: null, startedAt: 42, summary: { bestValAccuracy: 0.9, finalTrainLoss: 0.1 }, bestEpoch: 3, notes: 'too much dropout?', tags: ['x', 'y'] })
  })

  it('refuses unknown runs and invalid statuses with typed errors', () => {
    expect(() => store.setStatus(999, 'running')).toThrow(expect.objectContaining({ code: 'not_found' }))
    expect(() => store.deleteRun(999)).toThrow(StoreError)
    expect(() => store.appendMetrics(999, [{ step: 0, epoch: 0, split: 'train', name: 'loss', value: 1 }])).toThrow(expect.objectContaining({ code: 'not_found' }))
    const id = store.createRun(newRun('r'))
    expect(() => store.setStatus(id, 'bogus' as 'running')).toThrow(expect.objectContaining({ code: 'invalid' }))
    expect(() => store.createRun(newRun('orphan', { experimentId: 12345 }))).toThrow(expect.objectContaining({ code: 'invalid' }))
    expect(count('SELECT COUNT(*) AS n FROM runs')).toBe(1)
  })

  it('links runs to experiments and parents', () => {
    const exp = store.createExperiment('dropout sweep', 'sweep')
    const parent = store.createRun(newRun('p', { experimentId: exp }))
    const child = store.createRun(newRun('c', { experimentId: exp, parentRunId: parent }))
    expect(store.getRun(child)).toMatchObject({ experimentId: exp, parentRunId: parent })
    expect(store.getExperiment(exp)).toMatchObject({ id: exp, name: 'dropout sweep', kind: 'sweep' })
    expect(store.listExperiments().map((e) => e.id)).toEqual([exp])
    expect(store.listRuns({ experimentId: exp }).total).toBe(2)
    store.deleteRun(parent)
    expect(store.getRun(child)!.parentRunId).toBeNull()
  })

  it('deletes a run with its metrics, hyperparameters, checkpoints and artifacts, and nothing of other runs', () => {
    const a = store.createRun(newRun('a'))
    const b = store.createRun(newRun('b'))
    for (const id of [a, b]) {
      store.appendMetrics(id, [{ step: 0, epoch: 0, split: 'train', name: 'loss', value: 1 }])
      store.saveCheckpoint(id, 'latest', { bytes: new Uint8Array([1, 2, 3]), epoch: 0, step: 0 })
      store.saveArtifact(id, 'final_weights', new Uint8Array([4]))
    }
    store.deleteRun(a)
    expect(store.getRun(a)).toBeNull()
    for (const table of ['metrics', 'hyperparameters', 'checkpoints', 'artifacts']) {
      expect(count(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`, a)).toBe(0)
      expect(count(`SELECT COUNT(*) AS n FROM ${table} WHERE run_id = ?`, b)).toBeGreaterThan(0)
    }
  })

  it('turns runs left running into interrupted after a reopen, and only those', () => {
    const running = store.createRun(newRun('running'))
    const running2 = store.createRun(newRun('running2'))
    const paused = store.createRun(newRun('paused'))
    const done = store.createRun(newRun('done'))
    const queued = store.createRun(newRun('queued'))
    store.setStatus(running, 'running')
    store.setStatus(running2, 'running')
    store.setStatus(paused, 'paused')
    store.setStatus(done, 'completed')
    store.appendMetrics(running, [{ step: 5, epoch: 0, split: 'train', name: 'loss', value: 0.5 }])
    store.close() // as if the app had been killed
    store = RunStore.open(path)
    expect(store.markInterruptedRuns()).toEqual([running, running2])
    expect(store.getRun(running)!.status).toBe('interrupted')
    expect(store.getRun(paused)!.status).toBe('paused')
    expect(store.getRun(done)!.status).toBe('completed')
    expect(store.getRun(queued)!.status).toBe('queued')
    expect(store.metricSeries(running, 'loss', 'train')).toHaveLength(1)
    expect(store.markInterruptedRuns()).toEqual([])
  })
})

describe('listRuns', () => {
  let ids: Record<string, number>
  beforeEach(() => {
    ids = {}
    const specs: [string, { lr: number; tags: string[]; notes?: string }, string, number | null][] = [
      ['Alpha', { lr: 0.1, tags: ['dropout'] }, 'completed', 0.8],
      ['beta', { lr: 0.01, tags: ['baseline'], notes: 'the 100% reference' }, 'completed', 0.95],
      ['gamma', { lr: 0.001, tags: ['dropout', 'wd'] }, 'failed', null],
      ['delta_1', { lr: 0.05, tags: [] }, 'running', 0.5],
      ['epsilon', { lr: 0.02, tags: ['wd'] }, 'queued', null]
    ]
    for (const [name, opts, status, acc] of specs) {
      const id = store.createRun(newRun(name, { lr: opts.lr, tags: opts.tags, notes: opts.notes }))
      if (status !== 'queued') store.setStatus(id, status as 'completed')
      if (acc !== null) store.setSummary(id, { bestValAccuracy: acc })
      ids[name] = id
    }
  })
  const names = (r: { rows: { name: string }[] }) => r.rows.map((x) => x.name)

  it('lists newest first by default with a total', () => {
    const r = store.listRuns()
    expect(r.total).toBe(5)
    expect(names(r)).toEqual(['epsilon', 'delta_1', 'gamma', 'beta', 'Alpha'])
  })

  it('filters by status, tag, search and hyperparameter', () => {
    expect(names(store.listRuns({ status: 'completed', sortBy: 'name' }))).toEqual(['Alpha', 'beta'])
    expect(names(store.listRuns({ status: ['failed', 'running'], sortBy: 'name' }))).toEqual(['delta_1', 'gamma'])
    expect(names(store.listRuns({ tag: 'wd', sortBy: 'name' }))).toEqual(['epsilon', 'gamma'])
    expect(names(store.listRuns({ tag: 'dropout', status: 'failed' }))).toEqual(['gamma'])
    expect(names(store.listRuns({ search: 'ALPH' }))).toEqual(['Alpha'])
    expect(names(store.listRuns({ search: '100%' }))).toEqual(['beta']) // LIKE wildcards are escaped
    expect(names(store.listRuns({ search: 'a_1' }))).toEqual(['delta_1'])
    expect(names(store.listRuns({ hyperparameters: { 'optimizer.lr': 0.01 } }))).toEqual(['beta'])
    expect(names(store.listRuns({ hyperparameters: { 'optimizer.type': 'adam' } }))).toHaveLength(5)
    expect(store.listRuns({ status: [] })).toEqual({ rows: [], total: 0 })
  })

  it('sorts by name, status, best validation accuracy (missing last) and a hyperparameter', () => {
    expect(names(store.listRuns({ sortBy: 'name' }))).toEqual(['Alpha', 'beta', 'delta_1', 'epsilon', 'gamma'])
    expect(names(store.listRuns({ sortBy: 'name', order: 'desc' }))).toEqual(['gamma', 'epsilon', 'delta_1', 'beta', 'Alpha'])
    expect(store.listRuns({ sortBy: 'status' }).rows.map((r) => r.status)).toEqual(['completed', 'completed', 'failed', 'queued', 'running'])
    expect(names(store.listRuns({ sortBy: 'bestValAccuracy' })).slice(0, 3)).toEqual(['beta', 'Alpha', 'delta_1'])
    expect(names(store.listRuns({ sortBy: 'bestValAccuracy', order: 'asc' })).slice(0, 3)).toEqual(['delta_1', 'Alpha', 'beta'])
    expect(names(store.listRuns({ sortBy: 'hp:optimizer.lr' }))).toEqual(['gamma', 'beta', 'epsilon', 'delta_1', 'Alpha'])
    expect(() => store.listRuns({ sortBy: 'size' as 'name' })).toThrow(expect.objectContaining({ code: 'invalid' }))
  })

  it('pages with limit and offset, the total ignoring paging', () => {
    const p1 = store.listRuns({ sortBy: 'name', limit: 2 })
    const p2 = store.listRuns({ sortBy: 'name', limit: 2, offset: 2 })
    const p3 = store.listRuns({ sortBy: 'name', limit: 2, offset: 4 })
    expect([p1.total, p2.total, p3.total]).toEqual([5, 5, 5])
    expect([...names(p1), ...names(p2), ...names(p3)]).toEqual(['Alpha', 'beta', 'delta_1', 'epsilon', 'gamma'])
    expect(names(store.listRuns({ sortBy: 'name', limit: 2, offset: 10 }))).toEqual([])
  })
})

describe('metrics', () => {
  function series(n: number, value: (i: number) => number, split: 'train' | 'val' = 'train', name = 'loss'): MetricRow[] {
    return Array.from({ length: n }, (_, i) => ({ step: i, epoch: Math.floor(i / 100), split, name, value: value(i), elapsedMs: i * 10 }))
  }

  it('returns the exact series when it has at most maxPoints rows', () => {
    const id = store.createRun(newRun('r'))
    const rows = series(50, (i) => 1 / (i + 1))
    store.appendMetrics(id, rows.slice(0, 20))
    store.appendMetrics(id, rows.slice(20))
    store.appendMetrics(id, series(50, () => 7, 'val'))
    const s = store.metricSeries(id, 'loss', 'train', 50)
    expect(s).toEqual(rows.map((r) => ({ step: r.step, epoch: r.epoch, value: r.value, elapsedMs: r.elapsedMs })))
    expect(store.metricSeries(id, 'loss', 'val', 1000).every((p) => p.value === 7)).toBe(true)
    expect(store.metricSeries(id, 'accuracy', 'train', 10)).toEqual([])
    expect(store.metricNames(id)).toEqual([
      { name: 'loss', split: 'train', count: 50 },
      { name: 'loss', split: 'val', count: 50 }
    ])
  })

  it('decimates to at most maxPoints, in step order, keeping a single spike and the minimum', () => {
    const id = store.createRun(newRun('r'))
    const n = 100_000
    store.appendMetrics(id, series(n, (i) => (i === 61_803 ? 50 : i === 12_345 ? -3 : 1 + Math.sin(i / 1000) * 0.1)))
    for (const maxPoints of [2, 3, 101, 500, 1000]) {
      const s = store.metricSeries(id, 'loss', 'train', maxPoints)
      expect(s.length).toBeLessThanOrEqual(maxPoints)
      expect(s.length).toBeGreaterThanOrEqual(Math.min(maxPoints - 1, 2))
      expect(s.some((p) => p.value === 50 && p.step === 61_803 && p.elapsedMs === 618_030)).toBe(true)
      expect(s.some((p) => p.value === -3 && p.step === 12_345)).toBe(true)
      for (let i = 1; i < s.length; i++) expect(s[i].step).toBeGreaterThan(s[i - 1].step)
    }
    // Buckets span the whole run.
    const s = store.metricSeries(id, 'loss', 'train', 1000)
    expect(s[0].step).toBeLessThan(200)
    expect(s[s.length - 1].step).toBeGreaterThan(n - 200)
    expect(() => store.metricSeries(id, 'loss', 'train', 1)).toThrow(expect.objectContaining({ code: 'invalid' }))
  })

  it('decimates sparse, irregular steps too (e.g. validation once per epoch)', () => {
    const id = store.createRun(newRun('r'))
    const rows: MetricRow[] = Array.from({ length: 3000 }, (_, i) => ({ step: i * 37 + (i % 5), epoch: i, split: 'val', name: 'accuracy', value: i === 1717 ? -1 : 0.5 }))
    store.appendMetrics(id, rows)
    const s = store.metricSeries(id, 'accuracy', 'val', 100)
    expect(s.length).toBeLessThanOrEqual(100)
    expect(s.length).toBeGreaterThanOrEqual(50)
    expect(s.find((p) => p.value === -1)).toEqual({ step: 1717 * 37 + 2, epoch: 1717, value: -1, elapsedMs: 0 })
    expect(store.metricSeries(id, 'accuracy', 'val', 3000)).toHaveLength(3000)
  })

  it('stores NaN as null and lets a replayed step replace the stored one', () => {
    const id = store.createRun(newRun('r'))
    store.appendMetrics(id, [
      { step: 0, epoch: 0, split: 'train', name: 'loss', value: 2 },
      { step: 1, epoch: 0, split: 'train', name: 'loss', value: Number.NaN }
    ])
    store.appendMetrics(id, [{ step: 0, epoch: 0, split: 'train', name: 'loss', value: 3, elapsedMs: 5 }])
    expect(store.metricSeries(id, 'loss', 'train')).toEqual([
      { step: 0, epoch: 0, value: 3, elapsedMs: 5 },
      { step: 1, epoch: 0, value: null, elapsedMs: 0 }
    ])
  })
})

describe('checkpoints and artifacts', () => {
  it('keeps one latest and one best checkpoint per run, replacing on save', () => {
    const id = store.createRun(newRun('r'))
    expect(store.loadCheckpoint(id, 'latest')).toBeNull()
    store.saveCheckpoint(id, 'latest', { bytes: new Uint8Array([1, 2, 3]), epoch: 0, step: 10 })
    store.saveCheckpoint(id, 'best', { bytes: new Uint8Array([9]), epoch: 0, step: 10 })
    const big = new Uint8Array(300_000).map((_, i) => i % 251)
    store.saveCheckpoint(id, 'latest', { bytes: big.subarray(1000), epoch: 1, step: 20 })
    const latest = store.loadCheckpoint(id, 'latest')!
    expect(latest).toMatchObject({ runId: id, kind: 'latest', epoch: 1, step: 20 })
    expect(latest.bytes).toBeInstanceOf(Uint8Array)
    expect(Buffer.from(latest.bytes).equals(Buffer.from(big.subarray(1000)))).toBe(true)
    expect([...store.loadCheckpoint(id, 'best')!.bytes]).toEqual([9])
    expect(count('SELECT COUNT(*) AS n FROM checkpoints WHERE run_id = ?', id)).toBe(2)
  })

  it('stores artifacts by kind', () => {
    const id = store.createRun(newRun('r'))
    store.saveArtifact(id, 'final_weights', new Uint8Array([1, 2]))
    store.saveArtifact(id, 'best_weights', new Uint8Array([3]))
    store.saveArtifact(id, 'final_weights', new Uint8Array([4, 5, 6]))
    expect([...store.loadArtifact(id, 'final_weights')!.bytes]).toEqual([4, 5, 6])
    expect(store.loadArtifact(id, 'onnx')).toBeNull()
    expect(store.listArtifacts(id).map((a) => [a.kind, a.size])).toEqual([
      ['best_weights', 1],
      ['final_weights', 3]
    ])
  })
})

describe('differingHyperparameters', () => {
  it('returns only the keys that differ, with every run’s value, including keys some runs lack', () => {
    const a = store.createRun(newRun('a', { lr: 0.01, seed: 1 }))
    const b = store.createRun(newRun('b', { lr: 0.001, seed: 1 }))
    const c = store.createRun({ name: 'c', network: network(0.5), training: training({ lr: 0.01, seed: 1, trainSize: 500 }) })
    const diff = store.differingHyperparameters([a, b, c])
    expect(diff.map((d) => d.key)).toEqual(['dataset.trainSize', 'network.layer.4.rate', 'optimizer.lr'])
    expect(diff.find((d) => d.key === 'optimizer.lr')!.values).toEqual([
      { runId: a, value: '0.01', numeric: 0.01 },
      { runId: b, value: '0.001', numeric: 0.001 },
      { runId: c, value: '0.01', numeric: 0.01 }
    ])
    expect(diff[0].values.map((v) => v.value)).toEqual([null, null, '500'])
    expect(store.differingHyperparameters([a, b]).map((d) => d.key)).toEqual(['optimizer.lr'])
    expect(store.differingHyperparameters([a])).toEqual([])
  })
})

describe('saved networks', () => {
  it('versions documents by name', () => {
    const v1 = store.saveNetwork('LeNet', network(0.1))
    const v2 = store.saveNetwork('LeNet', network(0.3))
    store.saveNetwork('mlp', network(0))
    expect([v1.version, v2.version]).toEqual([1, 2])
    expect(store.getNetwork('LeNet')).toMatchObject({ id: v2.id, version: 2, spec: network(0.3) })
    expect(store.getNetwork('LeNet', 1)!.spec).toEqual(network(0.1))
    expect(store.getNetwork('LeNet', 3)).toBeNull()
    expect(store.getNetwork('nope')).toBeNull()
    expect(store.listNetworks().map((n) => [n.name, n.latestVersion, n.versions, n.id])).toEqual([
      ['LeNet', 2, 2, v2.id],
      ['mlp', 1, 1, v2.id + 1]
    ])
    expect(store.networkVersions('LeNet').map((v) => v.version)).toEqual([1, 2])
    expect(store.deleteNetwork('LeNet')).toBe(2)
    expect(store.listNetworks().map((n) => n.name)).toEqual(['mlp'])
  })
})
