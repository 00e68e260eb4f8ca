/**
 * The WorkbenchClient over `tatami serve`: POST /api/<channel> with the launch token as a Bearer header,
 * events from one Server-Sent Events stream (EventSource cannot set headers, so the stream takes ?token=).
 */
import type {
  WorkbenchChannel,
  WorkbenchClient,
  WorkbenchError,
  WorkbenchEvent,
  WorkbenchEvents,
  WorkbenchRequest,
  WorkbenchResponse
} from '../../../src-main/contract/workbench-api'

type AnyListener = (payload: unknown) => void

export function createHttpWorkbenchClient(origin: string, token: string): WorkbenchClient {
  const listeners = new Map<WorkbenchEvent, Set<AnyListener>>()
  let source: EventSource | null = null

  function ensureStream(): void {
    if (source) return
    source = new EventSource(`${origin}/api/events?token=${encodeURIComponent(token)}`)
    source.onmessage = (message: MessageEvent<string>) => {
      const { event, payload } = JSON.parse(message.data) as { event: WorkbenchEvent; payload: unknown }
      for (const cb of listeners.get(event) ?? []) cb(payload)
    }
    // EventSource reconnects by itself after a dropped connection; nothing to do here.
  }

  return {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>): Promise<WorkbenchResponse<C>> {
      let res: Response
      try {
        res = await fetch(`${origin}/api/${encodeURIComponent(channel)}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify(request)
        })
      } catch (err) {
        const error: WorkbenchError = { name: 'NetworkError', message: `Tatami's server did not answer (${String(err)}). Is \`tatami serve\` still running?` }
        throw error
      }
      const body = (await res.json().catch(() => null)) as { ok: boolean; result?: unknown; error?: WorkbenchError } | null
      if (body && body.ok) return body.result as WorkbenchResponse<C>
      const error: WorkbenchError = body?.error ?? { name: 'HttpError', message: `HTTP ${res.status} from ${channel}` }
      throw error
    },
    subscribe<E extends WorkbenchEvent>(event: E, cb: (payload: WorkbenchEvents[E]) => void): () => void {
      ensureStream()
      let set = listeners.get(event)
      if (!set) listeners.set(event, (set = new Set()))
      const listener = cb as AnyListener
      set.add(listener)
      return () => set.delete(listener)
    }
  }
}
