/**
 * The dataset library as the datasets view sees it: the list, sample grids per dataset (fetched once),
 * import / preview / remove / download through the WorkbenchClient, and the latest download progress.
 * Sample pixels stay out of deep reactivity (markRaw): a grid holds thousands of numbers.
 */
import { defineStore } from 'pinia'
import { markRaw, ref, shallowRef } from 'vue'
import type { DatasetImportRequest, DatasetInfo, DatasetSamples, DownloadableDataset, WorkbenchEvents, WorkbenchResponse } from '../../../src-main/contract/workbench-api'
import { errorMessage, useWorkbench } from '../api/workbench'

export const SAMPLES_PER_CLASS = 8

export type SamplesState = { status: 'loading' } | { status: 'ready'; samples: DatasetSamples } | { status: 'error'; message: string }

export const useDatasetsStore = defineStore('datasets', () => {
  const list = ref<DatasetInfo[]>([])
  const loading = ref(false)
  const listError = ref('')
  const samples = ref<Record<string, SamplesState>>({})

  const importing = ref(false)
  const importError = ref('')
  const previewing = ref(false)
  const previewError = ref('')
  const preview = shallowRef<WorkbenchResponse<'datasets:preview'> | null>(null)
  /** The dataset most recently imported or downloaded (its card is highlighted). */
  const lastImported = ref<string | null>(null)

  const downloading = ref<DownloadableDataset | null>(null)
  const downloadError = ref('')
  const progress = ref<WorkbenchEvents['dataset:progress'] | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    try {
      list.value = await useWorkbench().invoke('datasets:list', {})
      listError.value = ''
    } catch (err) {
      listError.value = `Could not list datasets: ${errorMessage(err)}`
    } finally {
      loading.value = false
    }
  }

  /** Fetches a dataset's sample grid once (again with force, e.g. after a retry). */
  async function loadSamples(id: string, force = false): Promise<void> {
    const current = samples.value[id]
    if (current && !force && current.status !== 'error') return
    samples.value[id] = { status: 'loading' }
    try {
      const s = await useWorkbench().invoke('datasets:samples', { id, perClass: SAMPLES_PER_CLASS })
      samples.value[id] = { status: 'ready', samples: markRaw(s) }
    } catch (err) {
      samples.value[id] = { status: 'error', message: errorMessage(err) }
    }
  }

  async function runPreview(request: { path: string; size?: number; channels?: 1 | 3 }): Promise<void> {
    previewing.value = true
    previewError.value = ''
    preview.value = null
    try {
      preview.value = markRaw(await useWorkbench().invoke('datasets:preview', { ...request, perClass: SAMPLES_PER_CLASS }))
    } catch (err) {
      previewError.value = errorMessage(err)
    } finally {
      previewing.value = false
    }
  }

  function clearPreview(): void {
    preview.value = null
    previewError.value = ''
  }

  /** Imports, then reloads the list; returns the new dataset, or null with importError set (the backend's words). */
  async function importDataset(request: DatasetImportRequest): Promise<DatasetInfo | null> {
    if (importing.value) return null
    importing.value = true
    importError.value = ''
    try {
      const info = await useWorkbench().invoke('datasets:import', request)
      lastImported.value = info.id
      await load()
      return info
    } catch (err) {
      importError.value = errorMessage(err)
      return null
    } finally {
      importing.value = false
    }
  }

  async function remove(id: string): Promise<boolean> {
    try {
      const { removed } = await useWorkbench().invoke('datasets:remove', { id })
      delete samples.value[id]
      await load()
      return removed
    } catch (err) {
      listError.value = `Could not remove ${id}: ${errorMessage(err)}`
      return false
    }
  }

  /** One download at a time; progress follows 'dataset:progress' events for that name. */
  async function download(name: DownloadableDataset, mirror?: string): Promise<DatasetInfo | null> {
    if (downloading.value) return null
    downloading.value = name
    downloadError.value = ''
    progress.value = null
    const stop = useWorkbench().subscribe('dataset:progress', (p) => {
      if (p.name === name) progress.value = p
    })
    try {
      const info = await useWorkbench().invoke('datasets:download', { name, ...(mirror ? { mirror } : {}) })
      lastImported.value = info.id
      await load()
      return info
    } catch (err) {
      downloadError.value = errorMessage(err)
      return null
    } finally {
      stop()
      downloading.value = null
    }
  }

  return {
    list,
    loading,
    listError,
    samples,
    importing,
    importError,
    previewing,
    previewError,
    preview,
    lastImported,
    downloading,
    downloadError,
    progress,
    load,
    loadSamples,
    runPreview,
    clearPreview,
    importDataset,
    remove,
    download
  }
})
