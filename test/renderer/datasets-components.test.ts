// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import ImportPanel from '../../src-renderer/src/components/datasets/ImportPanel.vue'
import DownloadPanel from '../../src-renderer/src/components/datasets/DownloadPanel.vue'
import DatasetsView from '../../src-renderer/src/views/DatasetsView.vue'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useDatasetsStore } from '../../src-renderer/src/stores/datasets'
import type { DatasetInfo, WorkbenchChannel, WorkbenchClient, WorkbenchEvents, WorkbenchRequest } from '../../src-main/contract/workbench-api'

interface Call {
  channel: WorkbenchChannel
  request: unknown
}

const imported: DatasetInfo = {
  id: 'abc123def456',
  title: 'Pets',
  hash: 'abc123def456' + '0'.repeat(52),
  shape: [1, 2, 2],
  classes: ['cat', 'dog'],
  counts: { train: 30, test: 0 },
  perClass: { train: [10, 20], test: [0, 0] },
  format: 'image-folder',
  source: '/data/pets'
}
const builtin: DatasetInfo = { id: 'shapes', title: 'Shapes', shape: [1, 2, 2], classes: ['a'], counts: { train: 5, test: 1 }, perClass: { train: [5], test: [1] }, builtin: true }
const samples = { shape: [1, 2, 2] as [number, number, number], classes: ['cat', 'dog'], samples: [{ label: 0, pixels: [0, 1, 2, 3] }, { label: 1, pixels: [4, 5, 6, 7] }] }

function fakeClient(options: { failImport?: string; failDownload?: string } = {}) {
  const calls: Call[] = []
  let list: DatasetInfo[] = [builtin]
  const progress = new Set<(p: WorkbenchEvents['dataset:progress']) => void>()
  const client: WorkbenchClient = {
    async invoke<C extends WorkbenchChannel>(channel: C, request: WorkbenchRequest<C>) {
      calls.push({ channel, request: structuredClone(request) })
      switch (channel) {
        case 'datasets:list':
          return list as never
        case 'datasets:samples':
          return samples as never
        case 'datasets:preview':
          return { ...samples, counts: [10, 20] } as never
        case 'datasets:import':
          if (options.failImport) throw { name: 'DatasetImportError', message: options.failImport }
          list = [builtin, imported]
          return imported as never
        case 'datasets:remove':
          list = [builtin]
          return { removed: true } as never
        case 'datasets:download':
          for (const cb of progress) cb({ name: 'mnist', file: 'train-images-idx3-ubyte.gz', fileIndex: 0, fileCount: 4, received: 10, total: 40 })
          if (options.failDownload) throw { name: 'DownloadError', message: options.failDownload }
          return builtin as never
      }
      throw new Error(`unexpected channel ${channel}`)
    },
    subscribe(event, cb) {
      if (event !== 'dataset:progress') return () => {}
      const f = cb as (p: WorkbenchEvents['dataset:progress']) => void
      progress.add(f)
      return () => progress.delete(f)
    }
  }
  return { client, calls, listeners: progress }
}

beforeEach(() => setActivePinia(createPinia()))

const testids = (w: ReturnType<typeof mount>) =>
  w
    .findAll('[data-testid^="import-"]')
    .map((e) => e.attributes('data-testid'))
    .filter((t) => ['import-size', 'import-channels', 'import-header', 'import-test-path', 'import-classes', 'import-transpose', 'import-preview'].includes(t!))

