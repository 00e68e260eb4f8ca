/**
 * The preload bridge: exposes exactly the WorkbenchApi contract as window.tatami
 * ({ invoke, subscribe }), checking channel and event names against the contract.
 * A failed invoke rejects with a plain WorkbenchError object ({ name, message, code? }) so its
 * fields survive the context bridge.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import {
  isWorkbenchChannel,
  isWorkbenchEvent,
  type WorkbenchChannel,
  type WorkbenchClient,
  type WorkbenchError,
  type WorkbenchEvent,
  type WorkbenchEvents,
  type WorkbenchRequest,
  type WorkbenchResponse,
  type WorkbenchResult
} from '../src-main/contract/workbench-api'

const client: WorkbenchClient = {
  async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>> {
    if (!isWorkbenchChannel(channel)) {
      const error: WorkbenchError = { name: 'BadRequest', message: `unknown channel ${String(channel)}`, code: 'BadRequest' }
      throw error
    }
    const result = (await ipcRenderer.invoke(channel, request)) as WorkbenchResult<C>
    if (result.ok) return result.value
    throw result.error
  },
  subscribe<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void): () => void {
    if (!isWorkbenchEvent(event)) throw new Error(`unknown event ${String(event)}`)
    const listener = (_e: IpcRendererEvent, payload: WorkbenchEvents[E]) => cb(payload)
    ipcRenderer.on(event, listener)
    return () => {
      ipcRenderer.removeListener(event, listener)
    }
  }
}

contextBridge.exposeInMainWorld('tatami', { invoke: client.invoke, subscribe: client.subscribe })
