/**
 * The connection of a child process (engine or inspector) to its parent: an Electron utility process
 * (process.parentPort), a worker thread, or a Node child_process.fork child. Never imports Electron.
 */
import { parentPort as workerParentPort } from 'node:worker_threads'

export interface ParentChannel<To, From> {
  send(message: From): void
  onMessage(handler: (message: To) => void): void
}

interface ElectronParentPort {
  postMessage(message: unknown): void
  on(event: 'message', listener: (e: { data: unknown }) => void): void
}

export function connectToParent<To, From>(who: string): ParentChannel<To, From> {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort
  if (electronPort) {
    return { send: (m) => electronPort.postMessage(m), onMessage: (h) => electronPort.on('message', (e) => h(e.data as To)) }
  }
  if (workerParentPort) {
    const port = workerParentPort
    return { send: (m) => port.postMessage(m), onMessage: (h) => port.on('message', (m: To) => h(m)) }
  }
  if (process.send) {
    return { send: (m) => process.send!(m), onMessage: (h) => process.on('message', (m) => h(m as To)) }
  }
  throw new Error(`${who}: no parent channel (start it with utilityProcess.fork, a Worker or child_process.fork)`)
}
