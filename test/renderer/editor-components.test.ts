// @vitest-environment happy-dom
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { mount, type VueWrapper } from '@vue/test-utils'
import { nextTick } from 'vue'
import { useEditorStore } from '../../src-renderer/src/stores/editor'
import LayerPalette from '../../src-renderer/src/components/editor/LayerPalette.vue'
import LayerList from '../../src-renderer/src/components/editor/LayerList.vue'
import LayerForm from '../../src-renderer/src/components/editor/LayerForm.vue'
import EditorView from '../../src-renderer/src/views/EditorView.vue'
import LaunchPanel from '../../src-renderer/src/components/launch/LaunchPanel.vue'
import { LAYER_TYPES, layerDefinition } from '../../src-engine/layers/registry'
import { INITIALIZERS } from '../../src-engine/spec/fields'
import { LAYER_MIME, type DataTransferLike } from '../../src-renderer/src/editor/drag'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'

/** A DataTransfer stand-in: happy-dom's DragEvent carries none. */
function dataTransfer(): DataTransferLike & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    setData: (f: string, d: string) => void data.set(f, d),
    getData: (f: string) => data.get(f) ?? '',
    get types() {
      return [...data.keys()]
    },
    effectAllowed: 'all',
    dropEffect: 'none'
  }
}

function fire(el: Element, type: string, dt: DataTransferLike): Event {
  const event = new Event(type, { bubbles: true, cancelable: true })
  Object.defineProperty(event, 'dataTransfer', { value: dt })
  Object.defineProperty(event, 'clientY', { value: 0 })
  el.dispatchEvent(event)
  return event
}

const types = (s: NetworkSpec) => s.layers.map((l) => l.type)
const mounted: VueWrapper[] = []
function mountIt<T>(component: T, options: Record<string, unknown> = {}): VueWrapper {
  const w = mount(component as never, { attachTo: document.body, ...options })
  mounted.push(w)
  return w
}

