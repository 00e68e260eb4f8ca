/**
 * The new-study form as typed → a StudyRequest, or an error saying which field is wrong. Pure.
 */
import type { StudyKind, StudyRequest } from '../../../../src-main/studies/study-types'
import { parseGridAxes, parseTrainSizes, type GridRowText } from './study-format'
import type { StudyBase } from './study-presets'

export interface StudyForm {
  kind: StudyKind
  name: string
  /** Seeds per variant, 1–5. */
  repeats: number
  /** Blank keeps the base's epochs. */
  epochs: string
  /** Blank keeps the base's training-set size. */
  trainSize: string
  trainSizes: string
  grid: GridRowText[]
}

export const MAX_REPEATS = 5

/** A plain copy of JSON data; unlike structuredClone it also copies Vue's reactive proxies (the editor's spec). */
function plainCopy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

function wholeNumber(text: string, what: string, min: number, max: number): number | null {
  const t = text.trim()
  if (t === '') return null
  if (!/^\d+$/.test(t) || Number(t) < min || Number(t) > max) throw new Error(`${what}: "${t}" is not a whole number from ${min} to ${max}`)
  return Number(t)
}

export function buildStudyRequest(form: StudyForm, base: StudyBase): StudyRequest {
  if (!Number.isInteger(form.repeats) || form.repeats < 1 || form.repeats > MAX_REPEATS) {
    throw new Error(`repeats: ${form.repeats} is not a whole number of seeds from 1 to ${MAX_REPEATS}`)
  }
  const training = plainCopy(base.training)
  const epochs = wholeNumber(form.epochs, 'epochs', 1, 1000)
  if (epochs !== null) {
    training.epochs = epochs
    // A schedule sized to the old epoch count would end early or late: follow the override.
    if (training.schedule && 'epochs' in training.schedule) training.schedule = { ...training.schedule, epochs }
  }
  const trainSize = wholeNumber(form.trainSize, 'training samples', 1, 1_000_000)
  if (trainSize !== null) training.dataset = { ...training.dataset, trainSize }
  const request: StudyRequest = { kind: form.kind, base: { network: plainCopy(base.network), training }, repeats: form.repeats }
  if (form.name.trim() !== '') request.name = form.name.trim()
  if (form.kind === 'training-size') request.trainSizes = parseTrainSizes(form.trainSizes)
  if (form.kind === 'grid') request.grid = parseGridAxes(form.grid)
  return request
}
