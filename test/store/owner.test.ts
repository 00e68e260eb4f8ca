import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { RunStore } from '../../src-main/store/run-store'
import { newRun, tempDbPath } from './fixtures'

describe('start-up recovery and run ownership', () => {
  it('marks runs of a dead process interrupted, but leaves runs another live process is training', () => {
    const path = tempDbPath()
    const store = RunStore.open(path)
    const mine = store.createRun(newRun('mine'))
    const otherAlive = store.createRun(newRun('other, alive'))
    const otherDead = store.createRun(newRun('other, dead'))
    for (const id of [mine, otherAlive, otherDead]) store.setStatus(id, 'running')
    // Pretend two of them belong to other processes: the parent (alive) and a child that has exited.
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(process.ppid, otherAlive)
    store.db.prepare('UPDATE runs SET owner_pid = ? WHERE id = ?').run(deadPid, otherDead)
    store.close()

    const reopened = RunStore.open(path)
    // Runs this very process had marked running are orphans too (a process never resumes its own old runs).
    expect(reopened.markInterruptedRuns()).toEqual([mine, otherDead])
    expect(reopened.getRun(otherAlive)!.status).toBe('running')
    expect(reopened.getRun(otherDead)!.status).toBe('interrupted')
    // Once the other process is gone too, its run is recovered.
    expect(reopened.markInterruptedRuns(() => false)).toEqual([otherAlive])
    reopened.close()
  })
})
