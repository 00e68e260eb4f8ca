/**
 * CSV import in the common "label, pixel0 … pixelN" layout (Kaggle's MNIST train.csv): one image per
 * row, the label first, then the pixels row by row (0..255). One channel by default; with channels 3
 * the pixels are the red plane, then green, then blue. A header row is detected (its first cell is
 * not a number) unless `header` says otherwise.
 */
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { basename } from 'node:path'
import { createInterface } from 'node:readline'
import { DatasetImportError, type ImportedData } from '../dataset-library'
import { makeDataset, resolveClasses } from './common'

export interface CsvImportOptions {
  title?: string
  /** true: the first row is a header; false: it is data; default: detected. */
  header?: boolean
  /** A second CSV file with the same layout, used as the fixed test split. */
  testPath?: string
  /** 1 (default) or 3. */
  channels?: 1 | 3
  /** Class names (label i is classes[i]); default "0", "1", ... up to the largest label. */
  classes?: string[]
}

interface CsvData {
  shape: [number, number, number]
  pixels: Uint8Array
  labels: number[]
  /** The file line of each data row, for error messages. */
  lines: number[]
}

export async function importCsv(path: string, options: CsvImportOptions = {}): Promise<ImportedData> {
  const channels = options.channels ?? 1
  const train = await readCsv(path, channels, options.header)
  const test = options.testPath !== undefined ? await readCsv(options.testPath, channels, options.header) : null
  if (test && test.shape.join() !== train.shape.join()) {
    throw new DatasetImportError(`${options.testPath}: images are ${test.shape.join('×')} but ${path} has ${train.shape.join('×')}`)
  }
  const where = (file: string, d: CsvData) => (i: number) => `${file} line ${d.lines[i]}`
  const classes = resolveClasses(
    test ? [train.labels, test.labels] : [train.labels],
    test ? [where(path, train), where(options.testPath!, test)] : [where(path, train)],
    options.classes
  )
  const title = options.title ?? basename(path).replace(/\.csv$/i, '')
  return {
    title,
    format: 'csv',
    source: path,
    train: makeDataset(title, train.shape, train.pixels, train.labels, classes),
    test: test ? makeDataset(`${title} (test)`, test.shape, test.pixels, test.labels, classes) : null
  }
}

async function readCsv(path: string, channels: 1 | 3, header: boolean | undefined): Promise<CsvData> {
  const s = await stat(path).catch(() => null)
  if (!s || !s.isFile()) throw new DatasetImportError(`${path}: no such CSV file`)
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
  const rows: Uint8Array[] = []
  const labels: number[] = []
  const lineNumbers: number[] = []
  let columns = 0
  let lineNo = 0
  for await (const raw of lines) {
    lineNo++
    const line = raw.trim()
    if (line === '') continue
    const cells = line.split(',')
    if (lineNo === 1 && (header ?? Number.isNaN(Number(cells[0].trim().replace(/^"|"$/g, ''))))) continue
    if (columns === 0) columns = checkColumns(path, lineNo, cells.length, channels)
    if (cells.length !== columns) {
      throw new DatasetImportError(`${path} line ${lineNo}: expected ${columns} values (a label and ${columns - 1} pixels), found ${cells.length}`)
    }
    labels.push(parseValue(cells[0], path, lineNo, 'label', 255))
    const row = new Uint8Array(columns - 1)
    for (let k = 1; k < columns; k++) row[k - 1] = parseValue(cells[k], path, lineNo, `pixel ${k - 1}`, 255)
    rows.push(row)
    lineNumbers.push(lineNo)
  }
  if (rows.length === 0) throw new DatasetImportError(`${path}: no data rows`)
  const side = Math.round(Math.sqrt((columns - 1) / channels))
  const pixels = new Uint8Array(rows.length * (columns - 1))
  rows.forEach((r, i) => pixels.set(r, i * (columns - 1)))
  return { shape: [channels, side, side], pixels, labels, lines: lineNumbers }
}

function checkColumns(path: string, lineNo: number, count: number, channels: number): number {
  const pixels = count - 1
  const side = Math.round(Math.sqrt(pixels / channels))
  if (pixels < 1 || side * side * channels !== pixels) {
    const layout = channels === 1 ? 'side×side' : `${channels}×side×side`
    throw new DatasetImportError(`${path} line ${lineNo}: ${count} values: a label and ${pixels} pixels, which is not a square ${layout} image`)
  }
  return count
}

function parseValue(cell: string, path: string, lineNo: number, what: string, max: number): number {
  const text = cell.trim()
  const v = Number(text)
  if (text === '' || !Number.isInteger(v) || v < 0 || v > max) {
    throw new DatasetImportError(`${path} line ${lineNo}: ${what} is "${text}"; expected a whole number from 0 to ${max}`)
  }
  return v
}
