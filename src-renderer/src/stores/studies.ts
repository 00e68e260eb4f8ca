/**
 * Studies: the list, preview and launch of a new study, and the open study's report, refreshed (at most
 * about once a second) when its runs report an epoch or a status change. The report sits in a shallowRef:
 * it is replaced whole, and charts must not deep-watch it.
 */
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { errorMessage, useWorkbench } from '../api/workbench'
import type { StudyListItem, StudyPreview, StudyReport, StudyRequest } from '../../../src-main/contract/workbench-api'

/** Debounce of report refreshes after run events. */
export const REPORT_REFRESH_MS = 1000
/** Refresh without events while a study has unfinished runs (a missed event must not freeze the view). */
export const FALLBACK_POLL_MS = 5000
/** Statuses after which a run changes only if the user acts (paused/interrupted runs wait for a resume). */
const FINISHED = new Set(['completed', 'stopped', 'diverged', 'failed', 'paused', 'interrupted'])

export const useStudiesStore = defineStore('studies', () => {
  const list = shallowRef<StudyListItem[]>([])
  const listError = ref<string | null>(null)

  const preview = shallowRef<StudyPreview | null>(null)
  const previewError = ref<string | null>(null)
  const previewing = ref(false)
  const launching = ref(false)
  const launchError = ref<string | null>(null)

  const report = shallowRef<StudyReport | null>(null)
  const reportError = ref<string | null>(null)

  async function refreshList(): Promise<void> {
    try {
      list.value = await useWorkbench().invoke('studies:list', {})
      listError.value = null
    } catch (err) {
      listError.value = errorMessage(err)
    }
  }

  /** Ask the backend what the study would launch; a refused request leaves its reason in previewError. */
  async function requestPreview(request: StudyRequest): Promise<StudyPreview | null> {
    previewing.value = true
    try {
      preview.value = await useWorkbench().invoke('studies:preview', request)
      previewError.value = null
    } catch (err) {
      preview.value = null
      previewError.value = errorMessage(err)
    } finally {
      previewing.value = false
    }
    return preview.value
  }

  /** Any edit of the form makes the shown preview stale. */
  function clearPreview(error: string | null = null): void {
    preview.value = null
    previewError.value = error
    launchError.value = null
  }

  async function launch(request: StudyRequest): Promise<number | null> {
    launching.value = true
    try {
      const { experimentId } = await useWorkbench().invoke('studies:start', request)
      launchError.value = null
      return experimentId
    } catch (err) {
      launchError.value = errorMessage(err)
      return null
    } finally {
      launching.value = false
    }
  }

  let openId: number | null = null

  async function loadReport(experimentId: number): Promise<void> {
    try {
      const next = await useWorkbench().invoke('studies:report', { experimentId })
      // A slow answer for a study no longer open must not replace the open one.
      if (openId === experimentId) {
        report.value = next
        reportError.value = null
      }
    } catch (err) {
      if (openId === experimentId) reportError.value = errorMessage(err)
    }
  }

  /**
   * Show a study and follow its runs: every run:epoch / run:status event of one of its runs schedules one
   * refresh REPORT_REFRESH_MS later (events arriving meanwhile ride along). While runs are unfinished a
   * slow poll (FALLBACK_POLL_MS) also refreshes, in case events were missed. Returns the unsubscribe.
   */
  function openStudy(experimentId: number): () => void {
    openId = experimentId
    report.value = null
    reportError.value = null
    const client = useWorkbench()
    let timer: ReturnType<typeof setTimeout> | null = null
    const onRunEvent = (runId: number) => {
      const current = report.value
      // Before the first report arrives every event might be ours; afterwards only the study's runs count.
      if (current !== null && !current.runs.some((r) => r.runId === runId)) return
      if (timer !== null) return
      timer = setTimeout(() => {
        timer = null
        void loadReport(experimentId)
      }, REPORT_REFRESH_MS)
    }
    const offEpoch = client.subscribe('run:epoch', (e) => onRunEvent(e.runId))
    const offStatus = client.subscribe('run:status', (e) => onRunEvent(e.runId))
    const poll = setInterval(() => {
      const current = report.value
      if (current !== null && current.runs.some((r) => !FINISHED.has(r.status))) void loadReport(experimentId)
    }, FALLBACK_POLL_MS)
    void loadReport(experimentId)
    return () => {
      offEpoch()
      offStatus()
      clearInterval(poll)
      if (timer !== null) clearTimeout(timer)
      if (openId === experimentId) openId = null
    }
  }

  /** A base the next "New study" form should start from (e.g. 'editor', set by the editor's Study… button). */
  const requestedBase = ref<string | null>(null)
  function takeRequestedBase(): string | null {
    const b = requestedBase.value
    requestedBase.value = null
    return b
  }

  return {
    requestedBase,
    takeRequestedBase,
    list,
    listError,
    preview,
    previewError,
    previewing,
    launching,
    launchError,
    report,
    reportError,
    refreshList,
    requestPreview,
    clearPreview,
    launch,
    loadReport,
    openStudy
  }
})
