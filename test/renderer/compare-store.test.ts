// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { MetricPoint, RunRecord, WorkbenchClient, WorkbenchEvent, WorkbenchEvents } from '../../src-main/contract/workbench-api'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { EPOCH_SERIES, useCompareStore } from '../../src-renderer/src/stores/compare'

function fake(existing: number[]) {
  const calls: { channel: string; runId: number }[] = []
  const listeners = new Map<string, Set<(p: unknown) => void>>()
  const client: WorkbenchClient = {
    async invoke(channel, request) {
      const runId = (request as { runId: number }).runId
      calls.push({ channel, runId })
      if (channel === 'runs:get') return (existing.includes(runId) ? ({ id: runId, name: `r${runId}`, status: 'running' } as RunRecord) : null) as never
      if (channel === 'metrics:series') return [{ step: 1, epoch: 0, value: 0.5, elapsedMs: 0 }] satisfies MetricPoint[] as never
      throw new Error(`unexpected ${channel}`)
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
  const count = (channel: string, runId: number) => calls.filter((c) => c.channel === channel && c.runId === runId).length
  return { client, emit, count, listeners }
}

describe('compare store', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    vi.useFakeTimers()
  })
  afterEach(() => vi.useRealTimers())

  it('loads each run once with its epoch series, reports missing runs, keeps order and drops duplicates', async () => {
    const f = fake([1, 2])
    setWorkbench(f.client)
    const compare = useCompareStore()
    await compare.setRunIds([2, 1, 2, 9])
    expect(compare.runIds).toEqual([2, 1, 9])
    expect(compare.records.map((r) => r.id)).toEqual([2, 1])
    expect(compare.missing).toEqual([9])
    expect(f.count('metrics:series', 1)).toBe(EPOCH_SERIES.length)
    await compare.setRunIds([1, 2])
    expect(f.count('runs:get', 1)).toBe(1)
    expect(f.count('metrics:series', 1)).toBe(EPOCH_SERIES.length)
    expect(compare.missing).toEqual([])
  })

  it('refreshes a run 0.5 s after an epoch, at most every 2 s while steps stream, and ignores other runs', async () => {
    const f = fake([1, 2, 3])
    setWorkbench(f.client)
    const compare = useCompareStore()
    await compare.setRunIds([1, 2])
    const off = compare.listen()
    const series0 = f.count('metrics:series', 1)
    const step = (runId: number) => f.emit('run:steps', { runId, steps: [] })
    for (let i = 0; i < 15; i++) {
      step(1)
      step(3)
      await vi.advanceTimersByTimeAsync(100)
    }
    // 1.5 s of steps: the 2 s refresh has not come yet.
    expect(f.count('runs:get', 1)).toBe(1)
    await vi.advanceTimersByTimeAsync(600)
    expect(f.count('runs:get', 1)).toBe(2)
    expect(f.count('metrics:series', 1)).toBe(series0 + EPOCH_SERIES.length)
    expect(f.count('runs:get', 3)).toBe(0)

    // An epoch comes during a pending step refresh: the earlier deadline wins, one refresh.
    step(1)
    await vi.advanceTimersByTimeAsync(100)
    f.emit('run:epoch', { runId: 1, epoch: {} as WorkbenchEvents['run:epoch']['epoch'] })
    await vi.advanceTimersByTimeAsync(600)
    expect(f.count('runs:get', 1)).toBe(3)
    await vi.advanceTimersByTimeAsync(3000)
    expect(f.count('runs:get', 1)).toBe(3)
    off()
    expect([...f.listeners.values()].every((s) => s.size === 0)).toBe(true)
  })
})

describe('compare store refreshes', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('never lets an older answer replace a newer one: one refresh per run at a time, then one more', async () => {
    // runs:get answers are released by the test, in any order; each reports the status at its request.
    let status: RunRecord['status'] = 'running'
    const held: { status: RunRecord['status']; release: () => void }[] = []
    let seriesCalls = 0
    const client: WorkbenchClient = {
      async invoke(channel, request) {
        const runId = (request as { runId: number }).runId
        if (channel === 'metrics:series') return [{ step: ++seriesCalls, epoch: 0, value: 0.5, elapsedMs: 0 }] satisfies MetricPoint[] as never
        const answer = { id: runId, name: 'r', status } as RunRecord
        if (held.length === 0 && seriesCalls === 0) return answer as never // the first load
        await new Promise<void>((release) => held.push({ status, release }))
        return answer as never
      },
      subscribe: () => () => {}
    }
    setWorkbench(client)
    const compare = useCompareStore()
    await compare.setRunIds([1])
    const first = compare.refreshRun(1)
    await vi.waitFor(() => expect(held).toHaveLength(1))
    status = 'completed'
    const second = compare.refreshRun(1)
    // The second waits for the first instead of racing it.
    await new Promise((r) => setTimeout(r, 20))
    expect(held).toHaveLength(1)
    held[0]!.release()
    await vi.waitFor(() => expect(held).toHaveLength(2))
    expect(held[1]!.status).toBe('completed')
    held[1]!.release()
    await Promise.all([first, second])
    expect(compare.records[0]!.status).toBe('completed')
  })
})