describe('ImportPanel', () => {
  it('shows only the options of the chosen format', async () => {
    setWorkbench(fakeClient().client)
    const w = mount(ImportPanel, { attachTo: document.body })
    expect(testids(w)).toEqual(['import-size', 'import-channels', 'import-preview'])
    await w.get('[data-testid="import-format"]').setValue('csv')
    expect(testids(w)).toEqual(['import-channels', 'import-header', 'import-test-path', 'import-classes'])
    expect(w.get('[data-testid="import-path-hint"]').text()).toContain('a CSV file')
    await w.get('[data-testid="import-format"]').setValue('idx')
    expect(testids(w)).toEqual(['import-classes', 'import-transpose'])
    await w.get('[data-testid="import-format"]').setValue('cifar10')
    expect(testids(w)).toEqual([])
    w.unmount()
  })

  it('asks for a path before calling the backend', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const w = mount(ImportPanel, { attachTo: document.body })
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="import-problem"]').text()).toBe('enter the path of the data on the machine running Tatami')
    expect(calls).toEqual([])
    w.unmount()
  })

  it('previews an image folder, then imports it with the form options', async () => {
    const { client, calls } = fakeClient()
    setWorkbench(client)
    const w = mount(ImportPanel, { attachTo: document.body })
    await w.get('[data-testid="import-path"]').setValue('/data/pets')
    await w.get('[data-testid="import-size"]').setValue('16')
    await w.get('[data-testid="import-channels"]').setValue('3')
    await w.get('[data-testid="import-preview"]').trigger('click')
    await flushPromises()
    expect(calls[0]).toEqual({ channel: 'datasets:preview', request: { path: '/data/pets', size: 16, channels: 3, perClass: 8 } })
    expect(w.get('[data-testid="import-preview-result"]').text()).toContain('2 classes, 30 images')
    expect(w.findAll('[data-testid="dataset-sample"]')).toHaveLength(2)
    expect(w.findAll('[data-testid="dataset-class-train"]').map((e) => e.text())).toEqual(['10', '20'])

    // Changing the path drops the preview that belonged to the old one.
    await w.get('[data-testid="import-path"]').setValue('/data/other')
    expect(w.find('[data-testid="import-preview-result"]').exists()).toBe(false)
    await w.get('[data-testid="import-path"]').setValue('/data/pets')
    await w.get('[data-testid="import-title"]').setValue('Pets')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(calls.find((c) => c.channel === 'datasets:import')?.request).toEqual({ format: 'image-folder', path: '/data/pets', title: 'Pets', size: 16, channels: 3 })
    expect(w.get('[data-testid="import-done"]').text()).toContain('abc123def456')
    expect(w.emitted('imported')).toEqual([['abc123def456']])
    // The imported dataset shows in the list; its preview is gone.
    expect(w.find('[data-testid="import-preview-result"]').exists()).toBe(false)
    w.unmount()
  })

  it("shows the backend's import error verbatim and leaves the button usable", async () => {
    const message = '/data/bad/cat/3.png: cannot decode image (Input buffer contains unsupported image format)'
    setWorkbench(fakeClient({ failImport: message }).client)
    const w = mount(ImportPanel, { attachTo: document.body })
    await w.get('[data-testid="import-path"]').setValue('/data/bad')
    await w.get('form').trigger('submit')
    await flushPromises()
    expect(w.get('[data-testid="import-error"]').text()).toBe(`Import failed: ${message}`)
    expect(w.get('[data-testid="import-submit"]').attributes('disabled')).toBeUndefined()
    w.unmount()
  })
})

describe('DownloadPanel', () => {
  it('shows the backend message when a download fails, and unsubscribes from progress', async () => {
    const message = 'https://example.org/train-images-idx3-ubyte.gz: getaddrinfo ENOTFOUND example.org'
    const fake = fakeClient({ failDownload: message })
    setWorkbench(fake.client)
    const w = mount(DownloadPanel, { attachTo: document.body })
    await w.get('[data-testid="download-mirror"]').setValue('http://127.0.0.1:9/')
    await w.get('[data-testid="download-mnist"]').trigger('click')
    await flushPromises()
    expect(fake.calls[0]).toEqual({ channel: 'datasets:download', request: { name: 'mnist', mirror: 'http://127.0.0.1:9/' } })
    expect(w.get('[data-testid="download-error"]').text()).toBe(`Download failed: ${message}`)
    expect(w.find('[data-testid="download-progress"]').exists()).toBe(false)
    expect(w.get('[data-testid="download-mnist"]').attributes('disabled')).toBeUndefined()
    expect(fake.listeners.size).toBe(0)
    // The last progress event is kept (it arrived before the failure).
    expect(useDatasetsStore().progress).toMatchObject({ fileIndex: 0, received: 10, total: 40 })
    w.unmount()
  })
})

