/**
 * Parsing and formatting for the studies UI: grid axis text ("0.001, 0.01" → numbers), training-size
 * lists, estimated durations ("about 6 min") and accuracies with their spread. Pure.
 */
import type { GridAxis } from '../../../../src-main/studies/study-types'

/** One row of the grid axes editor as typed. */
export interface GridRowText {
  path: string
  values: string
}

const PATH = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i
const WORD = /^[A-Za-z_][\w-]*$/

/** One value of a grid axis: a number, true/false, or a name such as "adam". */
function parseValue(token: string, where: string): number | string | boolean {
  if (NUMBER.test(token)) return Number(token)
  if (token === 'true' || token === 'false') return token === 'true'
  if (WORD.test(token)) return token
  throw new Error(`${where}: "${token}" is not a number, true/false or a name`)
}

/** "0.001, 0.01" → [0.001, 0.01]; errors name the row's path and the bad value. */
export function parseGridValues(text: string, path: string): (number | string | boolean)[] {
  const where = path.trim() === '' ? 'grid values' : `values of ${path.trim()}`
  const tokens = text.split(',').map((t) => t.trim())
  if (tokens.length === 1 && tokens[0] === '') throw new Error(`${where}: no values (write them separated by commas, e.g. 0.001, 0.01)`)
  if (tokens.some((t) => t === '')) throw new Error(`${where}: an empty value between commas in "${text.trim()}"`)
  const values = tokens.map((t) => parseValue(t, where))
  const kinds = new Set(values.map((v) => typeof v))
  if (kinds.size > 1) throw new Error(`${where}: mixes numbers, names and true/false (${tokens.join(', ')})`)
  const seen = new Set<string>()
  for (const t of values.map(String)) {
    if (seen.has(t)) throw new Error(`${where}: ${t} is listed twice`)
    seen.add(t)
  }
  return values
}

/** The grid editor's rows → axes; blank rows are skipped, every other problem is an error naming its row. */
export function parseGridAxes(rows: GridRowText[]): GridAxis[] {
  const axes: GridAxis[] = []
  rows.forEach((row, i) => {
    const path = row.path.trim()
    if (path === '' && row.values.trim() === '') return
    const label = `grid row ${i + 1}`
    if (path === '') throw new Error(`${label}: no config path (e.g. optimizer.lr)`)
    if (!PATH.test(path)) throw new Error(`${label}: "${path}" is not a config path (dotted names, e.g. optimizer.lr)`)
    if (axes.some((a) => a.path === path)) throw new Error(`${label}: ${path} is already an axis`)
    try {
      axes.push({ path, values: parseGridValues(row.values, path) })
    } catch (err) {
      throw new Error(`${label}: ${(err as Error).message}`)
    }
  })
  if (axes.length === 0) throw new Error('a grid sweep needs at least one axis: a config path and its values')
  return axes
}

/** "250, 500, 1000" → [250, 500, 1000] (whole numbers ≥ 1). */
export function parseTrainSizes(text: string): number[] {
  const tokens = text.split(',').map((t) => t.trim()).filter((t) => t !== '')
  if (tokens.length === 0) throw new Error('training sizes: list at least one, e.g. 250, 500, 1000')
  return tokens.map((t) => {
    if (!/^\d+$/.test(t) || Number(t) < 1) throw new Error(`training sizes: "${t}" is not a whole number of samples ≥ 1`)
    return Number(t)
  })
}

/** An estimate in words: "about 40 s", "about 6 min", "about 1 h 20 min". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'unknown'
  if (seconds < 10) return 'under 10 s'
  if (seconds < 60) return `about ${Math.round(seconds / 5) * 5} s`
  const minutes = Math.round(seconds / 60)
  if (minutes < 60) return `about ${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m === 0 ? `about ${h} h` : `about ${h} h ${m} min`
}

/** Elapsed seconds of a run: "42 s", "3 min 5 s". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '—'
  if (seconds < 60) return `${Math.round(seconds)} s`
  const m = Math.floor(seconds / 60)
  return `${m} min ${Math.round(seconds - m * 60)} s`
}

/** A fraction as a percentage, with the spread over seeds (a fraction too) when there is one: "92.1% ± 0.4". */
export function formatAccuracy(value: number | null, std: number | null = null): string {
  if (value === null) return '—'
  return `${(value * 100).toFixed(1)}%${std !== null ? ` ± ${(std * 100).toFixed(1)}` : ''}`
}

/** Points with their spread: "9.8 ± 1.2". */
export function formatPoints(value: number | null, std: number | null = null): string {
  if (value === null) return '—'
  return `${value.toFixed(1)}${std !== null ? ` ± ${std.toFixed(1)}` : ''}`
}
