import { describe, it, expect, beforeAll, afterAll, beforeEach } from 'vitest'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServeServer, type ServeServer, type ServeListener } from '../../src-main/serve/http-server'
import { createHttpClient, ServeRequestError } from '../../src-main/serve/client'

interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

/** Raw request over node:http, so the path and Host header go out exactly as given. */
function raw(port: number, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    if (opts.body !== undefined) req.write(opts.body)
    req.end()
  })
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const until = Date.now() + ms
  while (!cond()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await sleep(10)
  }
}

describe('tatami serve HTTP transport', () => {
  let server: ServeServer
  let calls = 0
  const listeners = new Set<ServeListener>()
  const root = mkdtempSync(join(tmpdir(), 'tatami-serve-'))
  const staticDir = join(root, 'renderer')
  const secretMarker = 'SECRET-OUTSIDE-STATIC-' + Math.random().toString(36).slice(2)

  beforeAll(async () => {
    mkdirSync(join(staticDir, 'assets'), { recursive: true })
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>Tatami</title><script type="module" src="/assets/app.js"></script>')
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("tatami")')
    writeFileSync(join(staticDir, 'assets', 'style.css'), 'body{margin:0}')
    writeFileSync(join(root, 'package.json'), JSON.stringify({ secret: secretMarker }))
    server = await startServeServer({
      staticDir,
      handlers: {
        'runs:list': async (req) => {
          calls++
          return { runs: [{ id: 'r1' }], echo: req }
        },
        'runs:get': async () => {
          calls++
          const err = new Error('No run with id "zz"')
          err.name = 'BadRequest'
          throw err
        },
        'runs:boom': async () => {
          calls++
          throw Object.assign(new TypeError('kaput'), { code: 'E_KAPUT' })
        }
      },
      subscribe: (listener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      }
    })
  })

  afterAll(async () => {
    await server.close()
  })

  beforeEach(() => {
    calls = 0
  })

  const emit = (event: string, payload: unknown): void => {
    for (const l of listeners) l(event, payload)
  }

  it('starts on 127.0.0.1 with a random base64url token in the printed URL', () => {
    expect(server.port).toBeGreaterThan(0)
    expect(server.token).toMatch(/^[A-Za-z0-9_-]{32}$/)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`)
  })

  it('invokes a handler and returns { ok: true, result }', async () => {
    const client = createHttpClient(server.url, server.token)
    const result = await client.invoke('runs:list', { limit: 3 })
    expect(result).toEqual({ runs: [{ id: 'r1' }], echo: { limit: 3 } })
    expect(calls).toBe(1)
    const res = await fetch(`http://127.0.0.1:${server.port}/api/runs:list`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body: '{"a":1}'
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
    expect(res.headers.get('access-control-allow-origin')).toBeNull()
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'")
    expect(await res.json()).toEqual({ ok: true, result: { runs: [{ id: 'r1' }], echo: { a: 1 } } })
  })

  it('returns handler errors as error objects (400 for BadRequest, 500 otherwise)', async () => {
    const post = (ch: string) =>
      fetch(`http://127.0.0.1:${server.port}/api/${ch}`, { method: 'POST', headers: { Authorization: `Bearer ${server.token}` }, body: '{}' })
    const bad = await post('runs:get')
    expect(bad.status).toBe(400)
    expect(await bad.json()).toEqual({ ok: false, error: { name: 'BadRequest', message: 'No run with id "zz"' } })
    const boom = await post('runs:boom')
    expect(boom.status).toBe(500)
    expect(await boom.json()).toEqual({ ok: false, error: { name: 'TypeError', message: 'kaput', code: 'E_KAPUT' } })

    const client = createHttpClient(server.url, server.token)
    const err = await client.invoke('runs:get', {}).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ServeRequestError)
    expect((err as ServeRequestError).name).toBe('BadRequest')
    expect((err as ServeRequestError).status).toBe(400)
  })

  it('answers 404 for an unknown channel (including Object.prototype names)', async () => {
    for (const ch of ['runs:nope', 'constructor', '__proto__', 'toString']) {
      const r = await raw(server.port, {
        method: 'POST',
        path: `/api/${ch}`,
        headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}` },
        body: '{}'
      })
      expect(r.status).toBe(404)
      expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { name: 'NotFound' } })
    }
  })

  it('answers 400 naming the problem for malformed JSON, without calling the handler', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/runs:list`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body: '{"limit": 3,'
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { ok: boolean; error: { name: string; message: string } }
    expect(body.ok).toBe(false)
    expect(body.error.name).toBe('BadRequest')
    expect(body.error.message).toMatch(/Invalid JSON/)
    expect(calls).toBe(0)
  })

  it('answers 413 for an oversized body, without calling the handler', async () => {
    const big = '"' + 'x'.repeat(11 * 1024 * 1024) + '"'
    const res = await fetch(`http://127.0.0.1:${server.port}/api/runs:list`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}` },
      body: big
    })
    expect(res.status).toBe(413)
    expect(await res.json()).toMatchObject({ ok: false, error: { name: 'PayloadTooLarge' } })
    expect(calls).toBe(0)
  })

  it('answers 413 for an oversized chunked body (no Content-Length), without calling the handler', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x20)
    const r = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: server.port,
          method: 'POST',
          path: '/api/runs:list',
          headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${server.token}`, 'Transfer-Encoding': 'chunked' }
        },
        (res) => {
          res.resume()
          res.on('end', () => resolve(res.statusCode ?? 0))
        }
      )
      req.on('error', reject)
      for (let i = 0; i < 11; i++) req.write(chunk)
      req.end()
    })
    expect(r).toBe(413)
    expect(calls).toBe(0)
  })

  it('refuses requests without a token or with a wrong one (401) and runs nothing', async () => {
    const url = `http://127.0.0.1:${server.port}/api/runs:list`
    const attempts: RequestInit[] = [
      { method: 'POST', body: '{}' },
      { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${server.token}x` } },
      { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${server.token.slice(0, -1)}` } },
      { method: 'POST', body: '{}', headers: { Authorization: 'Bearer ' } },
      { method: 'POST', body: '{}', headers: { Authorization: server.token } }
    ]
    for (const init of attempts) {
      const res = await fetch(url, init)
      expect(res.status).toBe(401)
      expect(await res.json()).toMatchObject({ ok: false, error: { name: 'Unauthorized' } })
    }
    const wrongQuery = await fetch(`${url}?token=nope`, { method: 'POST', body: '{}' })
    expect(wrongQuery.status).toBe(401)
    const unknownChannel = await fetch(`http://127.0.0.1:${server.port}/api/runs:nope`, { method: 'POST', body: '{}' })
    expect(unknownChannel.status).toBe(401) // no channel enumeration without the token
    const events = await fetch(`http://127.0.0.1:${server.port}/api/events`)
    expect(events.status).toBe(401)
    const badClient = createHttpClient(server.url, 'not-the-token')
    await expect(badClient.invoke('runs:list', {})).rejects.toMatchObject({ status: 401, name: 'Unauthorized' })
    expect(calls).toBe(0)
  })

  it('accepts the token as a ?token= query parameter', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/runs:list?token=${server.token}`, { method: 'POST', body: '{"q":1}' })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ ok: true, result: { echo: { q: 1 } } })
    expect(calls).toBe(1)
  })

  it('streams events over SSE in order and unsubscribes on disconnect', async () => {
    const before = listeners.size
    const client = createHttpClient(server.url, server.token)
    const got: Array<{ event: string; payload: unknown }> = []
    const sub = client.events((event, payload) => got.push({ event, payload }))
    await sub.ready
    await waitFor(() => listeners.size === before + 1)
    for (let i = 0; i < 20; i++) emit('run:metrics', { step: i, loss: 1 / (i + 1) })
    emit('run:status', { id: 'r1', status: 'completed', note: 'line\nbreak' })
    await waitFor(() => got.length === 21)
    expect(got.slice(0, 20).map((e) => (e.payload as { step: number }).step)).toEqual([...Array(20).keys()])
    expect(got[20]).toEqual({ event: 'run:status', payload: { id: 'r1', status: 'completed', note: 'line\nbreak' } })
    sub.close()
    await sub.done
    await waitFor(() => listeners.size === before)

    // Raw EventSource-style connection with ?token=
    const ctrl = new AbortController()
    const res = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, { signal: ctrl.signal })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/)
    await waitFor(() => listeners.size === before + 1)
    ctrl.abort()
    await waitFor(() => listeners.size === before)
  })

  it('serves index.html for / and assets with their content types', async () => {
    const index = await fetch(`http://127.0.0.1:${server.port}/?token=${server.token}`)
    expect(index.status).toBe(200)
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(index.headers.get('content-security-policy')).toMatch(/default-src 'self'.*connect-src 'self'/)
    expect(index.headers.get('x-content-type-options')).toBe('nosniff')
    expect(await index.text()).toContain('<title>Tatami</title>')
    const js = await fetch(`http://127.0.0.1:${server.port}/assets/app.js`)
    expect(js.status).toBe(200)
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8')
    expect(await js.text()).toBe('console.log("tatami")')
    const css = await fetch(`http://127.0.0.1:${server.port}/assets/style.css`)
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8')
    const missing = await fetch(`http://127.0.0.1:${server.port}/assets/nope.js`)
    expect(missing.status).toBe(404)
    const dir = await fetch(`http://127.0.0.1:${server.port}/assets`)
    expect(dir.status).toBe(404)
  })

  it('does not leak files outside staticDir (directory traversal)', async () => {
    const paths = [
      '/../package.json',
      '/assets/../../package.json',
      '/%2e%2e/package.json',
      '/%2E%2E%2Fpackage.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/..%2fpackage.json',
      '/..%5cpackage.json',
      '/%2e%2e%5cpackage.json',
      '/assets%2f..%2f..%2fpackage.json',
      '/%00/package.json'
    ]
    for (const path of paths) {
      const r = await raw(server.port, { path, headers: { Host: `127.0.0.1:${server.port}` } })
      expect([400, 403, 404], path).toContain(r.status)
      expect(r.body, path).not.toContain(secretMarker)
    }
  })

  it('refuses a bad Host header (DNS rebinding) with 403 and runs nothing', async () => {
    for (const host of ['evil.example', `evil.example:${server.port}`, '127.0.0.1:1', `127.0.0.2:${server.port}`]) {
      const r = await raw(server.port, {
        method: 'POST',
        path: '/api/runs:list',
        headers: { Host: host, Authorization: `Bearer ${server.token}` },
        body: '{}'
      })
      expect(r.status, host).toBe(403)
      const s = await raw(server.port, { path: '/', headers: { Host: host } })
      expect(s.status, host).toBe(403)
    }
    const ok = await raw(server.port, { path: '/', headers: { Host: `localhost:${server.port}` } })
    expect(ok.status).toBe(200)
    expect(calls).toBe(0)
  })

  it('refuses to bind to any host other than 127.0.0.1', async () => {
    for (const host of ['0.0.0.0', '::', 'localhost', '192.168.1.10']) {
      await expect(startServeServer({ handlers: {}, subscribe: () => () => {}, staticDir, host })).rejects.toThrow(/127\.0\.0\.1 only/)
    }
  })

  it('uses a given token and a fresh random one per launch otherwise', async () => {
    const given = await startServeServer({ handlers: {}, subscribe: () => () => {}, staticDir, token: 'a-fixed-token-for-tests-123' })
    const other = await startServeServer({ handlers: {}, subscribe: () => () => {}, staticDir })
    try {
      expect(given.token).toBe('a-fixed-token-for-tests-123')
      expect(other.token).not.toBe(server.token)
    } finally {
      await given.close()
      await other.close()
    }
  })

  it('sends exported files as attachments with the token, and nothing outside the downloads folder', async () => {
    const downloadsDir = mkdtempSync(join(tmpdir(), 'tatami-downloads-'))
    writeFileSync(join(downloadsDir, 'run-1-model-final.onnx'), Buffer.from([8, 7, 6, 5]))
    mkdirSync(join(downloadsDir, 'run-1-model-final-pytorch'))
    writeFileSync(join(downloadsDir, '..', 'secret.txt'), 'no')
    const dl = await startServeServer({ handlers: {}, subscribe: () => () => {}, staticDir, downloadsDir })
    try {
      const ok = await raw(dl.port, { path: `/api/download/run-1-model-final.onnx?token=${dl.token}` })
      expect(ok.status).toBe(200)
      expect(ok.headers['content-disposition']).toBe('attachment; filename="run-1-model-final.onnx"')
      expect(Buffer.from(ok.body, 'utf8')).toEqual(Buffer.from([8, 7, 6, 5]))
      expect((await raw(dl.port, { path: '/api/download/run-1-model-final.onnx' })).status).toBe(401)
      for (const name of ['..%2Fsecret.txt', '%2E%2E%2Fsecret.txt', 'run-1-model-final-pytorch', 'missing.onnx', '.hidden']) {
        expect((await raw(dl.port, { path: `/api/download/${name}?token=${dl.token}` })).status, name).toBe(404)
      }
      expect((await raw(dl.port, { method: 'POST', path: `/api/download/run-1-model-final.onnx?token=${dl.token}` })).status).toBe(405)
    } finally {
      await dl.close()
    }
  })
})
