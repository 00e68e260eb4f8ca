/**
 * Pure helpers of the datasets view: sample pixels (CHW, 0..255) to RGBA for a canvas, per-class bar data,
 * short labels, and the import form → DatasetImportRequest (only the options the chosen format reads).
 */
import type { DatasetFormat, DatasetImportRequest, DatasetInfo, DownloadableDataset, WorkbenchEvents } from '../../../../src-main/contract/workbench-api'

/** RGBA bytes (row-major, 4 per pixel) of one sample; grayscale is copied to R, G and B. */
export function samplePixelsToRgba(pixels: readonly number[], shape: readonly [number, number, number]): Uint8ClampedArray<ArrayBuffer> {
  const [c, h, w] = shape
  const plane = h * w
  if (c !== 1 && c !== 3) throw new Error(`samples with ${c} channels cannot be drawn (1 or 3 expected)`)
  if (pixels.length !== c * plane) throw new Error(`a ${c}×${h}×${w} sample needs ${c * plane} values, got ${pixels.length}`)
  const out = new Uint8ClampedArray(plane * 4)
  for (let i = 0; i < plane; i++) {
    const r = pixels[i]!
    out[i * 4] = r
    out[i * 4 + 1] = c === 3 ? pixels[plane + i]! : r
    out[i * 4 + 2] = c === 3 ? pixels[2 * plane + i]! : r
    out[i * 4 + 3] = 255
  }
  return out
}

export interface ClassBar {
  label: number
  name: string
  train: number
  test: number
  /** Bar widths in [0, 1], relative to the largest count of that split over all classes. */
  trainWidth: number
  testWidth: number
}

/** One row per class; widths share one scale per split so unbalanced classes stand out. */
export function classBars(classes: readonly string[], perClass: { train: readonly number[]; test: readonly number[] }): ClassBar[] {
  const maxTrain = Math.max(0, ...perClass.train)
  const maxTest = Math.max(0, ...perClass.test)
  return classes.map((name, label) => {
    const train = perClass.train[label] ?? 0
    const test = perClass.test[label] ?? 0
    return { label, name, train, test, trainWidth: maxTrain > 0 ? train / maxTrain : 0, testWidth: maxTest > 0 ? test / maxTest : 0 }
  })
}

/** Preview counts (one split) as bars. */
export function countBars(classes: readonly string[], counts: readonly number[]): ClassBar[] {
  return classBars(classes, { train: counts, test: counts.map(() => 0) })
}

export function formatShape(shape: DatasetInfo['shape']): string {
  return shape ? `${shape[0]}×${shape[1]}×${shape[2]}` : '?'
}

export function shortHash(hash: string | undefined): string {
  return hash ? hash.slice(0, 12) : '—'
}

/** Samples grouped by label, in label order (the grid draws one row per class). */
export function groupByLabel<T extends { label: number }>(samples: readonly T[], classCount: number): T[][] {
  const rows: T[][] = Array.from({ length: classCount }, () => [])
  for (const s of samples) rows[s.label]?.push(s)
  return rows
}

export const IMPORT_FORMATS: { value: DatasetFormat; label: string; pathHint: string }[] = [
  { value: 'image-folder', label: 'Image folder (one subfolder per class)', pathHint: 'a folder holding one subfolder of images per class (or train/ and test/ with those inside)' },
  { value: 'idx', label: 'IDX files (MNIST style)', pathHint: 'a folder with train-/t10k- images and labels files, raw or .gz' },
  { value: 'csv', label: 'CSV (label, pixel0, pixel1, …)', pathHint: 'a CSV file: the label first, then the pixels' },
  { value: 'cifar10', label: 'CIFAR-10 binary batches', pathHint: 'the folder with data_batch_*.bin and test_batch.bin' }
]

export interface ImportForm {
  format: DatasetFormat
  path: string
  title: string
  size: number | ''
  channels: 1 | 3
  header: 'auto' | 'yes' | 'no'
  testPath: string
  /** Comma-separated class names. */
  classes: string
  transpose: boolean
}

export function defaultImportForm(): ImportForm {
  return { format: 'image-folder', path: '', title: '', size: 28, channels: 1, header: 'auto', testPath: '', classes: '', transpose: false }
}

/** Which options each format reads (the form shows only these). */
export const FORMAT_OPTIONS: Record<DatasetFormat, readonly ('size' | 'channels' | 'header' | 'testPath' | 'classes' | 'transpose')[]> = {
  'image-folder': ['size', 'channels'],
  idx: ['classes', 'transpose'],
  csv: ['header', 'channels', 'testPath', 'classes'],
  cifar10: []
}

export type ImportCheck = { ok: true; request: DatasetImportRequest } | { ok: false; problem: string }

/** The request for the chosen format, or the first thing to fix before asking the backend. */
export function buildImportRequest(f: ImportForm): ImportCheck {
  const path = f.path.trim()
  if (path === '') return { ok: false, problem: 'enter the path of the data on the machine running Tatami' }
  const request: DatasetImportRequest = { format: f.format, path }
  if (f.title.trim() !== '') request.title = f.title.trim()
  const opts = FORMAT_OPTIONS[f.format]
  if (opts.includes('size')) {
    if (typeof f.size !== 'number' || !Number.isInteger(f.size) || f.size < 4 || f.size > 512) return { ok: false, problem: 'image size must be a whole number from 4 to 512' }
    request.size = f.size
  }
  if (opts.includes('channels')) request.channels = f.channels
  if (opts.includes('header') && f.header !== 'auto') request.header = f.header === 'yes'
  if (opts.includes('testPath') && f.testPath.trim() !== '') request.testPath = f.testPath.trim()
  if (opts.includes('classes')) {
    const names = f.classes.split(',').map((s) => s.trim()).filter((s) => s !== '')
    if (names.length > 0) request.classes = names
  }
  if (opts.includes('transpose') && f.transpose) request.transpose = true
  return { ok: true, request }
}

export const DOWNLOADS: { name: DownloadableDataset; title: string }[] = [
  { name: 'mnist', title: 'MNIST' },
  { name: 'fashion-mnist', title: 'Fashion-MNIST' }
]

/** Overall download progress in [0, 1], or null while the size of the current file is unknown. */
export function downloadFraction(p: WorkbenchEvents['dataset:progress']): number | null {
  if (p.total === null || p.total <= 0 || p.fileCount <= 0) return null
  return Math.min(1, (p.fileIndex + Math.min(1, p.received / p.total)) / p.fileCount)
}
