import { describe, it, expect } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createHttpClient } from '../../src-main/serve/client'
import type { RunRecord } from '../../src-main/store/types'

const root = fileURLToPath(new URL('../..', import.meta.url))

/** Starts the real `tatami serve` (real store file, real engine processes) and waits for its URL. */
function startServe(dir: string): Promise<{ url: URL; token: string; stop: () => Promise<number | null> }> {
  const staticDir = join(dir, 'renderer')
  mkdirSync(staticDir)
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tatami</title>')
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src-main/cli/index.ts'), 'serve', '--db', join(dir, 'runs.sqlite'), '--static', staticDir, '--concurrency', '2'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit']
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = out.match(/open (http:\/\/127\.0\.0\.1:\d+\/\?token=(\S+))/)
      if (m) {
        resolve({
          url: new URL(m[1]),
          token: m[2],
          stop: () =>
            new Promise((done) => {
              child.once('exit', (code) => done(code))
              child.kill('SIGTERM')
            })
        })
      }
    })
    child.once('exit', (code) => reject(new Error(`tatami serve exited with ${code}: ${out}`)))
  })
}

const network = {
  version: 1,
  input: { shape: [1, 16, 16] },
  layers: [{ type: 'conv2d', filters: 4, kernel: 3 }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 4 }, { type: 'softmax' }]
}
const training = { version: 1, dataset: { id: 'shapes', validationSize: 200 }, epochs: 2, batchSize: 32, optimizer: { type: 'adam', lr: 0.01 }, loss: 'cross_entropy', seed: 3 }

describe('tatami serve (end to end over HTTP)', () => {
  it('serves the renderer, refuses requests without the token, and trains a run streamed over SSE', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-serve-'))
    const serve = await startServe(dir)
    try {
      expect(serve.url.hostname).toBe('127.0.0.1')
      const page = await fetch(new URL('/', serve.url))
      expect(await page.text()).toContain('<title>Tatami</title>')

      // No token, wrong token: refused, nothing started.
      const anonymous = await fetch(new URL('/api/runs:start', serve.url), { method: 'POST', body: JSON.stringify({ network, training }) })
      expect(anonymous.status).toBe(401)
      const wrong = await fetch(new URL('/api/runs:list', serve.url), { method: 'POST', headers: { authorization: 'Bearer nope' }, body: '{}' })
      expect(wrong.status).toBe(401)

      const client = createHttpClient(serve.url.origin, serve.token)
      expect((await client.invoke<{ total: number }>('runs:list', {})).total).toBe(0)

      // A bad payload is a typed error naming the field.
      await expect(client.invoke('runs:start', { network, training: { ...training, batchSize: 0 } })).rejects.toMatchObject({ name: 'BadRequest' })

      const statuses: string[] = []
      let steps = 0
      let completed: () => void = () => {}
      const done = new Promise<void>((resolve) => (completed = resolve))
      const events = client.events((event, payload) => {
        const p = payload as { runId: number; status?: string; steps?: unknown[] }
        if (event === 'run:steps') steps += p.steps!.length
        if (event === 'run:status') {
          statuses.push(p.status!)
          if (p.status === 'completed') completed()
        }
      })
      await events.ready
      const run = await client.invoke<RunRecord>('runs:start', { name: 'over http', network, training })
      await done
      events.close()
      expect(statuses).toContain('running')
      expect(steps).toBe(2 * Math.ceil(1800 / 32))
      const stored = await client.invoke<RunRecord>('runs:get', { runId: run.id })
      expect(stored.status).toBe('completed')
      const curve = await client.invoke<unknown[]>('metrics:series', { runId: run.id, name: 'loss', split: 'train', maxPoints: 1000 })
      expect(curve).toHaveLength(2 * Math.ceil(1800 / 32))
    } finally {
      expect(await serve.stop()).toBe(0)
    }
  }, 90000)
})
