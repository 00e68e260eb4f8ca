/**
 * The Electron shell (src-main/index.ts) with 'electron' mocked: the window's security options, CSP,
 * blocked navigation and new windows, every channel registered, and the database under userData.
 */
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { WORKBENCH_CHANNELS } from '../../src-main/contract/workbench-api'
import { secureWindowOptions } from '../../src-main/window-options'

type Listener = (...args: unknown[]) => unknown

const h = vi.hoisted(() => {
  const state = {
    userData: '',
    windows: [] as { options: Record<string, unknown>; webContents: { handlers: Map<string, (...a: unknown[]) => unknown>; openHandler: ((d: { url: string }) => unknown) | null } }[],
    handles: new Map<string, (...a: unknown[]) => unknown>(),
    appEvents: new Map<string, (...a: unknown[]) => unknown>(),
    headersHook: null as null | ((details: { responseHeaders: Record<string, string[]> }, cb: (r: unknown) => void) => void),
    externals: [] as string[],
    ready: null as null | Promise<void>
  }
  return state
})

vi.mock('electron', () => {
  class WebContents {
    handlers = new Map<string, Listener>()
    openHandler: ((d: { url: string }) => unknown) | null = null
    on(event: string, cb: Listener) {
      this.handlers.set(event, cb)
      return this
    }
    setWindowOpenHandler(cb: (d: { url: string }) => unknown) {
      this.openHandler = cb
    }
    send() {}
    isDestroyed() {
      return false
    }
  }
  class BrowserWindow {
    static all: BrowserWindow[] = []
    static getAllWindows() {
      return BrowserWindow.all
    }
    webContents = new WebContents()
    constructor(readonly options: Record<string, unknown>) {
      BrowserWindow.all.push(this)
      h.windows.push({ options, webContents: this.webContents })
    }
    once() {}
    loadFile() {
      return Promise.resolve()
    }
    loadURL() {
      return Promise.resolve()
    }
  }
  h.ready = Promise.resolve()
  return {
    app: {
      whenReady: () => h.ready,
      getPath: (name: string) => (name === 'userData' ? h.userData : '/nonexistent'),
      isPackaged: false,
      on: (event: string, cb: Listener) => h.appEvents.set(event, cb),
      quit: () => {}
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, cb: Listener) => h.handles.set(channel, cb),
      removeHandler: (channel: string) => h.handles.delete(channel)
    },
    session: {
      defaultSession: {
        webRequest: { onHeadersReceived: (cb: typeof h.headersHook) => (h.headersHook = cb) },
        setPermissionRequestHandler: () => {}
      }
    },
    shell: { openExternal: (url: string) => h.externals.push(url) },
    utilityProcess: { fork: () => { throw new Error('not in this test') } }
  }
})

afterAll(() => {
  h.appEvents.get('will-quit')?.()
})

describe('the Electron shell', () => {
  it('creates a locked-down window, sets the CSP, registers every channel, blocks navigation', async () => {
    h.userData = mkdtempSync(join(tmpdir(), 'tatami-userdata-'))
    await import('../../src-main/index')
    await h.ready
    await new Promise((r) => setTimeout(r, 0))

    expect(existsSync(join(h.userData, 'tatami.sqlite'))).toBe(true)
    expect(h.windows).toHaveLength(1)
    const prefs = h.windows[0].options.webPreferences as Record<string, unknown>
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/)

    expect([...h.handles.keys()].sort()).toEqual([...WORKBENCH_CHANNELS].sort())
    const refused = await h.handles.get('runs:list')!({ senderFrame: { url: 'https://evil.example/' } }, {})
    expect(refused).toMatchObject({ ok: false, error: { code: 'Forbidden' } })

    let headers: unknown = null
    h.headersHook!({ responseHeaders: { 'X-Test': ['1'] } }, (r) => (headers = r))
    expect(headers).toMatchObject({ responseHeaders: { 'X-Test': ['1'], 'Content-Security-Policy': [expect.stringContaining("default-src 'none'")] } })

    const wc = h.windows[0].webContents
    const nav = { preventDefault: vi.fn() }
    wc.handlers.get('will-navigate')!(nav)
    expect(nav.preventDefault).toHaveBeenCalled()
    expect(wc.openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' })
    expect(wc.openHandler!({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' })
    expect(h.externals).toEqual(['https://example.com/'])
  })

  it('secureWindowOptions is the locked-down set', () => {
    expect(secureWindowOptions('/p.cjs')).toEqual({ preload: '/p.cjs', contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true })
  })
})
