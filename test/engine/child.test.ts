import { describe, it, expect } from 'vitest'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'

const childPath = fileURLToPath(new URL('../../src-engine/child.ts', import.meta.url))

const start: ToEngine = {
  type: 'start',
  network: {
    version: 1,
    input: { shape: [1, 16, 16] },
    layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
  },
  training: {
    version: 1,
    dataset: { id: 'shapes', validationSize: 200 },
    epochs: 2,
    batchSize: 32,
    optimizer: { type: 'adam', lr: 0.01 },
    loss: 'cross_entropy',
    seed: 3
  }
}

/** Runs the real engine child (TypeScript through tsx) and collects its messages until it is done. */
function runChild(first: ToEngine, afterReady?: (send: (m: ToEngine) => void, m: FromEngine) => void): Promise<FromEngine[]> {
  return new Promise((resolve, reject) => {
    const child = fork(childPath, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const messages: FromEngine[] = []
    const send = (m: ToEngine) => child.send(m)
    child.on('message', (raw) => {
      const m = raw as FromEngine
      messages.push(m)
      if (m.type === 'ready') send(first)
      afterReady?.(send, m)
      if ((m.type === 'event' && m.event.type === 'done') || m.type === 'error') {
        child.kill()
        resolve(messages)
      }
    })
    child.on('error', reject)
    child.on('exit', (code) => {
      if (!messages.some((m) => m.type === 'error' || (m.type === 'event' && m.event.type === 'done'))) reject(new Error(`engine child exited with ${code}`))
    })
  })
}

describe('engine child process', () => {
  it('trains in its own process and streams batched step metrics, epochs and a done event', async () => {
    const messages = await runChild(start)
    const steps = messages.flatMap((m) => (m.type === 'steps' ? m.steps : []))
    const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []))
    expect(steps.length).toBe(2 * Math.ceil(1800 / 32))
    expect(steps.map((s) => s.step)).toEqual(steps.map((_, i) => i + 1))
    // Batched: far fewer messages than steps.
    expect(messages.filter((m) => m.type === 'steps').length).toBeLessThan(steps.length / 4)
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(2)
    const done = events.at(-1)!
    expect(done.type === 'done' && done.outcome).toBe('completed')
    // No backend asked for: 'auto' picks the fastest (relaxed SIMD, which the child enables on Node 20).
    const begin = events[0]
    expect(begin.type === 'start' && begin.backend).toBe('wasm-relaxed')
    expect(done.type === 'done' && done.backend).toBe('wasm-relaxed')
  }, 60000)

  it('trains with two threads when the start message asks (a helper thread), with results identical to one thread', async () => {
    // Big enough for the first convolution and its ReLU to be split between the threads.
    const base = start as Extract<ToEngine, { type: 'start' }>
    const wide = {
      ...base,
      network: { ...base.network, layers: [{ type: 'conv2d', filters: 16, kernel: 3 }, ...base.network.layers.slice(1)] },
      training: { ...base.training, epochs: 1 }
    } as ToEngine
    const epochs = (messages: FromEngine[]) => messages.flatMap((m) => (m.type === 'event' && m.event.type === 'epoch' ? [m.event] : []))
    const one = await runChild({ ...wide, threads: 1 } as ToEngine)
    const two = await runChild({ ...wide, threads: 2 } as ToEngine)
    expect(two.find((m) => m.type === 'error')).toBeUndefined()
    const done = two.at(-1)!
    expect(done.type === 'event' && done.event.type === 'done' && done.event.outcome).toBe('completed')
    expect(epochs(two)).toHaveLength(1)
    const row = (e: ReturnType<typeof epochs>[number]) => [e.trainLoss, e.valLoss, e.valAccuracy]
    expect(epochs(two).map(row)).toEqual(epochs(one).map(row))
  }, 60000)

  it('uses the kernel backend the start message names, and refuses an unknown one', async () => {
    const js = await runChild({ ...start, backend: 'js' } as ToEngine)
    const begin = js.find((m) => m.type === 'event' && m.event.type === 'start')
    expect(begin?.type === 'event' && begin.event.type === 'start' && begin.event.backend).toBe('js')
    const bad = await runChild({ ...start, backend: 'cuda' } as unknown as ToEngine)
    const err = bad.at(-1)!
    expect(err.type === 'error' && err.error.message).toMatch(/unknown kernel backend "cuda"/)
  }, 60000)

  it('pauses on request and hands back a checkpoint', async () => {
    let sent = false
    // Long enough that the pause always lands before the end, however fast the kernels are.
    const long = { ...start, training: { ...(start as Extract<ToEngine, { type: 'start' }>).training, epochs: 200 } } as ToEngine
    const messages = await runChild(long, (send, m) => {
      if (m.type === 'steps' && !sent) {
        sent = true
        send({ type: 'pause' })
      }
    })
    const events = messages.flatMap((m) => (m.type === 'event' ? [m.event] : []))
    // An epoch-end checkpoint may come first if the pause lands after the first epoch.
    const cp = events.filter((e) => e.type === 'checkpoint').at(-1)
    expect(cp && cp.type === 'checkpoint' && cp.reason).toBe('pause')
    expect(cp && cp.type === 'checkpoint' && cp.checkpoint.globalStep).toBeGreaterThan(0)
    const done = events.at(-1)!
    expect(done.type === 'done' && done.outcome).toBe('paused')
  }, 60000)

  it('reports a bad request as an error message, not a crash', async () => {
    const bad: ToEngine = { ...start, training: { ...(start as Extract<ToEngine, { type: 'start' }>).training, dataset: { id: 'nope' } } } as ToEngine
    const messages = await runChild(bad)
    const err = messages.find((m) => m.type === 'error')
    expect(err && err.type === 'error' && err.error.message).toBe('engine: unknown dataset "nope"')
  }, 60000)
})
