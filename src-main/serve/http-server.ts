/**
 * Generic, contract-agnostic HTTP transport for `tatami serve`.
 *
 * - `POST /api/<channel>` with a JSON body calls `handlers[channel](body)` and answers
 *   `{ ok: true, result }` or `{ ok: false, error: { name, message, code? } }`.
 * - `GET /api/events` is a Server-Sent Events stream of `{ event, payload }` objects.
 * - Every `/api` request needs the per-launch token, either as `Authorization: Bearer <token>`
 *   or as `?token=<token>` (EventSource cannot set headers). It is compared in constant time.
 *   Without it the answer is 401 and no handler runs.
 * - Everything else (GET/HEAD) is served from `staticDir` (the built renderer).
 *
 * Static files do NOT require the token. Choice and reasoning: the static files are the
 * public, built renderer bundle (no data, no secrets), and the browser loads `<script src>` /
 * `<link href>` assets without the `?token=` of the page URL, so requiring it there would need a
 * cookie, which would bring CSRF concerns back to the API. All data and every action lives behind
 * `/api`, which always requires the token. The page reads the token from its own URL and sends it
 * as a Bearer header (or `?token=` for the event stream).
 *
 * Further defences: binds to 127.0.0.1 only; requests whose Host header is not
 * `127.0.0.1:<port>` or `localhost:<port>` get 403 (DNS rebinding); no CORS headers are ever sent,
 * so cross-origin pages cannot read responses; a strict CSP and `X-Content-Type-Options: nosniff`
 * on every response; request bodies are limited in size (413).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import { createReadStream, promises as fsp, statSync } from 'node:fs'
import { basename, extname, join, resolve, sep } from 'node:path'
import type { AddressInfo } from 'node:net'

export type ServeHandler = (request: unknown) => Promise<unknown>
export type ServeListener = (event: string, payload: unknown) => void

export interface ServeServerOptions {
  handlers: Record<string, ServeHandler>
  subscribe: (listener: ServeListener) => () => void
  staticDir: string
  /** Only '127.0.0.1' is accepted. */
  host?: string
  /** 0 (default) picks a free port. */
  port?: number
  /** Defaults to a random 24-byte base64url token. */
  token?: string
  /** Maximum request body in bytes; default 10 MB. */
  maxBodyBytes?: number
  /**
   * Folder whose files `GET /api/download/<name>` sends as attachments (the exports next to the database),
   * so a browser can save an exported model where its user chooses. Only plain file names inside it.
   */
  downloadsDir?: string
}

export interface ServeServer {
  /** `http://127.0.0.1:<port>/?token=<token>` — open it in a browser. */
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export interface WireError {
  name: string
  message: string
  code?: string
}

export type WireResponse = { ok: true; result: unknown } | { ok: false; error: WireError }

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024
const EVENTS_PATH = '/api/events'
const DOWNLOAD_PREFIX = '/api/download/'
const SSE_HEARTBEAT_MS = 15000

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8'
}

const CSP = [
  "default-src 'self'",
  "connect-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'"
].join('; ')

class HttpError extends Error {
  constructor(
    readonly status: number,
    name: string,
    message: string
  ) {
    super(message)
    this.name = name
  }
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CSP)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
}

function sendJson(res: ServerResponse, status: number, body: WireResponse): void {
  const text = JSON.stringify(body)
  res.statusCode = status
  res.setHeader('Content-Type', 'application/json; charset=utf-8')
  res.setHeader('Cache-Control', 'no-store')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** The HTTP status of a refused request: the service's error code says whose fault it was. */
export function httpStatusFor(error: { name: string; code?: string }): number {
  if (error.name === 'BadRequest' || error.code === 'BadRequest') return 400
  switch (error.code) {
    case 'NotFound':
      return 404
    case 'Conflict':
      return 409
    case 'BadData':
      return 422
    case 'Unavailable':
      return 503
    default:
      return 500
  }
}

function sendError(res: ServerResponse, status: number, name: string, message: string, code?: string): void {
  const error: WireError = code === undefined ? { name, message } : { name, message, code }
  sendJson(res, status, { ok: false, error })
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status
  res.setHeader('Content-Type', 'text/plain; charset=utf-8')
  res.setHeader('Content-Length', Buffer.byteLength(text))
  res.end(text)
}

/** Constant-time token comparison (hash both sides so lengths match). */
function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false
  const a = createHash('sha256').update(given, 'utf8').digest()
  const b = createHash('sha256').update(expected, 'utf8').digest()
  return timingSafeEqual(a, b) && given.length === expected.length
}

