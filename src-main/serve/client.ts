/**
 * Small client for the `tatami serve` HTTP transport, using plain `fetch` only
 * (Node 20+ and browsers). Events are read by parsing the SSE stream from a
 * streaming fetch response, so the token travels in the Authorization header.
 */

export interface ServeWireError {
  name: string
  message: string
  code?: string
}

/** Error thrown by `invoke` when the server answers `{ ok: false }`. */
export class ServeRequestError extends Error {
  readonly status: number
  readonly code?: string
  constructor(status: number, error: ServeWireError) {
    super(error.message)
    this.name = error.name
    this.status = status
    if (error.code !== undefined) this.code = error.code
  }
}

export interface ServeEventSubscription {
  /** Stops the stream. */
  close(): void
  /** Resolves once the stream is connected (headers received). */
  ready: Promise<void>
  /** Resolves when the stream ends (closed, server gone, or error). */
  done: Promise<void>
}

export interface HttpClient {
  invoke<T = unknown>(channel: string, request?: unknown): Promise<T>
  events(onEvent: (event: string, payload: unknown) => void, onError?: (err: unknown) => void): ServeEventSubscription
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null
}

function toWireError(v: unknown, status: number): ServeWireError {
  if (isRecord(v) && isRecord(v.error) && typeof v.error.message === 'string') {
    const name = typeof v.error.name === 'string' ? v.error.name : 'Error'
    const out: ServeWireError = { name, message: v.error.message }
    if (typeof v.error.code === 'string') out.code = v.error.code
    return out
  }
  return { name: 'HttpError', message: `HTTP ${status}` }
}

/** `baseUrl` may be the printed URL (with `?token=`); only its origin is used. */
export function createHttpClient(baseUrl: string, token: string): HttpClient {
  const origin = new URL(baseUrl).origin

  async function invoke<T>(channel: string, request?: unknown): Promise<T> {
    const res = await fetch(`${origin}/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify(request === undefined ? null : request)
    })
    const text = await res.text()
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new ServeRequestError(res.status, { name: 'HttpError', message: `HTTP ${res.status}: ${text.slice(0, 200)}` })
    }
    if (isRecord(parsed) && parsed.ok === true) return parsed.result as T
    throw new ServeRequestError(res.status, toWireError(parsed, res.status))
  }

  function events(onEvent: (event: string, payload: unknown) => void, onError?: (err: unknown) => void): ServeEventSubscription {
    const controller = new AbortController()
    let markReady: () => void = () => {}
    let failReady: (err: unknown) => void = () => {}
    const ready = new Promise<void>((res, rej) => {
      markReady = res
      failReady = rej
    })
    ready.catch(() => {})

    const dispatch = (block: string): void => {
      const data: string[] = []
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''))
      }
      if (data.length === 0) return
      let msg: unknown
      try {
        msg = JSON.parse(data.join('\n'))
      } catch (err) {
        onError?.(err)
        return
      }
      if (isRecord(msg) && typeof msg.event === 'string') onEvent(msg.event, msg.payload)
    }

    const run = async (): Promise<void> => {
      const res = await fetch(`${origin}/api/events`, {
        headers: { Accept: 'text/event-stream', Authorization: `Bearer ${token}` },
        signal: controller.signal
      })
      if (!res.ok || !res.body) {
        let body: unknown = null
        try {
          body = await res.json()
        } catch {
          /* not JSON */
        }
        throw new ServeRequestError(res.status, toWireError(body, res.status))
      }
      markReady()
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      let buffer = ''
      for (;;) {
        const { value, done } = await reader.read()
        if (done) break
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
        let idx: number
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx)
          buffer = buffer.slice(idx + 2)
          dispatch(block)
        }
      }
    }

    const done = run().then(
      () => undefined,
      (err: unknown) => {
        failReady(err)
        if (!controller.signal.aborted) onError?.(err)
      }
    )
    return { close: () => controller.abort(), ready, done }
  }

  return { invoke, events }
}
