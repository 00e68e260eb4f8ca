/**
 * Which WorkbenchClient the renderer talks to: Electron's preload bridge (window.tatami) in the app,
 * the HTTP transport under `tatami serve` (token from the page URL, then removed from the address bar).
 * Stores reach the backend only through useWorkbench(); tests install a client with setWorkbench().
 */
import type { WorkbenchClient } from '../../../src-main/contract/workbench-api'
import { createHttpWorkbenchClient } from './http-workbench-client'

declare global {
  interface Window {
    tatami?: WorkbenchClient
  }
}

let client: WorkbenchClient | null = null

export function setWorkbench(c: WorkbenchClient): void {
  client = c
}

export function useWorkbench(): WorkbenchClient {
  if (!client) throw new Error('No workbench connection: connectWorkbench() was not called')
  return client
}

/** Picks the transport for this page; returns null with no backend (a page opened without its token). */
export function connectWorkbench(): WorkbenchClient | null {
  if (window.tatami) {
    client = window.tatami
    return client
  }
  const url = new URL(window.location.href)
  const token = url.searchParams.get('token') ?? sessionStorage.getItem('tatami-token')
  if (!token) return null
  // Keep the token for reloads of this tab, but not in the address bar, history or screenshots.
  sessionStorage.setItem('tatami-token', token)
  if (url.searchParams.has('token')) {
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
  }
  client = createHttpWorkbenchClient(url.origin, token)
  return client
}

/**
 * Under `tatami serve`, the address from which the browser downloads an exported file (exports/ next to
 * the database); null in the desktop app, where files are already on the user's disk.
 */
export function exportDownloadUrl(fileName: string): string | null {
  if (typeof window === 'undefined' || window.tatami) return null
  const token = sessionStorage.getItem('tatami-token')
  if (!token) return null
  return `${window.location.origin}/api/download/${encodeURIComponent(fileName)}?token=${encodeURIComponent(token)}`
}

/** A readable message from anything a WorkbenchClient call may throw. */
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof (err as { message: unknown }).message === 'string') {
    return (err as { message: string }).message
  }
  return String(err)
}
