/**
 * The network being edited: its spec, the selected layer, undo/redo, presets, import/export and saved
 * networks. Other views use only `spec`, `name`, `analysis`, `launchDefaults` and `openForRelaunch`.
 *
 * Every edit replaces `spec` with a new object (the old one goes on the undo stack), so history holds
 * plain snapshots. A field may hold an invalid value (the user is mid-typing, or typed 0 filters): the
 * spec keeps it, analyzeNetwork reports it pinned to the layer and field, and Train stays disabled.
 */
import { defineStore } from 'pinia'
import { computed, ref, shallowRef, watch } from 'vue'
import { analyzeNetwork, type NetworkSpec, type SpecIssue } from '../../../src-engine/spec/network-spec'
import type { LayerType } from '../../../src-engine/layers/registry'
import type { TrainConfig } from '../../../src-engine/train/train-config'
import type { NetworkListItem, NetworkRecord, RunRecord } from '../../../src-main/contract/workbench-api'
import { useWorkbench } from '../api/workbench'
import { newLayer } from '../editor/catalog'
import { History } from '../editor/history'
import { findPreset } from '../editor/presets'
import { exportSpec, parseImport } from '../editor/spec-io'
import { readDraft, writeDraft } from '../editor/draft-storage'

export interface LaunchDefaults {
  /** Pre-fills the launch form (e.g. the training config of the run being relaunched). */
  training: TrainConfig | null
  /** The run this network was taken from, recorded as the new run's parent. */
  parentRunId: number | null
}

interface Snapshot {
  spec: NetworkSpec
  selected: number | null
}

type LooseLayer = Record<string, unknown> & { type: string }

function emptySpec(): NetworkSpec {
  return { version: 1, input: { shape: [1, 28, 28] }, layers: [] }
}

/** A deep, plain (proxy-free) copy: specs are small JSON documents. */
function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

