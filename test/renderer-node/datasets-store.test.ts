/**
 * The datasets store against the real backend (temporary library next to a temporary SQLite db): an RGB image
 * folder made with sharp is previewed, imported, sampled and removed; the sample pixels, converted for a canvas,
 * have the colours that were written; a broken image and an unreachable mirror come back as the backend's words.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { WorkbenchClient } from '../../src-main/contract/workbench-api'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useDatasetsStore } from '../../src-renderer/src/stores/datasets'
import { samplePixelsToRgba } from '../../src-renderer/src/components/datasets/dataset-view-model'

const COLOURS: Record<string, [number, number, number]> = { blue: [0, 0, 255], red: [255, 0, 0] }

function clientOf(b: WorkbenchBackend): WorkbenchClient {
  return {
    invoke: (channel, request) => b.service.invoke(channel, request),
    subscribe: (event, cb) => b.service.events.on(event, cb)
  }
}

describe('datasets store on the real backend', () => {
  let dir: string
  let folder: string
  let backend: WorkbenchBackend
  let store: ReturnType<typeof useDatasetsStore>

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tatami-datasets-store-'))
    folder = join(dir, 'colours')
    for (const [name, rgb] of Object.entries(COLOURS)) {
      mkdirSync(join(folder, name), { recursive: true })
      for (let i = 0; i < 5; i++) {
        const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer()
        writeFileSync(join(folder, name, `${i}.png`), png)
      }
    }
    backend = startWorkbenchBackend({ dbPath: join(dir, 'runs.sqlite'), concurrency: 1 })
    setWorkbench(clientOf(backend))
    setActivePinia(createPinia())
    store = useDatasetsStore()
  })
  afterAll(() => {
    backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('previews an RGB folder; the canvas bytes carry the written colours', async () => {
    await store.runPreview({ path: folder, size: 8, channels: 3 })
    expect(store.previewError).toBe('')
    const p = store.preview!
    expect(p.shape).toEqual([3, 8, 8])
    expect(p.counts).toEqual([5, 5])
    expect(p.samples).toHaveLength(10)
    for (const s of p.samples) {
      const rgba = samplePixelsToRgba(s.pixels, p.shape)
      const [r, g, b] = COLOURS[p.classes[s.label]!]!
      expect(Array.from(rgba.slice(0, 4))).toEqual([r, g, b, 255])
      expect(Array.from(rgba.slice(-4))).toEqual([r, g, b, 255])
    }
  })

  it('imports, lists and samples the dataset, then removes it', async () => {
    await store.load()
    const before = store.list.length
    const info = await store.importDataset({ format: 'image-folder', path: folder, title: 'Colours', size: 8, channels: 3 })
    expect(store.importError).toBe('')
    expect(info).toMatchObject({ title: 'Colours', shape: [3, 8, 8], classes: ['blue', 'red'], counts: { train: 10, test: 0 } })
    expect(store.list.map((d) => d.id)).toContain(info!.id)
    expect(store.list).toHaveLength(before + 1)

    await store.loadSamples(info!.id)
    const state = store.samples[info!.id]!
    expect(state.status).toBe('ready')
    if (state.status !== 'ready') return
    expect(state.samples.samples.map((s) => s.label)).toEqual([0, 0, 0, 0, 0, 1, 1, 1, 1, 1])

    expect(await store.remove(info!.id)).toBe(true)
    expect(store.list.map((d) => d.id)).not.toContain(info!.id)
    expect(store.samples[info!.id]).toBeUndefined()
  })

  it("keeps the backend's message for a broken image and an unreachable mirror", async () => {
    const bad = join(dir, 'bad')
    mkdirSync(join(bad, 'a'), { recursive: true })
    writeFileSync(join(bad, 'a', 'broken.png'), 'not a png')
    expect(await store.importDataset({ format: 'image-folder', path: bad })).toBeNull()
    expect(store.importError).toContain(join(bad, 'a', 'broken.png'))
    expect(store.importing).toBe(false)

    expect(await store.download('mnist', 'http://127.0.0.1:1/')).toBeNull()
    expect(store.downloadError).toContain('127.0.0.1:1')
    expect(store.downloading).toBeNull()
  })
})
