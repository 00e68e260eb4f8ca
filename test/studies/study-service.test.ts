import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { validateRequest } from '../../src-main/contract/validate'
import { network, training } from '../runs/helpers'

let backends: WorkbenchBackend[] = []
afterEach(() => {
  for (const b of backends) b.close()
  backends = []
})

function open(): WorkbenchBackend {
  const b = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-study-')), 'tatami.sqlite'), concurrency: 2 })
  backends.push(b)
  return b
}

// A dense layer to put dropout before, on the fast shapes data.
const base = {
  network: { ...network, name: 'tiny', layers: [...network.layers.slice(0, 3), { type: 'dense' as const, units: 16 }, { type: 'relu' as const }, { type: 'dense' as const, units: 4 }, { type: 'softmax' as const }] },
  training: { ...training(2), dataset: { id: 'shapes', validationSize: 200, trainSize: 400 } }
}

describe('studies through the workbench service (real store, real engines)', () => {
  it('preview lists the variants, counts runs and estimates the time without launching anything', async () => {
    const b = open()
    const p = await b.service.invoke('studies:preview', { kind: 'optimizer', base, repeats: 2 })
    expect(p.variants.map((v) => v.label)).toEqual(['SGD', 'Momentum', 'NAG', 'AdaGrad', 'RMSProp', 'Adam'])
    expect(p.runs).toBe(12)
    expect(p.estimatedSeconds).toBeGreaterThan(0)
    expect(p.estimateBasis).toMatch(/default throughput .*2 at a time/)
    expect((await b.service.invoke('runs:list', {})).total).toBe(0)
  })

  it('start: one experiment, runs queued per variant and seed on the same split; the report ranks and summarizes them', async () => {
    const b = open()
    const grid = [{ path: 'optimizer.lr', values: [0.01, 0.003] }]
    const { experimentId, runIds } = await b.service.invoke('studies:start', { kind: 'grid', name: 'lr sweep', base, grid, repeats: 2 })
    expect(runIds).toHaveLength(4)
    const runs = await Promise.all(runIds.map((id) => b.service.invoke('runs:get', { runId: id })))
    expect(runs.map((r) => [r!.name, r!.seed, r!.training.optimizer.lr, r!.experimentId])).toEqual([
      ['optimizer.lr=0.01 · seed 3', 3, 0.01, experimentId],
      ['optimizer.lr=0.01 · seed 4', 4, 0.01, experimentId],
      ['optimizer.lr=0.003 · seed 3', 3, 0.003, experimentId],
      ['optimizer.lr=0.003 · seed 4', 4, 0.003, experimentId]
    ])
    for (const r of runs) expect(r!.training.dataset.hash).toMatch(/^[0-9a-f]{64}$/)
    expect(await b.service.invoke('studies:list', {})).toMatchObject([{ experimentId, name: 'lr sweep', kind: 'grid', runs: 4 }])
    for (const id of runIds) expect(await b.manager.settled(String(id))).toBe('completed')
    const report = await b.service.invoke('studies:report', { experimentId })
    expect(report.definition).toMatchObject({ kind: 'grid', repeats: 2, variants: [{ label: 'optimizer.lr=0.01', runIds: runIds.slice(0, 2) }, { label: 'optimizer.lr=0.003', runIds: runIds.slice(2) }] })
    expect(report.runs.map((r) => r.epochs.length)).toEqual([2, 2, 2, 2])
    for (const r of report.results) {
      expect(r.finished).toBe(2)
      expect(r.bestValAccuracy).toBeGreaterThan(0.25)
      expect(r.bestValAccuracyStd).not.toBeNull()
    }
    expect(report.ranking).toHaveLength(2)
    expect(report.summary.at(-1)).toMatch(/^Best validation accuracy: optimizer\.lr=0\.0(1|03) \(\d+\.\d%\)\./)
    // With finished runs in the database, the estimate uses their measured throughput; runs under a second
    // (mostly process start-up) are left out. How long these took depends on the machine, so the test pins
    // their recorded durations: three took 5 s, one 0.5 s.
    const pin = b.store.db.prepare('UPDATE runs SET finished_at = started_at + ? WHERE id = ?')
    runIds.forEach((id, i) => pin.run(i === 0 ? 500 : 5000, id))
    const p = await b.service.invoke('studies:preview', { kind: 'grid', base, grid })
    expect(p.estimateBasis).toMatch(/throughput of 3 recent finished runs/)
    // 2 runs like the 3 measured ones (same shape, 5 s each), 2 at a time: 5 s.
    expect(p.estimatedSeconds).toBeCloseTo(5, 5)
    for (const id of runIds) pin.run(500, id)
    const short = await b.service.invoke('studies:preview', { kind: 'grid', base, grid })
    expect(short.estimateBasis).toBe('default throughput (finished runs too short to measure), 2 at a time')
  })

  it('refuses studies that cannot be built, naming the reason', async () => {
    const b = open()
    const mlpOnly = { ...base, network: { version: 1 as const, input: { shape: [1, 16, 16] as [number, number, number] }, layers: [{ type: 'flatten' as const }, { type: 'dense' as const, units: 4 }, { type: 'softmax' as const }] } }
    await expect(b.service.invoke('studies:start', { kind: 'training-size', base, trainSizes: [5000] })).rejects.toThrow(/cannot build the training-set size study: none of the training sizes 5000 fits the 1800/)
    await expect(b.service.invoke('studies:preview', { kind: 'init-activation', base: mlpOnly })).rejects.toThrow(/no activation layers to swap/)
    await expect(b.service.invoke('studies:report', { experimentId: 99 })).rejects.toThrow(/study 99 does not exist/)
    expect((await b.service.invoke('runs:list', {})).total).toBe(0)
  })

  it('validates study requests at the boundary', () => {
    expect(() => validateRequest('studies:start', { kind: 'bagging', base })).toThrow(/kind must be one of regularization, training-size/)
    expect(() => validateRequest('studies:start', { kind: 'grid', base, grid: [{ path: 'optimizer..lr', values: [1] }] })).toThrow(/grid\[0\]\.path must be a dotted config path/)
    expect(() => validateRequest('studies:start', { kind: 'grid', base, grid: [{ path: 'optimizer.lr', values: [] }] })).toThrow(/grid\[0\]\.values must be a list/)
    expect(() => validateRequest('studies:preview', { kind: 'optimizer', base, repeats: 11 })).toThrow(/repeats must be an integer in \[1, 10\]/)
    expect(() => validateRequest('studies:preview', { kind: 'optimizer', base: { network: base.network } })).toThrow(/training/)
    expect(validateRequest('studies:report', { experimentId: 3 })).toEqual({ experimentId: 3 })
  })
})
