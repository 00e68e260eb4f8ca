/**
 * Downloads a file over http(s) into `dest` with a SHA-256 check, progress callbacks and resume: the
 * bytes go to `dest.part`, a dropped connection is retried with a Range request from where it
 * stopped (and a later call resumes a .part left behind), and only a file whose hash matches is
 * renamed to `dest`. A file whose hash does not match is deleted.
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { rename, rm, stat } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'

export interface DownloadProgress {
  url: string
  received: number
  /** null when the server does not say. */
  total: number | null
}

export interface DownloadOptions {
  /** Expected SHA-256 (hex) of the whole file. */
  sha256: string
  onProgress?: (p: DownloadProgress) => void
  /** Extra attempts after a dropped connection (default 3). */
  retries?: number
  /** Socket inactivity timeout (default 30 s). */
  timeoutMs?: number
}

/** The network could not be reached at all (no connection, DNS failure, refused). */
export class OfflineError extends Error {
  readonly code = 'Unavailable'
  constructor(message: string) {
    super(message)
    this.name = 'OfflineError'
  }
}

export class DownloadError extends Error {
  readonly code = 'Unavailable'
  constructor(message: string) {
    super(message)
    this.name = 'DownloadError'
  }
}

const OFFLINE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ENETDOWN'])
const MAX_REDIRECTS = 5

export async function downloadFile(url: string, dest: string, options: DownloadOptions): Promise<void> {
  const part = `${dest}.part`
  const retries = options.retries ?? 3
  for (let attempt = 0; ; attempt++) {
    const have = (await stat(part).catch(() => null))?.size ?? 0
    try {
      await fetchInto(url, part, have, options, 0)
      break
    } catch (err) {
      if (!(err instanceof DroppedError) || attempt >= retries) {
        if (err instanceof DroppedError) {
          throw new DownloadError(`${url}: ${err.message}; the ${err.received} bytes received are kept in ${part} and the next download resumes from there`)
        }
        throw err
      }
    }
  }
  const hash = await sha256File(part)
  if (hash !== options.sha256) {
    await rm(part, { force: true })
    throw new DownloadError(`${url}: SHA-256 mismatch: expected ${options.sha256}, got ${hash}; the file was deleted`)
  }
  await rename(part, dest)
}

/** The connection ended before the whole file arrived (worth retrying). */
class DroppedError extends Error {
  constructor(
    message: string,
    readonly received: number
  ) {
    super(message)
  }
}

function fetchInto(url: string, part: string, have: number, options: DownloadOptions, redirects: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const client = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : null
    if (!client) return reject(new DownloadError(`${url}: only http and https URLs are supported`))
    const headers: Record<string, string> = have > 0 ? { Range: `bytes=${have}-` } : {}
    const req = client.get(u, { headers, timeout: options.timeoutMs ?? 30_000 }, (res) => {
      const status = res.statusCode ?? 0
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume()
        if (redirects >= MAX_REDIRECTS) return reject(new DownloadError(`${url}: too many redirects`))
        fetchInto(new URL(res.headers.location, u).toString(), part, have, options, redirects + 1).then(resolve, reject)
        return
      }
      if (status === 416 && have > 0) {
        // The .part already holds the whole file; the hash check decides.
        res.resume()
        return resolve()
      }
      if (status !== 200 && status !== 206) {
        res.resume()
        return reject(new DownloadError(`${url}: HTTP ${status} ${res.statusMessage ?? ''}`.trim()))
      }
      const resumed = status === 206
      let received = resumed ? have : 0
      const length = Number(res.headers['content-length'])
      const total = Number.isFinite(length) ? received + length : null
      const out = createWriteStream(part, { flags: resumed ? 'a' : 'w' })
      let failed = false
      const fail = (err: Error) => {
        if (failed) return
        failed = true
        out.end(() => reject(err))
      }
      res.on('data', (chunk: Buffer) => {
        received += chunk.length
        options.onProgress?.({ url, received, total })
      })
      res.on('aborted', () => fail(new DroppedError(`connection dropped after ${received}${total !== null ? ` of ${total}` : ''} bytes`, received)))
      res.on('error', () => fail(new DroppedError(`connection dropped after ${received}${total !== null ? ` of ${total}` : ''} bytes`, received)))
      res.pipe(out)
      out.on('error', (err) => fail(new DownloadError(`cannot write ${part}: ${err.message}`)))
      out.on('finish', () => {
        if (failed) return
        if (total !== null && received < total) return fail(new DroppedError(`connection dropped after ${received} of ${total} bytes`, received))
        resolve()
      })
    })
    req.on('timeout', () => req.destroy(Object.assign(new Error('no data for too long'), { code: 'ETIMEDOUT' })))
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code && OFFLINE_CODES.has(err.code)) {
        reject(new OfflineError(`cannot reach ${u.host} (${err.code}): no network connection?`))
      } else if (err.code === 'ECONNRESET' || err.code === 'ETIMEDOUT' || err.code === 'EPIPE') {
        reject(new DroppedError(`connection failed (${err.code})`, have))
      } else {
        reject(new DownloadError(`${url}: ${err.message}`))
      }
    })
  })
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256')
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')))
  })
}
