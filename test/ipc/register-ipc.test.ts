import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { WORKBENCH_CHANNELS, type WorkbenchResult } from '../../src-main/contract/workbench-api'
import { contentSecurityPolicy, registerIpcHandlers, trustedSender, type IpcInvokeEventLike, type IpcMainLike, type WebContentsLike } from '../../src-main/ipc/register-ipc'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import type { EngineLauncher } from '../../src-main/runs/launcher'
import { network } from '../runs/helpers'

type Handler = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown

class FakeIpcMain implements IpcMainLike {
  readonly handlers = new Map<string, Handler>()
  handle(channel: string, listener: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`)
    this.handlers.set(channel, listener)
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel)
  }
  async call(channel: string, url: string | null, payload: unknown): Promise<WorkbenchResult<'networks:list'>> {
    const h = this.handlers.get(channel)
    if (!h) throw new Error(`no handler for ${channel}`)
    return (await h({ senderFrame: url === null ? null : { url } }, payload)) as WorkbenchResult<'networks:list'>
  }
}

const APP = 'file:///opt/tatami/out/renderer'
const trusted = trustedSender({ appFileUrl: APP })

let backends: WorkbenchBackend[] = []
afterEach(() => {
  for (const b of backends) b.close()
  backends = []
})

/** An engine process that never answers (these tests exercise the transport, not training). */
const silentLauncher: EngineLauncher = () => ({ send: () => {}, onMessage: () => {}, onExit: () => {}, kill: () => {}, pid: undefined })

function backend(): WorkbenchBackend {
  const b = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-ipc-')), 'db.sqlite'), concurrency: 1, launcher: silentLauncher })
  backends.push(b)
  return b
}

describe('registerIpcHandlers', () => {
  it('registers every channel in the contract, and unregisters them', () => {
    const ipc = new FakeIpcMain()
    const off = registerIpcHandlers(ipc, backend().service, trusted)
    expect([...ipc.handlers.keys()].sort()).toEqual([...WORKBENCH_CHANNELS].sort())
    off()
    expect(ipc.handlers.size).toBe(0)
  })

  it('answers a trusted sender and refuses an untrusted one', async () => {
    const ipc = new FakeIpcMain()
    registerIpcHandlers(ipc, backend().service, trusted)
    const saved = await ipc.call('networks:save', `${APP}/index.html`, { name: 'tiny', spec: network })
    expect(saved.ok).toBe(true)
    const listed = await ipc.call('networks:list', `${APP}/index.html#/runs`, {})
    expect(listed).toMatchObject({ ok: true, value: [{ name: 'tiny', latestVersion: 1 }] })
    for (const url of ['https://evil.example/index.html', 'file:///opt/tatami/out/renderer-evil/index.html', 'file:///tmp/x.html', '', null]) {
      const refused = await ipc.call('networks:list', url, {})
      expect(refused).toEqual({ ok: false, error: { name: 'Forbidden', code: 'Forbidden', message: 'networks:list: refused a request from an untrusted sender' } })
    }
  })

  it('trusts the dev server origin only when given', () => {
    const dev = trustedSender({ appFileUrl: APP, devServerUrl: 'http://localhost:5173/' })
    expect(dev({ senderFrame: { url: 'http://localhost:5173/index.html' } })).toBe(true)
    expect(dev({ senderFrame: { url: 'http://localhost:5174/index.html' } })).toBe(false)
    expect(trusted({ senderFrame: { url: 'http://localhost:5173/index.html' } })).toBe(false)
  })

  it('returns a bad payload as a BadRequest error object, and a missing run as NotFound', async () => {
    const ipc = new FakeIpcMain()
    registerIpcHandlers(ipc, backend().service, trusted)
    const r = await ipc.call('runs:start', `${APP}/index.html`, { network, training: { version: 1 } })
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.error.name).toBe('BadRequest')
    expect(r.error.code).toBe('BadRequest')
    expect(r.error.message).toMatch(/^runs:start: training\./)
    const g = await ipc.call('runs:get', `${APP}/index.html`, { runId: 'x' })
    expect(g).toMatchObject({ ok: false, error: { name: 'BadRequest', message: 'runs:get: runId must be a positive integer, got "x"' } })
    const n = await ipc.call('runs:pause', `${APP}/index.html`, { runId: 99 })
    expect(n).toMatchObject({ ok: false, error: { name: 'NotFound', code: 'NotFound' } })
  })

  it('forwards service events to live webContents', () => {
    const ipc = new FakeIpcMain()
    const b = backend()
    const sent: [string, unknown][] = []
    const live: WebContentsLike = { send: (c, p) => sent.push([c, p]), isDestroyed: () => false }
    const dead: WebContentsLike = { send: () => { throw new Error('destroyed') }, isDestroyed: () => true }
    const off = registerIpcHandlers(ipc, b.service, trusted, { targets: () => [live, dead] })
    const id = b.store.createRun({ name: 'r', network, training: { version: 1, dataset: { id: 'shapes' }, epochs: 1, batchSize: 8, optimizer: { type: 'sgd', lr: 0.1 }, loss: 'cross_entropy', seed: 1 } })
    b.manager.enqueue({ runId: String(id), network, training: b.store.getRun(id)!.training })
    expect(sent).toEqual([
      ['run:status', { runId: id, status: 'queued' }],
      ['run:status', { runId: id, status: 'running' }]
    ])
    off()
    b.manager.shutdown()
    expect(b.store.getRun(id)!.status).toBe('interrupted')
    expect(sent).toHaveLength(2)
  })
})

describe('contentSecurityPolicy', () => {
  it('allows no inline or remote scripts', () => {
    const csp = contentSecurityPolicy()
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("script-src 'self';")
    expect(csp).not.toContain('unsafe-eval')
    expect(contentSecurityPolicy('http://localhost:5173')).toContain('connect-src \'self\' http://localhost:5173 ws://localhost:5173')
  })
})
