/**
 * The studies store against the real backend (service on a temp SQLite db, real engine processes): every
 * preset × study kind the form offers previews cleanly, and an open study follows its runs to the end.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import type { WorkbenchClient } from '../../src-main/contract/workbench-api'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { useStudiesStore } from '../../src-renderer/src/stores/studies'
import { KIND_INFO, STUDY_PRESETS } from '../../src-renderer/src/components/studies/study-presets'
import { buildStudyRequest, type StudyForm } from '../../src-renderer/src/components/studies/study-request'

let backend: WorkbenchBackend
beforeAll(() => {
  backend = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-studies-ui-')), 'tatami.sqlite'), concurrency: 1 })
  const client: WorkbenchClient = {
    invoke: (channel, request) => backend.service.invoke(channel, request),
    subscribe: (event, cb) => backend.service.events.on(event, cb)
  }
  setWorkbench(client)
})
afterAll(() => backend?.close())

/** The form as it opens, for a kind. */
const defaults = (kind: StudyForm['kind']): StudyForm => ({
  kind,
  name: '',
  repeats: 1,
  epochs: '',
  trainSize: '',
  trainSizes: '250, 500, 1000, 2000, 8000',
  grid: [{ path: 'optimizer.lr', values: '0.001, 0.01' }]
})

describe('the studies store on the real backend', () => {
  it('previews every kind of study from every preset with the form as it opens', async () => {
    setActivePinia(createPinia())
    const store = useStudiesStore()
    for (const preset of STUDY_PRESETS) {
      for (const { kind } of KIND_INFO) {
        const preview = await store.requestPreview(buildStudyRequest(defaults(kind), preset.base))
        expect(store.previewError, `${preset.id} / ${kind}`).toBeNull()
        expect(preview!.runs).toBe(preview!.variants.length)
        expect(preview!.variants.length).toBeGreaterThan(1)
        expect(preview!.estimatedSeconds).toBeGreaterThan(0)
      }
    }
  })

  it('keeps the backend refusal of a preview as its message', async () => {
    setActivePinia(createPinia())
    const store = useStudiesStore()
    const shapes = STUDY_PRESETS.find((p) => p.id === 'shapes-quick')!.base
    const preview = await store.requestPreview(buildStudyRequest({ ...defaults('training-size'), trainSizes: '5000' }, shapes))
    expect(preview).toBeNull()
    expect(store.previewError).toContain('none of the training sizes 5000 fits')
    await store.requestPreview(buildStudyRequest({ ...defaults('grid'), grid: [{ path: 'batchSize', values: '0, 8' }] }, shapes))
    expect(store.previewError).toMatch(/^variant "batchSize=0": .*batchSize/)
  })

  it('launches a one-run study, lists it and follows it to a finished report', async () => {
    setActivePinia(createPinia())
    const store = useStudiesStore()
    const shapes = STUDY_PRESETS.find((p) => p.id === 'shapes-quick')!.base
    const request = buildStudyRequest({ ...defaults('grid'), epochs: '1', trainSize: '200', grid: [{ path: 'optimizer.lr', values: '0.01' }] }, shapes)
    const id = await store.launch(request)
    expect(store.launchError).toBeNull()
    const close = store.openStudy(id!)
    await store.refreshList()
    expect(store.list.map((s) => s.experimentId)).toContain(id)
    const runId = (await backend.service.invoke('studies:report', { experimentId: id! })).runs[0]!.runId
    expect(await backend.manager.settled(String(runId))).toBe('completed')
    // The last status event schedules a refresh about a second later (the fake-timer test pins the timing).
    for (let waited = 0; store.report?.runs[0]?.status !== 'completed' && waited < 15_000; waited += 100) await new Promise((r) => setTimeout(r, 100))
    expect(store.report?.experimentId).toBe(id)
    expect(store.report!.runs[0]!.status).toBe('completed')
    expect(store.report!.results[0]!.finished).toBe(1)
    expect(store.report!.summary.at(-1)).toMatch(/^Best validation accuracy: optimizer\.lr=0\.01 \(\d+\.\d%\)/)
    close()
  })
})
