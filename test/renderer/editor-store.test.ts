// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest'
import { isProxy, nextTick } from 'vue'
import { createPinia, setActivePinia } from 'pinia'
import { useEditorStore } from '../../src-renderer/src/stores/editor'
import { setWorkbench } from '../../src-renderer/src/api/workbench'
import { PRESETS } from '../../src-renderer/src/editor/presets'
import { DRAFT_KEY } from '../../src-renderer/src/editor/draft-storage'
import { analyzeNetwork, type NetworkSpec } from '../../src-engine/spec/network-spec'
import type { NetworkRecord, WorkbenchClient } from '../../src-main/contract/workbench-api'
import lenet5 from '../../examples/lenet5.json'

const types = (s: NetworkSpec) => s.layers.map((l) => l.type)

/** networks:* over an in-memory table with the store's versioning (a save of a known name is its next version). */
function memoryNetworks(): WorkbenchClient {
  const rows: NetworkRecord[] = []
  const client = {
    async invoke(channel: string, request: Record<string, unknown>): Promise<unknown> {
      if (channel === 'networks:save') {
        const name = request.name as string
        const version = rows.filter((r) => r.name === name).length + 1
        const rec: NetworkRecord = { id: rows.length + 1, name, version, spec: JSON.parse(JSON.stringify(request.spec)), createdAt: Date.now() }
        rows.push(rec)
        return rec
      }
      if (channel === 'networks:list') {
        const names = [...new Set(rows.map((r) => r.name))]
        return names.map((name) => {
          const mine = rows.filter((r) => r.name === name)
          const last = mine[mine.length - 1]!
          return { name, id: last.id, latestVersion: last.version, createdAt: last.createdAt, versions: mine.length }
        })
      }
      if (channel === 'networks:get') {
        const mine = rows.filter((r) => r.name === request.name)
        return (request.version === undefined ? mine[mine.length - 1] : mine.find((r) => r.version === request.version)) ?? null
      }
      throw new Error(`unexpected channel ${channel}`)
    },
    subscribe: () => () => {}
  }
  return client as unknown as WorkbenchClient
}