function requestToken(req: IncomingMessage, url: URL): string | null {
  const auth = req.headers.authorization
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth)
    if (m) return m[1]
  }
  return url.searchParams.get('token')
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolveBody, reject) => {
    const declared = Number(req.headers['content-length'])
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, 'PayloadTooLarge', `Request body exceeds ${limit} bytes`))
      return
    }
    const chunks: Buffer[] = []
    let size = 0
    let done = false
    req.on('data', (chunk: Buffer) => {
      if (done) return
      size += chunk.length
      if (size > limit) {
        done = true
        reject(new HttpError(413, 'PayloadTooLarge', `Request body exceeds ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      if (done) return
      done = true
      resolveBody(Buffer.concat(chunks))
    })
    req.on('error', (err) => {
      if (done) return
      done = true
      reject(err)
    })
  })
}

function toWireError(err: unknown): WireError {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const out: WireError = { name: err.name || 'Error', message: err.message }
    if (typeof code === 'string') out.code = code
    return out
  }
  return { name: 'Error', message: String(err) }
}

export async function startServeServer(options: ServeServerOptions): Promise<ServeServer> {
  const host = options.host ?? '127.0.0.1'
  if (host !== '127.0.0.1') {
    throw new Error(`tatami serve binds to 127.0.0.1 only; refusing host ${JSON.stringify(host)}`)
  }
  const token = options.token ?? randomBytes(24).toString('base64url')
  if (token.length < 16) throw new Error('The serve token must be at least 16 characters long')
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
  const staticRoot = resolve(options.staticDir)
  const handlers = new Map<string, ServeHandler>(Object.entries(options.handlers))
  const openStreams = new Set<ServerResponse>()
  let port = 0

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`])

  /** An exported file as an attachment; a name with a path in it, or anything but a regular file, is refused. */
  function handleDownload(req: IncomingMessage, res: ServerResponse, name: string): void {
    req.resume()
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET')
      sendError(res, 405, 'MethodNotAllowed', 'Use GET for downloads')
      return
    }
    if (!options.downloadsDir || name === '' || name !== basename(name) || name.startsWith('.')) {
      sendError(res, 404, 'NotFound', `No download named ${JSON.stringify(name)}`)
      return
    }
    const file = join(resolve(options.downloadsDir), name)
    let size: number
    try {
      const st = statSync(file)
      if (!st.isFile()) throw new Error('not a file')
      size = st.size
    } catch {
      sendError(res, 404, 'NotFound', `No download named ${JSON.stringify(name)} (a PyTorch export is a folder: use its path)`)
      return
    }
    res.writeHead(200, {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(size),
      'Content-Disposition': `attachment; filename="${name.replace(/[^\w.\-]/g, '_')}"`
    })
    const stream = createReadStream(file)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    res.setHeader('Cache-Control', 'no-store')
    if (!tokenMatches(requestToken(req, url), token)) {
      // Drain nothing, execute nothing.
      res.setHeader('WWW-Authenticate', 'Bearer')
      sendError(res, 401, 'Unauthorized', 'Missing or invalid token')
      req.resume()
      return
    }
    if (url.pathname === EVENTS_PATH) {
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET')
        sendError(res, 405, 'MethodNotAllowed', 'Use GET for /api/events')
        return
      }
      handleEvents(req, res)
      return
    }
    if (url.pathname.startsWith(DOWNLOAD_PREFIX)) {
      handleDownload(req, res, decodeURIComponent(url.pathname.slice(DOWNLOAD_PREFIX.length)))
      return
    }
    const channel = decodeURIComponent(url.pathname.slice('/api/'.length))
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST')
      sendError(res, 405, 'MethodNotAllowed', `Use POST for /api/${channel}`)
      req.resume()
      return
    }
    const handler = Object.prototype.hasOwnProperty.call(options.handlers, channel) ? handlers.get(channel) : undefined
    if (!handler) {
      sendError(res, 404, 'NotFound', `Unknown channel: ${channel}`)
      req.resume()
      return
    }
    let body: Buffer
    try {
      body = await readBody(req, maxBody)
    } catch (err) {
      if (err instanceof HttpError) {
        req.resume() // drain (and discard) the rest so the client sees the answer
        sendError(res, err.status, err.name, err.message)
      } else sendError(res, 400, 'BadRequest', `Could not read the request body: ${toWireError(err).message}`)
      return
    }
    let request: unknown = undefined
    const text = body.toString('utf8')
    if (text.trim() !== '') {
      try {
        request = JSON.parse(text)
      } catch (err) {
        sendError(res, 400, 'BadRequest', `Invalid JSON body: ${toWireError(err).message}`)
        return
      }
    }
    try {
      const result = await handler(request)
      sendJson(res, 200, { ok: true, result: result === undefined ? null : result })
    } catch (err) {
      const wire = toWireError(err)
      sendJson(res, httpStatusFor(wire), { ok: false, error: wire })
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.statusCode = 200
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8')
    res.setHeader('Cache-Control', 'no-store')
    res.setHeader('Connection', 'keep-alive')
    res.flushHeaders()
    res.write(': connected\n\n')
    openStreams.add(res)
    let closed = false
    const unsubscribe = options.subscribe((event, payload) => {
      if (closed) return
      let data: string
      try {
        data = JSON.stringify({ event, payload })
      } catch (err) {
        data = JSON.stringify({ event, payload: null, error: toWireError(err) })
      }
      res.write(`data: ${data}\n\n`)
    })
    const heartbeat = setInterval(() => {
      if (!closed) res.write(': ping\n\n')
    }, SSE_HEARTBEAT_MS)
    heartbeat.unref()
    const cleanup = (): void => {
      if (closed) return
      closed = true
      clearInterval(heartbeat)
      openStreams.delete(res)
      unsubscribe()
    }
    req.on('close', cleanup)
    res.on('close', cleanup)
    res.on('error', cleanup)
  }

  async function handleStatic(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD')
      sendText(res, 405, 'Method Not Allowed')
      return
    }
    let rel: string
    try {
      rel = decodeURIComponent(url.pathname)
    } catch {
      sendText(res, 400, 'Bad Request')
      return
    }
    if (rel.includes('\0')) {
      sendText(res, 400, 'Bad Request')
      return
    }
    if (rel === '/' || rel === '') rel = '/index.html'
    const full = resolve(staticRoot, '.' + rel)
    if (full !== staticRoot && !full.startsWith(staticRoot + sep)) {
      sendText(res, 403, 'Forbidden')
      return
    }
    // Also refuse any literal '..' segment in the raw path (before URL normalisation).
    const rawPath = (req.url ?? '').split('?')[0]
    if (/(^|\/|\\)(\.\.|%2e%2e|%2e\.|\.%2e)($|\/|\\|%2f|%5c)/i.test(rawPath)) {
      sendText(res, 403, 'Forbidden')
      return
    }
    let stat
    try {
      // Resolve symlinks too and check again.
      const real = await fsp.realpath(full)
      const realRoot = await fsp.realpath(staticRoot)
      if (real !== realRoot && !real.startsWith(realRoot + sep)) {
        sendText(res, 403, 'Forbidden')
        return
      }
      stat = await fsp.stat(real)
    } catch {
      sendText(res, 404, 'Not Found')
      return
    }
    if (!stat.isFile()) {
      sendText(res, 404, 'Not Found')
      return
    }
    res.statusCode = 200
    res.setHeader('Content-Type', CONTENT_TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream')
    res.setHeader('Content-Length', stat.size)
    res.setHeader('Cache-Control', 'no-cache')
    if (req.method === 'HEAD') {
      res.end()
      return
    }
    const stream = createReadStream(full)
    stream.on('error', () => res.destroy())
    stream.pipe(res)
  }

  const server = createServer((req, res) => {
    securityHeaders(res)
    const hostHeader = (req.headers.host ?? '').toLowerCase()
    if (!allowedHosts().has(hostHeader)) {
      sendText(res, 403, 'Forbidden: bad Host header')
      req.resume()
      return
    }
    let url: URL
    try {
      url = new URL(req.url ?? '/', `http://${hostHeader}`)
    } catch {
      sendText(res, 400, 'Bad Request')
      return
    }
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/')
    const work = isApi ? handleApi(req, res, url) : handleStatic(req, res, url)
    work.catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, 'InternalError', toWireError(err).message)
      else res.destroy()
    })
  })

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolveListen()
    })
  })
  port = (server.address() as AddressInfo).port

  return {
    url: `http://127.0.0.1:${port}/?token=${encodeURIComponent(token)}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolveClose, reject) => {
        for (const res of openStreams) res.end()
        openStreams.clear()
        server.close((err) => (err ? reject(err) : resolveClose()))
        server.closeAllConnections()
      })
  }
}