export const useEditorStore = defineStore('editor', () => {
  const name = ref('untitled')
  const spec = ref<NetworkSpec>(emptySpec())
  const analysis = computed(() => analyzeNetwork(spec.value))
  const launchDefaults = ref<LaunchDefaults>({ training: null, parentRunId: null })
  /** Index of the selected layer, or null. */
  const selected = ref<number | null>(null)
  /** The saved version this document was last saved as or loaded from (null: never saved). */
  const savedVersion = ref<number | null>(null)
  const savedNetworks = shallowRef<NetworkListItem[]>([])
  /** The spec as last saved or opened from the saved networks (JSON), to tell unsaved changes. */
  const savedSpecJson = ref<string | null>(null)
  /**
   * The spec as saved, exported and launched: carrying the document's name, and a plain copy (no Vue
   * proxies), so it can cross Electron's IPC (structured clone) as it is.
   */
  const namedSpec = computed<NetworkSpec>(() => {
    const { version, input, layers } = spec.value
    const n = name.value.trim()
    return clone(n ? { version, name: n, input, layers } : { version, input, layers })
  })
  const dirty = computed(() => (savedSpecJson.value === null ? spec.value.layers.length > 0 : JSON.stringify(namedSpec.value) !== savedSpecJson.value))

  const history = new History<Snapshot>()
  // History lives outside reactivity; this counter makes canUndo/canRedo reactive.
  const historyRevision = ref(0)
  const canUndo = computed(() => (historyRevision.value, history.undoDepth > 0))
  const canRedo = computed(() => (historyRevision.value, history.redoDepth > 0))

  const layerCount = computed(() => spec.value.layers.length)
  const selectedLayer = computed(() => (selected.value === null ? null : (spec.value.layers[selected.value] as LooseLayer | undefined) ?? null))

  /** Issues keyed by layer index; network-level issues (input, empty network) under -1. */
  const issuesByLayer = computed(() => {
    const map = new Map<number, SpecIssue[]>()
    for (const issue of analysis.value.issues) {
      const key = issue.layer ?? -1
      map.set(key, [...(map.get(key) ?? []), issue])
    }
    return map
  })

  function layerIssues(index: number): SpecIssue[] {
    return issuesByLayer.value.get(index) ?? []
  }

  /** The message for one field of one layer, without the "layer 3 (conv2d): " prefix. */
  function fieldIssue(index: number, field: string): string | null {
    const issue = layerIssues(index).find((i) => i.field === field)
    return issue ? stripLayerPrefix(issue.message) : null
  }

  const networkIssues = computed(() => issuesByLayer.value.get(-1) ?? [])

  /** Why the network cannot be trained yet, or null when it can. */
  const trainBlocker = computed(() => {
    const issues = analysis.value.issues
    if (analysis.value.ok) return null
    if (issues.length === 0) return 'the network is incomplete'
    const first = issues[0]!
    return issues.length === 1 ? first.message : `${first.message} (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})`
  })

  // ---- editing ----

  function snapshot(): Snapshot {
    return { spec: spec.value, selected: selected.value }
  }

  function restore(s: Snapshot): void {
    spec.value = s.spec
    selected.value = s.selected !== null && s.selected < s.spec.layers.length ? s.selected : null
    historyRevision.value++
  }

  /** Applies one edit to a copy of the spec; the old spec becomes an undo step. */
  function edit(mutate: (draft: NetworkSpec) => void, options: { coalesce?: string; select?: number | null } = {}): void {
    const draft = clone(spec.value)
    mutate(draft)
    history.record(snapshot(), options.coalesce ?? null)
    spec.value = draft
    if (options.select !== undefined) selected.value = options.select
    historyRevision.value++
  }

  function clampIndex(at: number | undefined, length: number): number {
    if (at === undefined || !Number.isFinite(at)) return length
    return Math.max(0, Math.min(length, Math.trunc(at)))
  }

  /** Inserts a new layer at `at` (default: after the selected layer, or at the end) and selects it. */
  function addLayer(type: LayerType, at?: number): number {
    const length = spec.value.layers.length
    const index = at !== undefined ? clampIndex(at, length) : selected.value !== null ? selected.value + 1 : length
    edit((d) => d.layers.splice(index, 0, newLayer(type)), { select: index })
    return index
  }

  /**
   * Moves layer `from` so it lands before the layer currently at `to` (0..length; `length` = the end),
   * as a drop between two cards means. Returns the layer's new index.
   */
  function moveLayer(from: number, to: number): number {
    const length = spec.value.layers.length
    if (from < 0 || from >= length) return from
    const target = clampIndex(to, length)
    const finalIndex = target > from ? target - 1 : target
    if (finalIndex === from) return from
    edit(
      (d) => {
        const [layer] = d.layers.splice(from, 1)
        d.layers.splice(finalIndex, 0, layer!)
      },
      { select: finalIndex }
    )
    return finalIndex
  }

  /** Moves a layer one place up (-1) or down (+1). */
  function nudgeLayer(index: number, delta: -1 | 1): number {
    const to = index + delta
    if (to < 0 || to >= spec.value.layers.length) return index
    return moveLayer(index, delta > 0 ? index + 2 : index - 1)
  }

  function removeLayer(index: number): void {
    const length = spec.value.layers.length
    if (index < 0 || index >= length) return
    const nextSelected = length === 1 ? null : Math.min(index, length - 2)
    edit((d) => d.layers.splice(index, 1), { select: nextSelected })
  }

  function duplicateLayer(index: number): number {
    if (index < 0 || index >= spec.value.layers.length) return index
    edit((d) => d.layers.splice(index + 1, 0, clone(d.layers[index]!)), { select: index + 1 })
    return index + 1
  }

  /**
   * Sets a field (undefined removes it, so the default applies). Typing in one field coalesces into one
   * undo step until breakCoalescing().
   */
  function setField(index: number, field: string, value: unknown): void {
    const layer = spec.value.layers[index] as LooseLayer | undefined
    if (!layer || field === 'type') return
    if (layer[field] === value) return
    edit(
      (d) => {
        const target = d.layers[index] as unknown as LooseLayer
        if (value === undefined) delete target[field]
        else target[field] = value
      },
      { coalesce: `field:${index}:${field}` }
    )
  }

  function resetField(index: number, field: string): void {
    history.breakCoalescing()
    setField(index, field, undefined)
    history.breakCoalescing()
  }

  /** Sets one dimension of the input shape (may be invalid: analysis reports it). */
  function setInputDim(dim: number, value: number): void {
    if (spec.value.input.shape[dim] === value) return
    edit((d) => (d.input.shape[dim] = value), { coalesce: `input:${dim}` })
  }

  /** Switches between an image input [C, H, W] and a feature-vector input [F]. */
  function setInputKind(kind: 'image' | 'vector'): void {
    const shape = spec.value.input.shape
    if ((kind === 'image') === (shape.length === 3)) return
    const next = kind === 'image' ? [1, 28, 28] : [shape.reduce((a, b) => a * b, 1)]
    edit((d) => (d.input.shape = next))
  }

  function breakCoalescing(): void {
    history.breakCoalescing()
  }

  function select(index: number | null): void {
    selected.value = index !== null && index >= 0 && index < spec.value.layers.length ? index : null
  }

  function undo(): boolean {
    const prev = history.undo(snapshot())
    if (!prev) return false
    restore(prev)
    return true
  }

  function redo(): boolean {
    const next = history.redo(snapshot())
    if (!next) return false
    restore(next)
    return true
  }

  // ---- whole documents (each an undoable step) ----

  function replaceDocument(next: NetworkSpec, docName: string, defaults: LaunchDefaults, version: number | null = null): void {
    history.record(snapshot())
    spec.value = clone(next)
    name.value = docName
    launchDefaults.value = clone(defaults)
    selected.value = null
    savedVersion.value = version
    savedSpecJson.value = version === null ? null : JSON.stringify(namedSpec.value)
    historyRevision.value++
  }

  function newNetwork(): void {
    replaceDocument(emptySpec(), 'untitled', { training: null, parentRunId: null })
  }

  function loadPreset(id: string): void {
    const preset = findPreset(id)
    if (!preset) throw new Error(`unknown preset "${id}"`)
    replaceDocument(preset.network, preset.title, { training: preset.training, parentRunId: null })
  }

  /** Edit a run's network and training config as the start of a new run. */
  function openForRelaunch(run: Pick<RunRecord, 'id' | 'name' | 'network' | 'training'>): void {
    replaceDocument(run.network, run.name, { training: run.training, parentRunId: run.id })
  }

  /** Imports spec JSON (or an experiment file); returns every problem, or [] when it was loaded. */
  function importText(text: string, fileName = 'imported'): string[] {
    const result = parseImport(text)
    if (!result.ok) return result.problems
    const docName = result.network.name ?? fileName.replace(/\.json$/i, '')
    replaceDocument(result.network, docName, { training: result.training ?? launchDefaults.value.training, parentRunId: null })
    return []
  }

  function exportText(): string {
    return exportSpec(namedSpec.value)
  }

  // ---- saved networks ----

  async function refreshSaved(): Promise<NetworkListItem[]> {
    savedNetworks.value = await useWorkbench().invoke('networks:list', {})
    return savedNetworks.value
  }

  /** Saves under `name` as a new version. */
  async function save(saveName = name.value): Promise<NetworkRecord> {
    const trimmed = saveName.trim()
    if (!trimmed) throw new Error('give the network a name before saving')
    name.value = trimmed
    const saving = clone(namedSpec.value)
    const record = await useWorkbench().invoke('networks:save', { name: trimmed, spec: saving })
    name.value = record.name
    savedVersion.value = record.version
    savedSpecJson.value = JSON.stringify(saving)
    await refreshSaved()
    return record
  }

  async function loadSaved(loadName: string, version?: number): Promise<NetworkRecord> {
    const record = await useWorkbench().invoke('networks:get', { name: loadName, ...(version !== undefined ? { version } : {}) })
    if (!record) throw new Error(`no saved network "${loadName}"${version !== undefined ? ` version ${version}` : ''}`)
    replaceDocument(record.spec, record.name, { training: launchDefaults.value.training, parentRunId: null }, record.version)
    return record
  }

  // ---- the draft kept across reloads ----

  let draftChecked = false
  /**
   * Once per session, when nothing has been opened or edited yet: reopen the draft the last session left.
   * Returns whether it did. (A run opened for relaunch before the editor showed counts as an edit.)
   */
  function restoreDraft(): boolean {
    if (draftChecked) return false
    draftChecked = true
    const untouched = history.undoDepth === 0 && history.redoDepth === 0 && spec.value.layers.length === 0
    const draft = untouched ? readDraft() : null
    if (!draft) return false
    // Even an invalid draft comes back: its issues show in place, as they did when it was left.
    spec.value = clone(draft.spec)
    name.value = draft.name
    launchDefaults.value = clone(draft.launchDefaults)
    savedVersion.value = draft.savedVersion
    savedSpecJson.value = draft.savedSpecJson
    selected.value = null
    return true
  }

  watch([spec, name, launchDefaults, savedVersion], () => {
    writeDraft({ name: name.value, spec: spec.value, launchDefaults: launchDefaults.value, savedVersion: savedVersion.value, savedSpecJson: savedSpecJson.value })
  }, { deep: true })

  return {
    name,
    spec,
    namedSpec,
    analysis,
    launchDefaults,
    openForRelaunch,
    selected,
    selectedLayer,
    layerCount,
    savedVersion,
    savedNetworks,
    dirty,
    canUndo,
    canRedo,
    issuesByLayer,
    networkIssues,
    trainBlocker,
    layerIssues,
    fieldIssue,
    addLayer,
    moveLayer,
    nudgeLayer,
    removeLayer,
    duplicateLayer,
    setField,
    resetField,
    setInputDim,
    setInputKind,
    breakCoalescing,
    select,
    undo,
    redo,
    newNetwork,
    loadPreset,
    importText,
    exportText,
    refreshSaved,
    save,
    loadSaved,
    restoreDraft
  }
})

function stripLayerPrefix(message: string): string {
  return message.replace(/^layer \d+(?: \([^)]*\))?: /, '')
}