describe('editor store', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })

  it('adds layers at the end, after the selection, and at an index, with required fields filled', () => {
    const e = useEditorStore()
    expect(e.addLayer('conv2d')).toBe(0)
    expect(e.spec.layers[0]).toEqual({ type: 'conv2d', filters: 8, kernel: 3 })
    expect(e.selected).toBe(0)
    e.addLayer('flatten') // after the selected conv → index 1
    e.select(0)
    e.addLayer('relu') // after conv, before flatten
    expect(types(e.spec)).toEqual(['conv2d', 'relu', 'flatten'])
    e.addLayer('dense', 3)
    e.addLayer('maxpool2d', 2)
    expect(types(e.spec)).toEqual(['conv2d', 'relu', 'maxpool2d', 'flatten', 'dense'])
    expect(e.selected).toBe(2)
    e.addLayer('softmax', 99) // clamped to the end
    expect(types(e.spec).at(-1)).toBe('softmax')
    expect(e.analysis.ok).toBe(true)
    expect(e.analysis.outputShape).toEqual([10])
  })

  it('reorders with drop semantics (before the layer at `to`) and by nudging', () => {
    const e = useEditorStore()
    for (const t of ['conv2d', 'relu', 'maxpool2d', 'flatten'] as const) e.addLayer(t, e.layerCount)
    expect(e.moveLayer(0, 3)).toBe(2) // conv dropped before flatten
    expect(types(e.spec)).toEqual(['relu', 'maxpool2d', 'conv2d', 'flatten'])
    expect(e.moveLayer(3, 0)).toBe(0)
    expect(types(e.spec)).toEqual(['flatten', 'relu', 'maxpool2d', 'conv2d'])
    expect(e.moveLayer(1, 4)).toBe(3) // to the end
    expect(types(e.spec)).toEqual(['flatten', 'maxpool2d', 'conv2d', 'relu'])
    expect(e.moveLayer(1, 2)).toBe(1) // dropping right after itself changes nothing
    expect(e.nudgeLayer(0, 1)).toBe(1)
    expect(types(e.spec)).toEqual(['maxpool2d', 'flatten', 'conv2d', 'relu'])
    expect(e.selected).toBe(1)
    expect(e.nudgeLayer(1, -1)).toBe(0)
    expect(e.nudgeLayer(0, -1)).toBe(0) // already first
    expect(types(e.spec)).toEqual(['flatten', 'maxpool2d', 'conv2d', 'relu'])
  })

  it('deletes and duplicates, keeping a sensible selection', () => {
    const e = useEditorStore()
    for (const t of ['conv2d', 'relu', 'flatten'] as const) e.addLayer(t, e.layerCount)
    e.setField(0, 'filters', 4)
    expect(e.duplicateLayer(0)).toBe(1)
    expect(e.spec.layers[1]).toEqual({ type: 'conv2d', filters: 4, kernel: 3 })
    expect(e.spec.layers[1]).not.toBe(e.spec.layers[0])
    expect(e.selected).toBe(1)
    e.removeLayer(3)
    expect(types(e.spec)).toEqual(['conv2d', 'conv2d', 'relu'])
    expect(e.selected).toBe(2) // the last remaining layer
    e.removeLayer(0)
    e.removeLayer(0)
    e.removeLayer(0)
    expect(e.spec.layers).toEqual([])
    expect(e.selected).toBeNull()
  })

  it('undoes and redoes every edit, restoring the selection', () => {
    const e = useEditorStore()
    expect(e.canUndo).toBe(false)
    e.addLayer('conv2d')
    e.addLayer('relu')
    e.moveLayer(1, 0)
    e.removeLayer(0)
    expect(types(e.spec)).toEqual(['conv2d'])
    expect(e.undo()).toBe(true)
    expect(types(e.spec)).toEqual(['relu', 'conv2d'])
    expect(e.undo()).toBe(true)
    expect(types(e.spec)).toEqual(['conv2d', 'relu'])
    expect(e.selected).toBe(1)
    expect(e.canRedo).toBe(true)
    expect(e.redo()).toBe(true)
    expect(types(e.spec)).toEqual(['relu', 'conv2d'])
    e.undo()
    e.undo()
    e.undo()
    expect(e.spec.layers).toEqual([])
    expect(e.undo()).toBe(false)
    expect(e.canUndo).toBe(false)
    e.redo()
    e.addLayer('dense') // a new edit drops the redo branch
    expect(e.canRedo).toBe(false)
    expect(types(e.spec)).toEqual(['conv2d', 'dense'])
  })

  it('coalesces typing in one field into one undo step, split by blur, reset or another field', () => {
    const e = useEditorStore()
    e.addLayer('conv2d')
    e.setField(0, 'filters', 1)
    e.setField(0, 'filters', 16)
    e.setField(0, 'filters', 160)
    expect(e.spec.layers[0]).toMatchObject({ filters: 160 })
    e.undo()
    expect(e.spec.layers[0]).toMatchObject({ filters: 8 })
    e.redo()
    expect(e.spec.layers[0]).toMatchObject({ filters: 160 })

    e.breakCoalescing() // the input lost focus
    e.setField(0, 'filters', 32)
    e.setField(0, 'kernel', 5)
    e.setField(0, 'kernel', 7)
    e.undo()
    expect(e.spec.layers[0]).toMatchObject({ filters: 32, kernel: 3 })
    e.undo()
    expect(e.spec.layers[0]).toMatchObject({ filters: 160, kernel: 3 })

    e.setField(0, 'padding', 'same')
    e.resetField(0, 'padding')
    expect(e.spec.layers[0]).not.toHaveProperty('padding')
    e.undo()
    expect(e.spec.layers[0]).toMatchObject({ padding: 'same' })
  })

  it('pins field errors to the layer and field, and blocks training until fixed', () => {
    const e = useEditorStore()
    for (const t of ['conv2d', 'relu', 'flatten', 'dense', 'softmax'] as const) e.addLayer(t, e.layerCount)
    expect(e.trainBlocker).toBeNull()
    e.setField(0, 'filters', 0)
    e.setField(3, 'units', 'many')
    expect(e.fieldIssue(0, 'filters')).toBe('filters must be at least 1, got 0')
    expect(e.fieldIssue(3, 'units')).toBe('units must be an integer, got "many"')
    expect(e.fieldIssue(0, 'kernel')).toBeNull()
    expect(e.layerIssues(1)).toEqual([])
    expect(e.trainBlocker).toContain('layer 0 (conv2d): filters must be at least 1')
    expect(e.trainBlocker).toContain('1 more problem')
    e.setField(0, 'filters', 6)
    e.setField(3, 'units', 10)
    expect(e.trainBlocker).toBeNull()

    // A shape error lands on the field the engine names, e.g. a kernel larger than its input.
    e.setField(0, 'kernel', 40)
    expect(e.fieldIssue(0, 'kernel')).toMatch(/kernel 40/)
    expect(e.analysis.layers).toEqual([]) // inference stops at the failing layer
    expect(e.trainBlocker).toMatch(/^layer 0 \(conv2d\)/)
  })

  it('edits the input shape and reports a bad one at the network level', () => {
    const e = useEditorStore()
    e.addLayer('conv2d')
    e.setInputDim(0, 3)
    e.setInputDim(1, 32)
    expect(e.analysis.layers[0]!.outputShape).toEqual([8, 30, 26])
    e.setInputDim(2, 0)
    expect(e.networkIssues.map((i) => i.field)).toContain('input')
    e.setInputDim(2, 32)
    e.setInputKind('vector')
    expect(e.spec.input.shape).toEqual([3 * 32 * 32])
    expect(e.fieldIssue(0, 'kernel') ?? e.layerIssues(0)[0]?.message).toMatch(/conv2d/)
    e.undo()
    expect(e.spec.input.shape).toEqual([3, 32, 32])
  })

  it('opens every preset with its training recipe as the launch default, as one undoable step', () => {
    const e = useEditorStore()
    e.addLayer('relu')
    for (const p of PRESETS) {
      e.loadPreset(p.id)
      expect(e.analysis.ok, `${p.id}: ${e.analysis.issues.map((i) => i.message).join('; ')}`).toBe(true)
      expect(e.name).toBe(p.title)
      expect(e.launchDefaults).toEqual({ training: p.training, parentRunId: null })
    }
    e.loadPreset('lenet5')
    expect(e.spec).toEqual(lenet5.network)
    expect(e.analysis.outputShape).toEqual([10])
    expect(e.analysis.totalParams).toBe(61706)
    expect(e.launchDefaults.training).toEqual(lenet5.training)
    e.setField(0, 'filters', 12)
    expect((lenet5.network.layers[0] as { filters: number }).filters).toBe(6) // the preset itself is untouched
    e.newNetwork()
    expect(e.spec.layers).toEqual([])
    expect(e.launchDefaults).toEqual({ training: null, parentRunId: null })
    e.undo()
    e.undo()
    expect(e.spec).toEqual(lenet5.network)
    expect(() => e.loadPreset('nope')).toThrow(/unknown preset "nope"/)
  })

  it('opens a run for relaunch with its training and parent', () => {
    const e = useEditorStore()
    e.openForRelaunch({ id: 7, name: 'run seven', network: lenet5.network as NetworkSpec, training: lenet5.training as never })
    expect(e.name).toBe('run seven')
    expect(e.launchDefaults.parentRunId).toBe(7)
    expect(e.launchDefaults.training).toEqual(lenet5.training)
    expect(e.analysis.ok).toBe(true)
  })

  it('imports a spec or an experiment file, and reports every problem of a bad one without loading it', () => {
    const e = useEditorStore()
    expect(e.importText(JSON.stringify(lenet5), 'lenet5.json')).toEqual([])
    expect(e.name).toBe('LeNet-5')
    expect(e.launchDefaults.training).toEqual(lenet5.training)
    expect(e.importText(JSON.stringify({ version: 1, input: { shape: [1, 8, 8] }, layers: [{ type: 'flatten' }] }), 'tiny.json')).toEqual([])
    expect(e.name).toBe('tiny')
    expect(e.spec.layers).toEqual([{ type: 'flatten' }])

    expect(e.importText('{ nope', 'broken.json')[0]).toMatch(/^not valid JSON/)
    const problems = e.importText(
      JSON.stringify({ version: 1, input: { shape: [1, 8] }, layers: [{ type: 'conv2d', filters: 0 }, { type: 'relux' }, { type: 'dense', units: 3, unit: 4 }] })
    )
    expect(problems).toHaveLength(5)
    expect(problems.join('\n')).toMatch(/input\.shape/)
    expect(problems.join('\n')).toMatch(/layer 0 \(conv2d\): filters must be at least 1/)
    expect(problems.join('\n')).toMatch(/layer 0 \(conv2d\): kernel is required/)
    expect(problems.join('\n')).toMatch(/did you mean "relu"/)
    expect(problems.join('\n')).toMatch(/unknown field "unit" \(did you mean "units"\?\)/)
    const badTraining = e.importText(JSON.stringify({ network: lenet5.network, training: { ...lenet5.training, epochs: -1 } }))
    expect(badTraining.join('\n')).toMatch(/epochs/)
    expect(e.spec.layers).toEqual([{ type: 'flatten' }]) // nothing half-loaded
    expect(JSON.parse(e.exportText())).toEqual({ ...e.spec, name: 'tiny' }) // exported under the document's name
  })

  it('keeps the document across reloads and reopens it only into an untouched editor', async () => {
    const first = useEditorStore()
    first.loadPreset('mlp')
    first.setField(1, 'units', 64)
    await nextTick()
    expect(JSON.parse(localStorage.getItem(DRAFT_KEY)!).spec.layers[1].units).toBe(64)

    setActivePinia(createPinia()) // a reload
    const second = useEditorStore()
    expect(second.restoreDraft()).toBe(true)
    expect(second.spec).toEqual(first.spec)
    expect(second.name).toBe('MLP')
    expect(second.launchDefaults.training).toEqual(PRESETS.find((p) => p.id === 'mlp')!.training)
    expect(second.canUndo).toBe(false)
    expect(second.restoreDraft()).toBe(false) // once per session

    setActivePinia(createPinia())
    const third = useEditorStore()
    third.openForRelaunch({ id: 3, name: 'run 3', network: lenet5.network as NetworkSpec, training: lenet5.training as never })
    expect(third.restoreDraft()).toBe(false) // a relaunch opened before the editor showed wins
    expect(third.name).toBe('run 3')

    localStorage.setItem(DRAFT_KEY, '{"not":"a draft"}')
    setActivePinia(createPinia())
    expect(useEditorStore().restoreDraft()).toBe(false)
  })

  it('saves versions under a name and opens a chosen version', async () => {
    setWorkbench(memoryNetworks())
    const e = useEditorStore()
    e.addLayer('flatten')
    e.name = 'tiny'
    expect(e.dirty).toBe(true)
    expect((await e.save()).version).toBe(1)
    expect(e.dirty).toBe(false)
    e.addLayer('dense')
    expect(e.dirty).toBe(true)
    const second = await e.save()
    expect(second.version).toBe(2)
    expect(second.spec.name).toBe('tiny')
    expect(isProxy(e.namedSpec.layers)).toBe(false) // plain data, fit for Electron's structured clone
    expect(structuredClone(e.namedSpec)).toEqual({ ...e.spec, name: 'tiny' })
    expect(e.savedVersion).toBe(2)
    expect(e.savedNetworks).toEqual([expect.objectContaining({ name: 'tiny', latestVersion: 2, versions: 2 })])
    await e.loadSaved('tiny', 1)
    expect(types(e.spec)).toEqual(['flatten'])
    expect(e.savedVersion).toBe(1)
    expect(e.dirty).toBe(false)
    e.undo()
    expect(types(e.spec)).toEqual(['flatten', 'dense'])
    await e.loadSaved('tiny')
    expect(types(e.spec)).toEqual(['flatten', 'dense'])
    await expect(e.loadSaved('ghost')).rejects.toThrow(/no saved network "ghost"/)
    e.name = '  '
    await expect(e.save()).rejects.toThrow(/give the network a name/)
    expect(analyzeNetwork(second.spec).issues.map((i) => i.field)).toEqual([])
  })
})
