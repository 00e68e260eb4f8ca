import { afterEach, describe, expect, it } from 'vitest'
import type { StepEvent } from '../../src-engine/protocol'
import { forkLauncher } from '../../src-main/runs/launcher'
import { RunManager } from '../../src-main/runs/run-manager'
import { MemoryRunSink } from '../../src-main/runs/run-sink'
import { network, PROCESS_TEST_BACKEND, training } from './helpers'

/** A sink whose storage fails (as a full disk would) on the second batch of steps of one run. */
class FailingSink extends MemoryRunSink {
  private batches = 0
  constructor(private readonly failingRun: string) {
    super()
  }
  override appendSteps(runId: string, steps: StepEvent[]): void {
    if (runId === this.failingRun && ++this.batches === 2) throw new Error('database or disk is full')
    super.appendSteps(runId, steps)
  }
}

let manager: RunManager | null = null
afterEach(() => manager?.shutdown())

describe('RunManager when the run cannot be recorded', () => {
  it('stops that run as failed with the reason, keeps what was recorded, and goes on with the queue', async () => {
    const sink = new FailingSink('a')
    manager = new RunManager({ launcher: forkLauncher(), sink, concurrency: 1, backend: PROCESS_TEST_BACKEND })
    manager.enqueue({ runId: 'a', network, training: training(3) })
    manager.enqueue({ runId: 'b', network, training: training(1) })
    expect(await manager.settled('a')).toBe('failed')
    expect(sink.run('a').info?.message).toBe('could not record the run: database or disk is full')
    expect(sink.run('a').steps.length).toBeGreaterThan(0)
    expect(manager.pid('a')).toBeUndefined()
    expect(await manager.settled('b')).toBe('completed')
  }, 60000)
})