describe('DownloadPanel progress', () => {
  it('shows a progress bar from dataset:progress events while the download runs, then the result', async () => {
    let emit: ((p: WorkbenchEvents['dataset:progress']) => void) | null = null
    let finish: ((info: DatasetInfo) => void) | null = null
    const client: WorkbenchClient = {
      invoke<C extends WorkbenchChannel>(channel: C) {
        if (channel === 'datasets:list') return Promise.resolve([] as never)
        if (channel !== 'datasets:download') throw new Error(`unexpected channel ${channel}`)
        return new Promise((ok) => (finish = ok as (info: DatasetInfo) => void))
      },
      subscribe(event, cb) {
        if (event === 'dataset:progress') emit = cb as (p: WorkbenchEvents['dataset:progress']) => void
        return () => (emit = null)
      }
    }
    setWorkbench(client)
    const w = mount(DownloadPanel, { attachTo: document.body })
    await w.get('[data-testid="download-fashion-mnist"]').trigger('click')
    await flushPromises()
    expect(w.get('[data-testid="download-fashion-mnist"]').text()).toBe('Downloading Fashion-MNIST…')
    expect(w.get('[data-testid="download-mnist"]').attributes('disabled')).toBeDefined()
    expect(w.get('[data-testid="download-progress-text"]').text()).toBe('connecting…')
    emit!({ name: 'mnist', file: 'other', fileIndex: 3, fileCount: 4, received: 1, total: 1 })
    emit!({ name: 'fashion-mnist', file: 't10k-labels-idx1-ubyte.gz', fileIndex: 2, fileCount: 4, received: 2048, total: 4096 })
    await flushPromises()
    expect(w.get('[data-testid="download-progress-text"]').text()).toBe('file 3/4 t10k-labels-idx1-ubyte.gz: 2 KB of 4 KB')
    expect((w.get('[data-testid="download-progress"] progress').element as HTMLProgressElement).value).toBeCloseTo(2.5 / 4)
    finish!({ id: 'fa5410d1e0b2', title: 'Fashion-MNIST' })
    await flushPromises()
    expect(w.find('[data-testid="download-progress"]').exists()).toBe(false)
    expect(w.get('[data-testid="download-done"]').text()).toBe('Downloaded “Fashion-MNIST” as fa5410d1e0b2.')
    expect(emit).toBeNull()
    w.unmount()
  })
})

describe('DatasetsView', () => {
  it('lists datasets with facts, class counts and sample grids; Remove only for imported ones, after a confirm', async () => {
    const fake = fakeClient()
    setWorkbench(fake.client)
    const w = mount(DatasetsView, { attachTo: document.body })
    await flushPromises()
    expect(w.findAll('[data-dataset-card]')).toHaveLength(1)
    expect(w.find('[data-testid="dataset-shapes"] [data-testid="dataset-remove"]').exists()).toBe(false)

    await w.get('[data-testid="import-path"]').setValue('/data/pets')
    await w.get('[data-testid="dataset-import"]').trigger('submit')
    await flushPromises()
    const card = w.get('[data-testid="dataset-abc123def456"]')
    expect(card.classes()).toContain('fresh')
    expect(w.get('[data-testid="dataset-shapes"]').classes()).not.toContain('fresh')
    expect(card.get('[data-testid="dataset-shape"]').text()).toBe('1×2×2')
    expect(card.get('[data-testid="dataset-hash"]').text()).toBe('abc123def456')
    expect(card.get('[data-testid="dataset-hash"]').attributes('title')).toBe(imported.hash)
    expect(card.findAll('[data-testid="dataset-class-train"]').map((e) => e.text())).toEqual(['10', '20'])
    expect(card.find('[data-testid="dataset-class-test"]').exists()).toBe(false)
    expect(card.findAll('[data-testid="dataset-sample"]')).toHaveLength(2)

    window.confirm = () => false
    await card.get('[data-testid="dataset-remove"]').trigger('click')
    await flushPromises()
    expect(fake.calls.some((c) => c.channel === 'datasets:remove')).toBe(false)
    window.confirm = () => true
    await card.get('[data-testid="dataset-remove"]').trigger('click')
    await flushPromises()
    expect(fake.calls.find((c) => c.channel === 'datasets:remove')?.request).toEqual({ id: 'abc123def456' })
    expect(w.findAll('[data-dataset-card]')).toHaveLength(1)
    w.unmount()
  })
})