describe('editor components', () => {
  beforeEach(() => {
    localStorage.clear()
    setActivePinia(createPinia())
  })
  afterEach(() => {
    while (mounted.length) mounted.pop()!.unmount()
  })

  it('the palette lists every engine layer under its registry group, and Enter adds one', async () => {
    const w = mountIt(LayerPalette)
    for (const type of LAYER_TYPES) {
      const def = layerDefinition(type)
      const item = w.get(`[data-testid="palette-group-${def.group}"] [data-testid="palette-${type}"]`)
      expect(item.text()).toContain(def.title)
      expect(item.text()).toContain(def.summary)
      expect(item.attributes('draggable')).toBe('true')
    }
    expect(w.findAll('[data-testid^="palette-group-"]').map((g) => g.attributes('data-testid'))).toEqual([
      'palette-group-convolution',
      'palette-group-pooling',
      'palette-group-dense',
      'palette-group-activation',
      'palette-group-normalization',
      'palette-group-regularization',
      'palette-group-reshape',
      'palette-group-output'
    ])
    await w.get('[data-testid="palette-batchnorm"]').trigger('keydown', { key: 'Enter' })
    await w.get('[data-testid="palette-add-dropout"]').trigger('click')
    expect(w.emitted('add')).toEqual([['batchnorm'], ['dropout']])
    await w.get('[data-testid="palette-search"]').setValue('pool')
    expect(w.findAll('[data-testid^="palette-"][draggable]').map((i) => i.attributes('data-testid'))).toEqual([
      'palette-maxpool2d',
      'palette-avgpool2d',
      'palette-global_avgpool'
    ])
  })

  it('a palette item dropped between two layers is inserted there, with a drop indicator while over', async () => {
    const editor = useEditorStore()
    editor.addLayer('conv2d')
    editor.addLayer('flatten')
    const palette = mountIt(LayerPalette)
    const list = mountIt(LayerList)
    const dt = dataTransfer()
    fire(palette.get('[data-testid="palette-maxpool2d"]').element, 'dragstart', dt)
    expect(JSON.parse(dt.getData(LAYER_MIME))).toEqual({ kind: 'new', type: 'maxpool2d' })

    const over = fire(list.get('[data-testid="drop-slot-1"]').element, 'dragover', dt)
    expect(over.defaultPrevented).toBe(true) // accepts the drop
    await nextTick()
    expect(list.findAll('[data-testid="drop-indicator"]')).toHaveLength(1)
    expect(list.find('[data-testid="drop-slot-1"] [data-testid="drop-indicator"]').exists()).toBe(true)

    fire(list.get('[data-testid="drop-slot-1"]').element, 'drop', dt)
    await nextTick()
    expect(types(editor.spec)).toEqual(['conv2d', 'maxpool2d', 'flatten'])
    expect(editor.selected).toBe(1)
    expect(list.findAll('[data-testid="drop-indicator"]')).toHaveLength(0)
    expect(list.get('[data-testid="layer-shape-1"]').text()).toBe('8×13×13')

    // Dropped on the end zone: appended.
    const dt2 = dataTransfer()
    fire(palette.get('[data-testid="palette-dense"]').element, 'dragstart', dt2)
    fire(list.get('[data-testid="network-drop-end"]').element, 'dragover', dt2)
    fire(list.get('[data-testid="network-drop-end"]').element, 'drop', dt2)
    expect(types(editor.spec)).toEqual(['conv2d', 'maxpool2d', 'flatten', 'dense'])

    // Something that is not a layer (a file, text) is refused.
    const foreign = dataTransfer()
    foreign.setData('text/plain', 'hello')
    const refused = fire(list.get('[data-testid="network-drop-end"]').element, 'dragover', foreign)
    expect(refused.defaultPrevented).toBe(false)
  })

  it('a layer card dragged onto a slot moves there', async () => {
    const editor = useEditorStore()
    for (const t of ['conv2d', 'relu', 'maxpool2d'] as const) editor.addLayer(t, editor.layerCount)
    const list = mountIt(LayerList)
    const dt = dataTransfer()
    fire(list.get('[data-testid="layer-2"]').element, 'dragstart', dt)
    expect(JSON.parse(dt.getData(LAYER_MIME))).toEqual({ kind: 'move', from: 2 })
    fire(list.get('[data-testid="drop-slot-0"]').element, 'dragover', dt)
    fire(list.get('[data-testid="drop-slot-0"]').element, 'drop', dt)
    await nextTick()
    expect(types(editor.spec)).toEqual(['maxpool2d', 'conv2d', 'relu'])
    expect(list.get('[data-testid="layer-0"]').attributes('aria-label')).toBe('Layer 0: Max pooling 2D')
    // maxpool on 1×28×28 then conv 3×3: the shapes follow the new order.
    expect(list.get('[data-testid="layer-shape-1"]').text()).toBe('8×12×12')
  })

  it('moves, selects, duplicates and deletes layers from the keyboard', async () => {
    const editor = useEditorStore()
    for (const t of ['conv2d', 'relu', 'flatten'] as const) editor.addLayer(t, editor.layerCount)
    const list = mountIt(LayerList)
    await list.get('[data-testid="layer-0"]').trigger('click')
    expect(editor.selected).toBe(0)
    const card = () => list.get(`[data-testid="layer-${editor.selected}"]`)
    await card().trigger('keydown', { key: 'ArrowDown', altKey: true })
    expect(types(editor.spec)).toEqual(['relu', 'conv2d', 'flatten'])
    expect(editor.selected).toBe(1)
    await card().trigger('keydown', { key: 'ArrowDown', altKey: true })
    await card().trigger('keydown', { key: 'ArrowUp', altKey: true })
    expect(types(editor.spec)).toEqual(['relu', 'conv2d', 'flatten'])
    await card().trigger('keydown', { key: 'ArrowUp' })
    expect(editor.selected).toBe(0)
    await card().trigger('keydown', { key: 'd', ctrlKey: true })
    expect(types(editor.spec)).toEqual(['relu', 'relu', 'conv2d', 'flatten'])
    expect(editor.selected).toBe(1)
    await card().trigger('keydown', { key: 'End' })
    await card().trigger('keydown', { key: 'Delete' })
    expect(types(editor.spec)).toEqual(['relu', 'relu', 'conv2d'])
    expect(editor.selected).toBe(2)
    expect(list.get('[data-testid="layer-2"]').attributes('aria-selected')).toBe('true')
    expect(list.get('[data-testid="layer-2"]').attributes('tabindex')).toBe('0')
    expect(list.get('[data-testid="layer-0"]').attributes('tabindex')).toBe('-1')
    await list.get('[data-testid="layer-up-2"]').trigger('click')
    expect(types(editor.spec)).toEqual(['relu', 'conv2d', 'relu'])
  })

  it('renders the conv2d form from its schema: limits, defaults as placeholders, docs, initializer choices', async () => {
    const editor = useEditorStore()
    editor.addLayer('conv2d')
    const form = mountIt(LayerForm)
    const filters = form.get('[data-testid="field-filters"]')
    expect(filters.attributes()).toMatchObject({ type: 'number', min: '1', max: '4096', step: '1' })
    expect((filters.element as HTMLInputElement).value).toBe('8')
    const fields = layerDefinition('conv2d').fields
    for (const [name, schema] of Object.entries(fields)) expect(form.get(`[data-testid="field-row-${name}"]`).text()).toContain(schema.doc)
    expect(form.get('[data-testid="field-stride"]').attributes('placeholder')).toBe('1')
    expect(form.get('[data-testid="field-padding"]').attributes('placeholder')).toBe('valid')
    expect(form.get('[data-testid="field-bias"]').attributes('type')).toBe('checkbox')
    expect((form.get('[data-testid="field-bias"]').element as HTMLInputElement).checked).toBe(true)
    const initOptions = form.findAll('[data-testid="field-init"] option').map((o) => o.attributes('value'))
    expect(initOptions).toEqual(['', ...INITIALIZERS])
    expect(form.get('[data-testid="field-init"] option').text()).toBe('default (auto)')
    expect(form.get('[data-testid="form-shape"]').text()).toContain('8×26×26')
    expect(form.get('[data-testid="form-formula"]').text()).toBe('⌊(28 − 3) / 1⌋ + 1 = 26')

    // Typing edits the spec; an invalid value is pinned to the field with aria-invalid and a message.
    await form.get('[data-testid="field-padding"]').setValue('2')
    expect(editor.spec.layers[0]).toMatchObject({ padding: 2 })
    await form.get('[data-testid="field-filters"]').setValue('0')
    expect(form.get('[data-testid="field-filters"]').attributes('aria-invalid')).toBe('true')
    expect(form.get('[data-testid="field-filters-error"]').text()).toBe('filters must be at least 1, got 0')
    expect(form.get('[data-testid="field-filters"]').attributes('aria-describedby')).toContain('field-filters-error')
    expect(form.get('[data-testid="field-kernel"]').attributes('aria-invalid')).toBe('false')
    await form.get('[data-testid="field-init"]').setValue('he_normal')
    expect(editor.spec.layers[0]).toMatchObject({ init: 'he_normal' })
    await form.get('[data-testid="field-bias"]').setValue(false)
    expect(editor.spec.layers[0]).toMatchObject({ bias: false })
    await form.get('[data-testid="field-padding-reset"]').trigger('click')
    expect(editor.spec.layers[0]).not.toHaveProperty('padding')
    expect(form.find('[data-testid="field-filters-reset"]').exists()).toBe(false) // required: no default to go back to
  })

  it('renders pooling, dropout, leaky ReLU and flatten forms from their schemas', async () => {
    const editor = useEditorStore()
    editor.addLayer('maxpool2d')
    const form = mountIt(LayerForm)
    expect(form.get('[data-testid="field-size"]').attributes('placeholder')).toBe('2')
    expect(form.get('[data-testid="field-stride"]').attributes('placeholder')).toBe('= size')
    expect(form.get('[data-testid="field-padding"]').attributes('type')).toBe('number') // an int here, not conv padding
    editor.addLayer('dropout')
    await nextTick()
    expect(form.get('[data-testid="field-rate"]').attributes()).toMatchObject({ min: '0', max: '1', step: 'any', placeholder: '0.5' })
    expect(form.get('[data-testid="field-row-rate"]').text()).toContain('0 ≤ x < 1')
    await form.get('[data-testid="field-rate"]').setValue('1')
    expect(form.get('[data-testid="field-rate-error"]').text()).toMatch(/rate must be less than 1/)
    editor.addLayer('leaky_relu')
    await nextTick()
    expect(form.get('[data-testid="field-slope"]').attributes('placeholder')).toBe('0.01')
    editor.addLayer('flatten')
    await nextTick()
    expect(form.find('[data-testid="form-no-fields"]').exists()).toBe(true)
    editor.select(null)
    await nextTick()
    expect(form.find('[data-testid="form-empty"]').exists()).toBe(true)
  })

  it('the view blocks Train while the network has errors, opens the launch panel, and undoes with Ctrl+Z', async () => {
    const editor = useEditorStore()
    const view = mountIt(EditorView)
    const train = () => view.get('[data-testid="train-button"]')
    expect(train().attributes('disabled')).toBeDefined()
    expect(view.get('[data-testid="train-blocked"]').text()).toMatch(/no layers/)
    await view.get('[data-testid="preset-select"]').setValue('lenet5')
    expect(editor.name).toBe('LeNet-5')
    expect(view.get('[data-testid="total-params"]').text()).toBe('61.7k')
    expect(view.get('[data-testid="total-output"]').text()).toBe('10')
    expect(train().attributes('disabled')).toBeUndefined()
    await train().trigger('click')
    const panel = view.getComponent(LaunchPanel)
    expect(panel.props()).toMatchObject({ networkName: 'LeNet-5', parentRunId: null })
    expect(panel.props('initialTraining')).toEqual(editor.launchDefaults.training)
    expect(panel.props('network')).toEqual(editor.spec) // LeNet-5's spec already carries its name
    panel.vm.$emit('cancel')
    await nextTick()
    expect(view.find('[data-testid="launch-dialog"]').exists()).toBe(false)

    editor.setField(3, 'kernel', 40) // a shape error at layer 3
    await nextTick()
    expect(view.get('[data-testid="totals-partial"]').text()).toBe('totals cover layers 0–2 only')
    expect(view.get('[data-testid="total-output"]').text()).toBe('—')
    editor.undo()
    editor.setField(0, 'filters', 0)
    await nextTick()
    expect(train().attributes('disabled')).toBeDefined()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'z', ctrlKey: true }))
    await nextTick()
    expect(editor.spec.layers[0]).toMatchObject({ filters: 6 })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'y', ctrlKey: true }))
    expect(editor.spec.layers[0]).toMatchObject({ filters: 0 })
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '/' }))
    expect(document.activeElement).toBe(view.get('[data-testid="palette-search"]').element)
  })
})
