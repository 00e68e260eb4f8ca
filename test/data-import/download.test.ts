import { afterEach, describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { downloadFile, OfflineError } from '../../src-main/data/download'
import { downloadDataset, KNOWN_DATASETS, type DownloadSpec } from '../../src-main/data/known-datasets'
import { generate, idxImages, idxLabels, tempDir } from './fixtures'

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

interface Served {
  base: string
  requests: { path: string; range: string | undefined }[]
  close(): Promise<void>
}

/** Serves files on 127.0.0.1 with Range support; `dropFirst` cuts the first response of a path after that many bytes. */
function serve(files: Record<string, Uint8Array>, dropFirst: Record<string, number> = {}): Promise<Served> {
  const requests: Served['requests'] = []
  const dropped = new Set<string>()
  const server = http.createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1))
    requests.push({ path, range: req.headers.range })
    const body = files[path]
    if (!body) {
      res.writeHead(404).end()
      return
    }
    let start = 0
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '')
    if (m) start = Number(m[1])
    if (start >= body.length && start > 0) {
      res.writeHead(416).end()
      return
    }
    const chunk = body.subarray(start)
    res.writeHead(m ? 206 : 200, { 'Content-Length': chunk.length, ...(m ? { 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` } : {}) })
    const cut = dropFirst[path]
    if (cut !== undefined && !dropped.has(path)) {
      dropped.add(path)
      res.write(chunk.subarray(0, cut), () => setTimeout(() => res.socket?.destroy(), 20))
      return
    }
    res.end(chunk)
  })
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo
      resolve({ base: `http://127.0.0.1:${port}/`, requests, close: () => new Promise((r) => server.close(() => r())) })
    })
  )
}

let servers: Served[] = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

function mnistLikeFiles(): Record<string, Uint8Array> {
  const train = generate(30, 10, [1, 8, 8], 1)
  const test = generate(10, 10, [1, 8, 8], 2)
  return {
    'train-images-idx3-ubyte.gz': gzipSync(idxImages(train)),
    'train-labels-idx1-ubyte.gz': gzipSync(idxLabels(train)),
    't10k-images-idx3-ubyte.gz': gzipSync(idxImages(test)),
    't10k-labels-idx1-ubyte.gz': gzipSync(idxLabels(test))
  }
}

function specFor(files: Record<string, Uint8Array>, mirror: string): DownloadSpec {
  return {
    name: 'tiny-mnist',
    title: 'Tiny MNIST',
    classes: KNOWN_DATASETS.mnist.classes.slice(),
    mirrors: [mirror],
    files: Object.entries(files).map(([name, b]) => ({ name, sha256: sha256(b), bytes: b.length }))
  }
}

describe('dataset download', () => {
  it('downloads, checks SHA-256, reports progress and imports into the library, leaving no download files', async () => {
    const files = mnistLikeFiles()
    const s = await serve(files)
    servers.push(s)
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const progress: { file: string; received: number; total: number | null }[] = []
    const { manifest, added } = await downloadDataset(specFor(files, s.base), lib, { onProgress: (p) => progress.push(p) })
    expect(added).toBe(true)
    expect(manifest).toMatchObject({ title: 'Tiny MNIST', counts: { train: 30, test: 10 }, shape: [1, 8, 8], source: s.base })
    expect(manifest.classes).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'])
    const last = progress.filter((p) => p.file === 'train-images-idx3-ubyte.gz').at(-1)!
    expect(last.received).toBe(files['train-images-idx3-ubyte.gz'].length)
    expect(last.total).toBe(files['train-images-idx3-ubyte.gz'].length)
    expect(readdirSync(join(lib.root, '.downloads'))).toEqual([])
    expect((await lib.list()).map((m) => m.id)).toEqual([manifest.id])
  })

  it('resumes with a Range request after the connection drops', async () => {
    const body = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 7) % 251)
    const s = await serve({ 'big.bin': body }, { 'big.bin': 70_000 })
    servers.push(s)
    const dest = join(tempDir(), 'big.bin')
    await downloadFile(`${s.base}big.bin`, dest, { sha256: sha256(body) })
    expect(sha256(readFileSync(dest))).toBe(sha256(body))
    expect(existsSync(`${dest}.part`)).toBe(false)
    expect(s.requests).toHaveLength(2)
    expect(s.requests[0].range).toBeUndefined()
    expect(s.requests[1].range).toMatch(/^bytes=\d+-$/)
    expect(Number(/\d+/.exec(s.requests[1].range!)![0])).toBeGreaterThan(0)
  })

  it('keeps the .part file when retries run out, and a later call resumes from it', async () => {
    const body = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 13) % 256)
    const s = await serve({ 'f.bin': body }, { 'f.bin': 40_000 })
    servers.push(s)
    const dest = join(tempDir(), 'f.bin')
    await expect(downloadFile(`${s.base}f.bin`, dest, { sha256: sha256(body), retries: 0 })).rejects.toThrow(/connection dropped after \d+ of 100000 bytes; .* kept in .*f\.bin\.part/)
    const kept = readFileSync(`${dest}.part`).length
    expect(kept).toBeGreaterThan(0)
    expect(kept).toBeLessThan(100_000)
    await downloadFile(`${s.base}f.bin`, dest, { sha256: sha256(body) })
    expect(readFileSync(dest)).toEqual(Buffer.from(body))
    expect(s.requests.at(-1)!.range).toBe(`bytes=${kept}-`)
  })

  it('deletes a file whose SHA-256 does not match (the real MNIST table against other files) and imports nothing', async () => {
    const files = mnistLikeFiles()
    const s = await serve(files)
    servers.push(s)
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    await expect(downloadDataset(KNOWN_DATASETS.mnist, lib, { mirror: s.base })).rejects.toThrow(
      /train-images-idx3-ubyte\.gz.*SHA-256 mismatch: expected 440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609, got [0-9a-f]{64}; the file was deleted/
    )
    expect(readdirSync(join(lib.root, '.downloads', 'mnist'))).toEqual([])
    expect(await lib.list()).toEqual([])
  })

  it('says clearly when the network cannot be reached', async () => {
    // A port nothing listens on: connection refused, like being offline.
    const s = await serve({})
    await s.close()
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const err = await downloadDataset(KNOWN_DATASETS['fashion-mnist'], lib, { mirror: s.base }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(OfflineError)
    expect((err as Error).message).toMatch(/cannot download Fashion-MNIST .*: no network connection \(cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\).*import IDX files you already have/)
    expect(await lib.list()).toEqual([])
  })

  it('reports HTTP errors with the URL', async () => {
    const s = await serve({})
    servers.push(s)
    const dest = join(tempDir(), 'x')
    await expect(downloadFile(`${s.base}missing.gz`, dest, { sha256: '0'.repeat(64) })).rejects.toThrow(`${s.base}missing.gz: HTTP 404 Not Found`)
  })
})
