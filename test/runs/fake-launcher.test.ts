import { describe, expect, it } from 'vitest'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'
import type { EngineLauncher, EngineProcess } from '../../src-main/runs/launcher'
import { RunManager } from '../../src-main/runs/run-manager'
import { MemoryRunSink } from '../../src-main/runs/run-sink'
import { network, training } from './helpers'

/** An engine process that does nothing until the test says so. */
class FakeEngine implements EngineProcess {
  readonly pid = 1
  sent: ToEngine[] = []
  killed = false
  private messageCb: (m: FromEngine) => void = () => {}
  private exitCb: (code: number | null, signal: string | null) => void = () => {}
  send(m: ToEngine): void {
    this.sent.push(m)
  }
  onMessage(cb: (m: FromEngine) => void): void {
    this.messageCb = cb
  }
  onExit(cb: (code: number | null, signal: string | null) => void): void {
    this.exitCb = cb
  }
  kill(): void {
    this.killed = true
  }
  reply(m: FromEngine): void {
    this.messageCb(m)
  }
  exit(code: number | null, signal: string | null): void {
    this.exitCb(code, signal)
  }
}

function fakeSetup(concurrency: number, more: { cores?: number; engineThreads?: 'auto' | 1 | 2 } = {}) {
  const engines: FakeEngine[] = []
  const launcher: EngineLauncher = () => {
    const e = new FakeEngine()
    engines.push(e)
    return e
  }
  const sink = new MemoryRunSink()
  return { engines, sink, manager: new RunManager({ launcher, sink, concurrency, ...more }) }
}

describe('RunManager bookkeeping (fake engine)', () => {
  it('sends start on ready, pauses and resumes queued runs, and refuses bad transitions', () => {
    const { engines, sink, manager } = fakeSetup(1)
    manager.enqueue({ runId: 'a', network, training: training(1) })
    manager.enqueue({ runId: 'b', network, training: training(1) })
    expect(engines).toHaveLength(1)
    engines[0].reply({ type: 'ready' })
    expect(engines[0].sent[0].type).toBe('start')

    manager.pause('b')
    expect(manager.status('b')).toBe('paused')
    expect(() => manager.enqueue({ runId: 'a', network, training: training(1) })).toThrow(/already running/)
    expect(() => manager.resume('a')).toThrow(/only paused or interrupted/)
    manager.resume('b')
    expect(manager.status('b')).toBe('queued')

    // An exit without 'done' interrupts the run and starts the next.
    engines[0].exit(1, null)
    expect(sink.run('a').status).toBe('interrupted')
    expect(sink.run('a').info?.exitCode).toBe(1)
    expect(engines).toHaveLength(2)
    expect(manager.status('b')).toBe('running')

    // 'done' ends the run and kills its process; the later exit changes nothing.
    engines[1].reply({ type: 'event', event: { type: 'done', outcome: 'diverged', epochsCompleted: 0, step: 3, bestEpoch: null, bestValLoss: null, bestValAccuracy: null, message: 'loss became NaN at step 3 (epoch 1)' } })
    expect(engines[1].killed).toBe(true)
    engines[1].exit(null, 'SIGTERM')
    expect(sink.run('b').history).toEqual(['queued', 'paused', 'queued', 'running', 'diverged'])
    expect(sink.run('b').info?.message).toMatch(/NaN/)
  })

  it('marks a run failed when its process cannot be launched, and goes on', () => {
    const sink = new MemoryRunSink()
    let calls = 0
    const manager = new RunManager({
      sink,
      concurrency: 1,
      launcher: () => {
        calls++
        throw new Error('spawn ENOENT')
      }
    })
    manager.enqueue({ runId: 'x', network, training: training(1) })
    manager.enqueue({ runId: 'y', network, training: training(1) })
    expect(calls).toBe(2)
    expect(sink.run('x').info?.error?.message).toBe('spawn ENOENT')
    expect(sink.run('y').status).toBe('failed')
  })

  it('gives a run both cores (threads: 2) only when it starts alone, one each when runs share the machine', () => {
    const threadsOf = (e: FakeEngine) => {
      const start = e.sent.find((m) => m.type === 'start')
      return start && start.type === 'start' ? start.threads : undefined
    }
    const { engines, manager } = fakeSetup(2, { cores: 2 })
    manager.enqueue({ runId: 'a', network, training: training(1) })
    engines[0].reply({ type: 'ready' })
    expect(threadsOf(engines[0])).toBe(2)
    manager.enqueue({ runId: 'b', network, training: training(1) })
    engines[1].reply({ type: 'ready' })
    expect(threadsOf(engines[1])).toBe(1)
    // a run that waited in the queue behind others, and one started while another still runs
    manager.enqueue({ runId: 'c', network, training: training(1) })
    engines[0].exit(1, null)
    engines[2].reply({ type: 'ready' })
    expect(threadsOf(engines[2])).toBe(1)

    // Both launched at once (concurrency 2): neither is alone when it starts.
    const two = fakeSetup(2, { cores: 2 })
    two.manager.enqueue({ runId: 'x', network, training: training(1) })
    two.manager.enqueue({ runId: 'y', network, training: training(1) })
    two.engines[0].reply({ type: 'ready' })
    two.engines[1].reply({ type: 'ready' })
    expect(two.engines.map(threadsOf)).toEqual([1, 1])

    // A queued run behind a lone one (concurrency 1) makes it share: one thread.
    const queued = fakeSetup(1, { cores: 2 })
    queued.manager.enqueue({ runId: 'p', network, training: training(1) })
    queued.manager.enqueue({ runId: 'q', network, training: training(1) })
    queued.engines[0].reply({ type: 'ready' })
    expect(threadsOf(queued.engines[0])).toBe(1)

    // One core, or a fixed setting, overrides the policy.
    for (const [more, want] of [[{ cores: 1 }, 1], [{ cores: 8, engineThreads: 1 as const }, 1], [{ cores: 1, engineThreads: 2 as const }, 2]] as const) {
      const s = fakeSetup(2, more)
      s.manager.enqueue({ runId: 'r', network, training: training(1) })
      s.engines[0].reply({ type: 'ready' })
      expect(threadsOf(s.engines[0])).toBe(want)
    }
  })
})
