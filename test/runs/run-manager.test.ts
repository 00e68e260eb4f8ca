import { afterEach, describe, expect, it } from 'vitest'
import { RunManager } from '../../src-main/runs/run-manager'
import { decodeStateDict, MemoryRunSink, type RunStatus } from '../../src-main/runs/run-sink'
import { forkLauncher } from '../../src-main/runs/launcher'
import type { StepEvent } from '../../src-engine/protocol'
import { epochValues, network, PROCESS_TEST_BACKEND, setup, stepValues, STEPS_PER_EPOCH, training } from './helpers'

let managers: RunManager[] = []
function make(concurrency: number) {
  const s = setup(concurrency)
  managers.push(s.manager)
  return s
}
afterEach(() => {
  for (const m of managers) m.shutdown()
  managers = []
})

describe('RunManager with real engine processes', () => {
  it('runs start → steps and epochs → completed, and reports them to the sink and subscribers', async () => {
    const { manager, sink } = make(2)
    const statuses: RunStatus[] = []
    const streamed: StepEvent[] = []
    let epochs = 0
    manager.on('status', (e) => statuses.push(e.status))
    manager.on('steps', (e) => streamed.push(...e.steps))
    const offEpoch = manager.on('epoch', () => epochs++)
    manager.enqueue({ runId: 'a', network, training: training(2) })
    expect(manager.status('a')).toBe('running')
    expect(await manager.settled('a')).toBe('completed')
    offEpoch()

    expect(statuses).toEqual(['queued', 'running', 'completed'])
    const run = sink.run('a')
    expect(run.history).toEqual(['queued', 'running', 'completed'])
    expect(run.info?.outcome).toBe('completed')
    expect(run.info?.message).toBe('trained 2 epochs')
    expect(run.steps.map((s) => s.step)).toEqual(Array.from({ length: 2 * STEPS_PER_EPOCH }, (_, i) => i + 1))
    expect(streamed).toEqual(run.steps)
    expect(run.epochs.map((e) => e.epoch)).toEqual([0, 1])
    expect(epochs).toBe(2)
    // The engine's final ('end') checkpoint is the latest, and the final weights are kept as an artifact.
    expect(run.checkpoints.latest?.epoch).toBe(2)
    expect(run.checkpoints.latest?.globalStep).toBe(2 * STEPS_PER_EPOCH)
    expect(run.artifacts.final).toBeDefined()
    // The 'best' checkpoint is the one taken right after the best epoch (also when that is the last one).
    expect(run.checkpoints.best?.epoch).toBe(run.info!.done!.bestEpoch! + 1)
    expect(manager.pid('a')).toBeUndefined()
  }, 60000)

  it('keeps runs beyond the concurrency limit queued and runs them all', async () => {
    const { manager, sink } = make(1)
    let running = 0
    let maxRunning = 0
    manager.on('status', (e) => {
      if (e.status === 'running') maxRunning = Math.max(maxRunning, ++running)
      else if (e.status !== 'queued') running--
    })
    for (const id of ['r1', 'r2', 'r3']) manager.enqueue({ runId: id, network, training: training(1, id.charCodeAt(1)) })
    expect(['r1', 'r2', 'r3'].map((id) => manager.status(id))).toEqual(['running', 'queued', 'queued'])
    expect(await Promise.all(['r1', 'r2', 'r3'].map((id) => manager.settled(id)))).toEqual(['completed', 'completed', 'completed'])
    expect(maxRunning).toBe(1)
    for (const id of ['r1', 'r2', 'r3']) {
      expect(sink.run(id).history).toEqual(['queued', 'running', 'completed'])
      expect(sink.run(id).steps).toHaveLength(STEPS_PER_EPOCH)
    }
  }, 60000)

  it('pauses a run and resumes it in a new process with exactly the metrics of an uninterrupted run', async () => {
    const { manager, sink } = make(2)
    const off = manager.on('steps', (e) => {
      if (e.runId === 'p' && e.steps.at(-1)!.step > STEPS_PER_EPOCH + 5) {
        off()
        manager.pause('p')
      }
    })
    manager.enqueue({ runId: 'p', network, training: training(3) })
    manager.enqueue({ runId: 'ref', network, training: training(3) })
    expect(await manager.settled('p')).toBe('paused')
    expect(sink.run('p').checkpoints.latest?.globalStep).toBeGreaterThan(STEPS_PER_EPOCH)
    const pausedAt = sink.run('p').steps.length
    expect(sink.run('p').checkpoints.latest?.globalStep).toBe(pausedAt)

    manager.resume('p')
    expect(await manager.settled('p')).toBe('completed')
    expect(await manager.settled('ref')).toBe('completed')
    expect(sink.run('p').history).toEqual(['queued', 'running', 'paused', 'queued', 'running', 'completed'])
    const steps = sink.run('p').steps
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1))
    expect(stepValues(steps)).toEqual(stepValues(sink.run('ref').steps))
    expect(epochValues(sink.run('p').epochs)).toEqual(epochValues(sink.run('ref').epochs))
  }, 60000)

  it('stops a run on request, keeping its checkpoint and final weights', async () => {
    const { manager, sink } = make(2)
    const off = manager.on('steps', (e) => {
      off()
      manager.stop(e.runId)
    })
    manager.enqueue({ runId: 's', network, training: training(3) })
    expect(await manager.settled('s')).toBe('stopped')
    const run = sink.run('s')
    expect(run.info?.outcome).toBe('stopped')
    const cp = run.checkpoints.latest!
    expect(cp.globalStep).toBe(run.steps.length)
    const weights = decodeStateDict(run.artifacts.final!)
    expect(Object.keys(weights)).toEqual(Object.keys(cp.weights))
    for (const [name, entry] of Object.entries(cp.weights)) {
      expect(weights[name].shape).toEqual(entry.shape)
      expect(Array.from(weights[name].data)).toEqual(Array.from(Float32Array.from(entry.data)))
    }
    // Queued runs stop without starting.
    const { manager: m1, sink: s1 } = make(1)
    m1.enqueue({ runId: 'x', network, training: training(1) })
    m1.enqueue({ runId: 'y', network, training: training(1) })
    m1.stop('y')
    expect(s1.run('y').history).toEqual(['queued', 'stopped'])
    expect(await m1.settled('x')).toBe('completed')
  }, 60000)

  it('kills an engine that does not answer a stop request in time; the run ends stopped at its last checkpoint', async () => {
    const sink = new MemoryRunSink()
    const manager = new RunManager({ launcher: forkLauncher(), sink, concurrency: 1, backend: PROCESS_TEST_BACKEND, stopGraceMs: 1500 })
    managers.push(manager)
    let pid: number | undefined
    const frozen = new Promise<void>((resolve) => {
      // Steps of the second epoch: the first epoch's checkpoint came before them.
      const off = manager.on('steps', (e) => {
        if (!e.steps.some((st) => st.epoch >= 1)) return
        off()
        // Frozen as a hung kernel would leave it: it reads no message any more.
        pid = manager.pid(e.runId)
        process.kill(pid!, 'SIGSTOP')
        resolve()
      })
    })
    manager.enqueue({ runId: 'h', network, training: training(200) })
    await frozen
    manager.stop('h')
    expect(manager.status('h')).toBe('running')
    expect(await manager.settled('h')).toBe('stopped')
    const run = sink.run('h')
    // The engine ran on a little before the signal landed: the message names the checkpoint that was kept.
    const cp = run.checkpoints.latest!
    expect(cp.epoch).toBeGreaterThanOrEqual(1)
    expect(run.info?.message).toBe(
      `the engine did not answer the stop request within 2 s and was ended; the run keeps its last checkpoint (after ${cp.epoch} epochs, step ${cp.globalStep})`
    )
    // The process is gone (once reaped).
    await expect.poll(() => { try { process.kill(pid!, 0); return 'alive' } catch { return 'gone' } }, { timeout: 10_000 }).toBe('gone')
  }, 60000)

  it('reports a bad spec or config as failed with the engine error, and goes on', async () => {
    const { manager, sink } = make(1)
    manager.enqueue({ runId: 'bad-data', network, training: { ...training(1), dataset: { id: 'nope' } } })
    const badNet = { ...network, layers: [{ type: 'conv2d' as const, filters: 4, kernel: 40 }, ...network.layers.slice(1)] }
    manager.enqueue({ runId: 'bad-net', network: badNet, training: training(1) })
    manager.enqueue({ runId: 'good', network, training: training(1) })
    expect(await manager.settled('bad-data')).toBe('failed')
    expect(sink.run('bad-data').info?.error?.message).toBe('engine: unknown dataset "nope"')
    expect(await manager.settled('bad-net')).toBe('failed')
    expect(sink.run('bad-net').info?.error?.message).toMatch(/layer 0 \(conv2d\)/)
    expect(await manager.settled('good')).toBe('completed')
  }, 60000)
})
