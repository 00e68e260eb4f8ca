import { describe, expect, it } from 'vitest'
import {
  buildImportRequest,
  classBars,
  countBars,
  defaultImportForm,
  downloadFraction,
  formatShape,
  groupByLabel,
  samplePixelsToRgba,
  shortHash
} from '../../src-renderer/src/components/datasets/dataset-view-model'

describe('samplePixelsToRgba', () => {
  it('copies a grayscale sample to R, G and B with opaque alpha', () => {
    const rgba = samplePixelsToRgba([0, 128, 255, 7], [1, 2, 2])
    expect(Array.from(rgba)).toEqual([0, 0, 0, 255, 128, 128, 128, 255, 255, 255, 255, 255, 7, 7, 7, 255])
  })
  it('interleaves the planes of a CHW RGB sample', () => {
    // 1×2 image: R plane [10, 11], G plane [20, 21], B plane [30, 31].
    const rgba = samplePixelsToRgba([10, 11, 20, 21, 30, 31], [3, 1, 2])
    expect(Array.from(rgba)).toEqual([10, 20, 30, 255, 11, 21, 31, 255])
  })
  it('refuses a pixel count that does not match the shape, and other channel counts', () => {
    expect(() => samplePixelsToRgba([1, 2, 3], [1, 2, 2])).toThrow('a 1×2×2 sample needs 4 values, got 3')
    expect(() => samplePixelsToRgba([1, 2], [2, 1, 1])).toThrow('2 channels')
  })
})

describe('class bars', () => {
  it('scales each split by its own largest class', () => {
    const bars = classBars(['a', 'b', 'c'], { train: [10, 5, 0], test: [2, 4, 1] })
    expect(bars.map((b) => [b.name, b.train, b.test, b.trainWidth, b.testWidth])).toEqual([
      ['a', 10, 2, 1, 0.5],
      ['b', 5, 4, 0.5, 1],
      ['c', 0, 1, 0, 0.25]
    ])
  })
  it('gives zero widths for an empty split and reads preview counts as one split', () => {
    expect(classBars(['a'], { train: [3], test: [] })[0]).toMatchObject({ test: 0, testWidth: 0, trainWidth: 1 })
    expect(countBars(['x', 'y'], [4, 12]).map((b) => b.trainWidth)).toEqual([4 / 12, 1])
  })
})

describe('labels and grouping', () => {
  it('formats shapes and hashes', () => {
    expect(formatShape([3, 32, 32])).toBe('3×32×32')
    expect(formatShape(undefined)).toBe('?')
    expect(shortHash('0123456789abcdef0123')).toBe('0123456789ab')
    expect(shortHash(undefined)).toBe('—')
  })
  it('groups samples by label into one row per class', () => {
    const rows = groupByLabel([{ label: 1 }, { label: 0 }, { label: 1 }], 3)
    expect(rows.map((r) => r.length)).toEqual([1, 2, 0])
  })
})

describe('buildImportRequest', () => {
  it('asks for a path first', () => {
    expect(buildImportRequest(defaultImportForm())).toEqual({ ok: false, problem: 'enter the path of the data on the machine running Tatami' })
  })
  it('sends size and channels for an image folder, and nothing that format ignores', () => {
    const f = { ...defaultImportForm(), path: ' /data/pets ', title: 'Pets', size: 32 as const, channels: 3 as const, header: 'yes' as const, classes: 'a,b', testPath: 'x.csv' }
    expect(buildImportRequest(f)).toEqual({ ok: true, request: { format: 'image-folder', path: '/data/pets', title: 'Pets', size: 32, channels: 3 } })
  })
  it('checks the image size', () => {
    expect(buildImportRequest({ ...defaultImportForm(), path: '/d', size: 3 })).toEqual({ ok: false, problem: 'image size must be a whole number from 4 to 512' })
    expect(buildImportRequest({ ...defaultImportForm(), path: '/d', size: '' })).toMatchObject({ ok: false })
  })
  it('sends header, channels, test file and class names for CSV; header auto is left to the backend', () => {
    const f = { ...defaultImportForm(), format: 'csv' as const, path: '/d/train.csv', header: 'no' as const, testPath: '/d/test.csv', classes: ' zero, one ,,two ' }
    expect(buildImportRequest(f)).toEqual({ ok: true, request: { format: 'csv', path: '/d/train.csv', header: false, channels: 1, testPath: '/d/test.csv', classes: ['zero', 'one', 'two'] } })
    expect(buildImportRequest({ ...f, header: 'auto', testPath: '', classes: '' })).toEqual({ ok: true, request: { format: 'csv', path: '/d/train.csv', channels: 1 } })
  })
  it('sends class names and transpose for IDX, only the path for CIFAR-10', () => {
    expect(buildImportRequest({ ...defaultImportForm(), format: 'idx', path: '/e', transpose: true, classes: 'a' })).toEqual({
      ok: true,
      request: { format: 'idx', path: '/e', classes: ['a'], transpose: true }
    })
    expect(buildImportRequest({ ...defaultImportForm(), format: 'cifar10', path: '/c', transpose: true, size: 32 })).toEqual({ ok: true, request: { format: 'cifar10', path: '/c' } })
  })
})

describe('downloadFraction', () => {
  const p = { name: 'mnist', file: 'f', fileIndex: 1, fileCount: 4, received: 50, total: 100 }
  it('counts finished files plus the part of the current one', () => {
    expect(downloadFraction(p)).toBe(1.5 / 4)
  })
  it('is unknown without a total', () => {
    expect(downloadFraction({ ...p, total: null })).toBeNull()
  })
})
