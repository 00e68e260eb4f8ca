import { describe, expect, it } from 'vitest'
import { LAYER_TYPES, layerDefinition } from '../../src-engine/layers/registry'
import { analyzeNetwork } from '../../src-engine/spec/network-spec'
import { isRequired, newLayer, paletteGroups } from '../../src-renderer/src/editor/catalog'
import { defaultText, parseFieldText, rangeText } from '../../src-renderer/src/editor/field-value'
import { formatCount, formatShape } from '../../src-renderer/src/editor/format'
import { History } from '../../src-renderer/src/editor/history'
import { exportFileName, parseImport } from '../../src-renderer/src/editor/spec-io'
import { LAYER_MIME, readDrop, startDrag, endDrag } from '../../src-renderer/src/editor/drag'

describe('editor helpers', () => {
  it('the palette holds each engine layer exactly once, and a new layer of any type has valid fields', () => {
    const listed = paletteGroups().flatMap((g) => g.items.map((i) => i.type))
    expect([...listed].sort()).toEqual([...LAYER_TYPES].sort())
    for (const type of LAYER_TYPES) {
      const layer = newLayer(type)
      const required = Object.entries(layerDefinition(type).fields).filter(([, f]) => isRequired(f)).map(([n]) => n)
      expect(Object.keys(layer).sort()).toEqual(['type', ...required].sort())
      const issues = analyzeNetwork({ version: 1, input: { shape: [4, 8, 8] }, layers: [layer] }).issues
      expect(issues.filter((i) => i.field !== null && i.message.match(/required|must be/)), type).toEqual([])
    }
  })

  it('reads form text into field values, keeping what is invalid for the engine to name', () => {
    const int = layerDefinition('conv2d').fields.filters!
    const pad = layerDefinition('conv2d').fields.padding!
    expect(parseFieldText(int, ' 16 ')).toBe(16)
    expect(parseFieldText(int, '')).toBeUndefined()
    expect(parseFieldText(int, 'abc')).toBe('abc')
    expect(parseFieldText(pad, 'same')).toBe('same')
    expect(parseFieldText(pad, '2')).toBe(2)
    expect(parseFieldText(pad, 'sam')).toBe('sam')
    expect(defaultText(pad)).toBe('valid')
    expect(defaultText(int)).toBe('')
    expect(defaultText(layerDefinition('maxpool2d').fields.stride!)).toBe('= size')
    expect(rangeText(int)).toBe('1–4096')
    expect(rangeText(layerDefinition('batchnorm').fields.eps!)).toBe('0 < x')
  })

  it('formats counts and shapes compactly', () => {
    expect(formatCount(999)).toBe('999')
    expect(formatCount(61706)).toBe('61.7k')
    expect(formatCount(1_000_000)).toBe('1M')
    expect(formatCount(123_456_789)).toBe('123M')
    expect(formatShape([6, 28, 28])).toBe('6×28×28')
    expect(formatShape(null)).toBe('?')
  })

  it('history coalesces only consecutive edits with the same key and caps its depth', () => {
    const h = new History<number>(3)
    h.record(0, 'a')
    h.record(1, 'a')
    h.record(2, 'b')
    expect(h.undoDepth).toBe(2)
    h.record(3)
    h.record(4)
    expect(h.undoDepth).toBe(3) // the oldest step fell off
    expect(h.undo(5)).toBe(4)
    expect(h.redo(4)).toBe(5)
    h.clear()
    expect(h.undo(9)).toBeNull()
  })

  it('imports: all problems of a bad file, a spec or an experiment when good', () => {
    expect(parseImport('[]')).toEqual({ ok: false, problems: ['network spec must be an object, got []'] })
    const good = parseImport(JSON.stringify({ version: 1, input: { shape: [10] }, layers: [{ type: 'dense', units: 2 }] }))
    expect(good.ok && good.training).toBeNull()
    expect(exportFileName(' LeNet-5 (v2) ')).toBe('lenet-5-v2.json')
    expect(exportFileName('???')).toBe('network.json')
  })

  it('drag payloads travel in the DataTransfer, with the dragstart copy as a fallback', () => {
    const data = new Map<string, string>()
    const dt = { setData: (f: string, d: string) => void data.set(f, d), getData: (f: string) => data.get(f) ?? '', types: [] as string[] }
    startDrag({ kind: 'new', type: 'relu' }, dt)
    expect(data.get(LAYER_MIME)).toBe('{"kind":"new","type":"relu"}')
    expect(readDrop(null)).toEqual({ kind: 'new', type: 'relu' })
    endDrag()
    expect(readDrop(dt)).toEqual({ kind: 'new', type: 'relu' })
    data.set(LAYER_MIME, '{"kind":"new","type":"not-a-layer"}')
    expect(readDrop(dt)).toBeNull()
  })
})
