/**
 * The runs and compare stores against the real backend: a temporary SQLite store, real engine processes,
 * two tiny runs on 'shapes' (one with a dropout layer and a smaller learning rate).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { NetworkSpec, RunRecord, WorkbenchClient } from '../../src-main/contract/workbench-api'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useRunHistoryStore } from '../../src-renderer/src/stores/run-history'
import { useCompareStore } from '../../src-renderer/src/stores/compare'
import { SUMMARY_KEY, visibleRows } from '../../src-renderer/src/components/compare/hyperparameter-table'
import { metricsCsv } from '../../src-renderer/src/export/metrics-csv'
import { network, STEPS_PER_EPOCH, training } from '../runs/helpers'

const withDropout: NetworkSpec = { ...network, layers: [...network.layers.slice(0, 3), { type: 'dropout', rate: 0.3 }, ...network.layers.slice(3)] }

function clientOf(b: WorkbenchBackend): WorkbenchClient {
  return {
    invoke: (channel, request) => b.service.invoke(channel, request),
    subscribe: (event, cb) => b.service.events.on(event, cb)
  }
}

describe('run-history and compare stores on the real backend', () => {
  let dir: string
  let backend: WorkbenchBackend
  let base: RunRecord
  let dropout: RunRecord
  let history: ReturnType<typeof useRunHistoryStore>
  let stopListening: () => void

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tatami-renderer-'))
    backend = startWorkbenchBackend({ dbPath: join(dir, 'runs.sqlite'), concurrency: 2 })
    setWorkbench(clientOf(backend))
    setActivePinia(createPinia())
    history = useRunHistoryStore()
    stopListening = history.listen()
    await history.refresh()
    base = await backend.service.invoke('runs:start', { name: 'base', network, training: training(2) })
    dropout = await backend.service.invoke('runs:start', {
      name: 'dropout',
      network: withDropout,
      training: { ...training(2), optimizer: { type: 'adam', lr: 0.001 } }
    })
    expect(await backend.manager.settled(String(base.id))).toBe('completed')
    expect(await backend.manager.settled(String(dropout.id))).toBe('completed')
  }, 60_000)
  afterAll(() => {
    stopListening?.()
    backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('follows live events: both runs show up completed with their best accuracy without a manual refresh', async () => {
    await vi.waitFor(
      () => {
        expect(history.rows.map((r) => [r.name, r.status])).toEqual([
          ['dropout', 'completed'],
          ['base', 'completed']
        ])
      },
      { timeout: 5000, interval: 50 }
    )
    for (const run of history.rows) {
      expect(run.summary?.bestValAccuracy).toEqual(expect.any(Number))
      expect(history.bestAccuracy(run)).toBe(run.summary!.bestValAccuracy)
    }
    // Live best from run:epoch events matched what the store summarised at the end.
    expect(history.liveBest[base.id]).toBe(history.rows.find((r) => r.id === base.id)!.summary!.bestValAccuracy)
    expect(history.liveEpochs[base.id]).toBe(2)
    expect(history.epochsDone(history.rows[0]!)).toBe(2)
  })

  it('sorts by header keys, filters by status, text and tag, and edits tags and notes', async () => {
    await history.sortBy('name')
    expect(history.rows.map((r) => r.name)).toEqual(['base', 'dropout'])
    await history.sortBy('name')
    expect(history.rows.map((r) => r.name)).toEqual(['dropout', 'base'])
    await history.sortBy('hp:optimizer.lr')
    expect(history.rows.map((r) => r.name)).toEqual(['dropout', 'base'])
    await history.sortBy('hp:network.layers')
    expect(history.rows.map((r) => r.network.layers.length)).toEqual([5, 6])

    await history.setStatuses(['running', 'failed'])
    expect(history.total).toBe(0)
    await history.setStatuses(['completed'])
    expect(history.total).toBe(2)
    await history.setSearch('drop')
    expect(history.rows.map((r) => r.name)).toEqual(['dropout'])
    await history.setSearch('')

    expect(await history.setTags(base.id, ['baseline', 'small'])).toBe(true)
    expect(history.rows.find((r) => r.id === base.id)!.tags).toEqual(['baseline', 'small'])
    expect(history.knownTags).toEqual(['baseline', 'small'])
    await history.setTag('baseline')
    expect(history.rows.map((r) => r.id)).toEqual([base.id])
    await history.setTag('')
    await history.setHyperparameters({ 'optimizer.lr': 0.001 })
    expect(history.rows.map((r) => r.name)).toEqual(['dropout'])
    await history.setHyperparameters({ 'optimizer.type': 'adam', 'network.layers': 5 })
    expect(history.rows.map((r) => r.name)).toEqual(['base'])
    await history.setHyperparameters({})
    expect(await history.setNotes(dropout.id, 'dropout 0.3, lr 1e-3')).toBe(true)
    expect((await backend.service.invoke('runs:get', { runId: dropout.id }))!.notes).toBe('dropout 0.3, lr 1e-3')
    // A refused edit is reported, not thrown.
    expect(await history.setNotes(99_999, 'x')).toBe(false)
    expect(history.error).toMatch(/99999/)
  })

  it('pages through runs', async () => {
    history.table.pageSize = 1
    await history.setPage(1)
    expect(history.pages).toBe(2)
    expect(history.rows).toHaveLength(1)
    await history.setPage(5) // clamped to the last page
    expect(history.table.page).toBe(1)
    history.table.pageSize = 50
    await history.setPage(0)
    expect(history.rows).toHaveLength(2)
  })

  it('compares: records, epoch series, a hyperparameter diff that agrees with compare:hyperparameters, a full CSV', async () => {
    const compare = useCompareStore()
    await compare.setRunIds([base.id, dropout.id])
    expect(compare.records.map((r) => r.name)).toEqual(['base', 'dropout'])
    expect(compare.getSeries(base.id, 'accuracy', 'val').map((p) => p.epoch)).toEqual([0, 1])
    expect(compare.getSeries(dropout.id, 'epoch_loss', 'train')).toHaveLength(2)

    const local = visibleRows(compare.hyperparameters, true).map((r) => r.key).filter((k) => k !== SUMMARY_KEY)
    const server = (await backend.service.invoke('compare:hyperparameters', { runIds: [base.id, dropout.id] })).map((d) => d.key)
    expect(local.sort()).toEqual(server.sort())
    expect(local).toContain('optimizer.lr')
    expect(local).toContain('network.layers')

    const series = await compare.exportSeries()
    const csv = metricsCsv(series)
    const lines = csv.trimEnd().split('\r\n')
    // Per run: loss, accuracy, lr per step (2 epochs) + epoch_loss, epoch_accuracy, epoch_lr, val loss, val accuracy per epoch.
    expect(lines).toHaveLength(1 + 2 * (3 * 2 * STEPS_PER_EPOCH + 5 * 2))
    expect(lines.filter((l) => l.startsWith(`${dropout.id},dropout,2,${2 * STEPS_PER_EPOCH},accuracy,val,`))).toHaveLength(1)

    await compare.setRunIds([dropout.id, 424_242])
    expect(compare.records.map((r) => r.id)).toEqual([dropout.id])
    expect(compare.missing).toEqual([424_242])
  })

  it('deletes a run and drops it from the selection', async () => {
    history.toggleSelected(base.id, true)
    history.toggleSelected(dropout.id, true)
    expect(await history.deleteRun(dropout.id)).toBe(true)
    expect(history.selected).toEqual([base.id])
    expect(history.rows.map((r) => r.id)).toEqual([base.id])
    expect(history.total).toBe(1)
  })
})
