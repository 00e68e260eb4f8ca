/**
 * Electron IPC transport for the WorkbenchApi, without importing Electron: ipcMain and webContents
 * are taken as minimal structural types, so this is tested with fakes in plain Node.
 *
 * Every invoke answers with a WorkbenchResult ({ ok: true, value } or { ok: false, error }), never a
 * thrown error, so the renderer gets the error's name and code intact.
 */
import {
  WORKBENCH_CHANNELS,
  WORKBENCH_EVENTS,
  type WorkbenchChannel,
  type WorkbenchEvent,
  type WorkbenchEvents,
  type WorkbenchResult
} from '../contract/workbench-api'
import { toWorkbenchError, type WorkbenchService } from '../services/workbench-service'

/** The part of Electron's IpcMainInvokeEvent we use. */
export interface IpcInvokeEventLike {
  senderFrame: { url: string } | null
}

/** The part of Electron's ipcMain we use. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void
  removeHandler(channel: string): void
}

/** The part of Electron's WebContents we use to push events. */
export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void
  isDestroyed(): boolean
}

export type TrustedSenderPredicate = (event: IpcInvokeEventLike) => boolean

/**
 * Trusts only frames whose URL is inside the app: under `appFileUrl` (the file:// URL of the built
 * renderer's folder) or, in development, on the dev server's origin.
 */
export function trustedSender(options: { appFileUrl: string; devServerUrl?: string | undefined }): TrustedSenderPredicate {
  const fileRoot = options.appFileUrl.endsWith('/') ? options.appFileUrl : options.appFileUrl + '/'
  let devOrigin: string | null = null
  if (options.devServerUrl) {
    try {
      devOrigin = new URL(options.devServerUrl).origin
    } catch {
      devOrigin = null
    }
  }
  return (event) => {
    const url = event.senderFrame?.url
    if (typeof url !== 'string' || url === '') return false
    if (url.startsWith(fileRoot)) return true
    if (devOrigin !== null) {
      try {
        return new URL(url).origin === devOrigin
      } catch {
        return false
      }
    }
    return false
  }
}

export interface RegisterIpcOptions {
  /** Where events go: the app's live windows' webContents. Default: none. */
  targets?: () => Iterable<WebContentsLike>
}

/** Registers every channel and forwards service events; returns a function undoing both. */
export function registerIpcHandlers(
  ipcMain: IpcMainLike,
  service: WorkbenchService,
  isTrustedSender: TrustedSenderPredicate,
  options: RegisterIpcOptions = {}
): () => void {
  for (const channel of WORKBENCH_CHANNELS) {
    ipcMain.handle(channel, async (event, ...args): Promise<WorkbenchResult<WorkbenchChannel>> => {
      if (!isTrustedSender(event)) {
        return { ok: false, error: { name: 'Forbidden', message: `${channel}: refused a request from an untrusted sender`, code: 'Forbidden' } }
      }
      try {
        return { ok: true, value: await service.invoke(channel, args[0]) }
      } catch (err) {
        return { ok: false, error: toWorkbenchError(err) }
      }
    })
  }
  const targets = options.targets
  const offs = targets
    ? WORKBENCH_EVENTS.map((event) =>
        service.events.on(event, (payload: WorkbenchEvents[WorkbenchEvent]) => {
          for (const wc of targets()) if (!wc.isDestroyed()) wc.send(event, payload)
        })
      )
    : []
  return () => {
    for (const off of offs) off()
    for (const channel of WORKBENCH_CHANNELS) ipcMain.removeHandler(channel)
  }
}

/** The app's Content-Security-Policy (dev adds the dev server and its HMR websocket). */
export function contentSecurityPolicy(devServerUrl?: string): string {
  let dev = ''
  if (devServerUrl) {
    const u = new URL(devServerUrl)
    dev = ` ${u.origin} ws://${u.host}`
  }
  return [
    "default-src 'none'",
    `script-src 'self'${dev ? ` ${new URL(devServerUrl!).origin}` : ''}`,
    // Vue's scoped styles and Chart.js set inline styles.
    `style-src 'self' 'unsafe-inline'`,
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self'${dev}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'"
  ].join('; ')
}
