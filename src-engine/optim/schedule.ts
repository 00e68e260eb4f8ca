/**
 * Learning-rate schedules, evaluated at the start of each epoch e = 0, 1, … (docs/engine.md):
 * constant; step (StepLR) lr·γ^⌊e/stepSize⌋; exponential (ExponentialLR) lr·γ^e; cosine
 * (CosineAnnealingLR's closed form) minLr + (lr − minLr)(1 + cos(π·e/epochs))/2.
 * An optional linear warm-up (LinearLR) rises from startFactor·lr to lr over its epochs; the schedule
 * then starts from its own epoch 0.
 */
import { show } from '../spec/fields'

export type LrSchedule =
  | { type: 'constant' }
  | { type: 'step'; stepSize: number; gamma: number }
  | { type: 'exponential'; gamma: number }
  | { type: 'cosine'; epochs: number; minLr?: number }

export interface Warmup {
  epochs: number
  startFactor: number
}

export const SCHEDULE_TYPES = ['constant', 'step', 'exponential', 'cosine'] as const

/** The learning rate at the start of `epoch` (0-based). */
export function learningRateAt(baseLr: number, schedule: LrSchedule, epoch: number, warmup?: Warmup): number {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`learningRateAt: epoch must be a whole number >= 0, got ${epoch}`)
  const warm = warmup && warmup.epochs > 0 ? warmup : null
  if (warm && epoch < warm.epochs) {
    // LinearLR: factor goes from startFactor at e = 0 to 1 at e = warm.epochs.
    return baseLr * (warm.startFactor + ((1 - warm.startFactor) * epoch) / warm.epochs)
  }
  return scheduled(baseLr, schedule, warm ? epoch - warm.epochs : epoch)
}

function scheduled(baseLr: number, schedule: LrSchedule, e: number): number {
  switch (schedule.type) {
    case 'constant':
      return baseLr
    case 'step':
      return baseLr * schedule.gamma ** Math.floor(e / schedule.stepSize)
    case 'exponential':
      return baseLr * schedule.gamma ** e
    case 'cosine': {
      const minLr = schedule.minLr ?? 0
      // torch's closed form is periodic past T_max (the lr climbs back up); we hold at minLr instead.
      if (e >= schedule.epochs) return minLr
      return minLr + ((baseLr - minLr) * (1 + Math.cos((Math.PI * e) / schedule.epochs))) / 2
    }
  }
}

/** Every problem with a schedule, each naming its field ('schedule.gamma must be ...'); empty when valid. */
export function validateSchedule(raw: unknown, path = 'schedule'): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [`${path} must be an object like {"type": "step", "stepSize": 10, "gamma": 0.5}, got ${show(raw)}`]
  }
  const s = raw as Record<string, unknown>
  const known: Record<(typeof SCHEDULE_TYPES)[number], string[]> = {
    constant: [],
    step: ['stepSize', 'gamma'],
    exponential: ['gamma'],
    cosine: ['epochs', 'minLr']
  }
  if (!(SCHEDULE_TYPES as readonly unknown[]).includes(s.type)) {
    return [`${path}.type must be one of ${SCHEDULE_TYPES.map((t) => JSON.stringify(t)).join(', ')}, got ${show(s.type)}`]
  }
  const type = s.type as (typeof SCHEDULE_TYPES)[number]
  const problems: string[] = []
  for (const key of Object.keys(s)) {
    if (key !== 'type' && !known[type].includes(key)) problems.push(`${path}: unknown field "${key}" for type "${type}"`)
  }
  if (type === 'step') positiveInt(problems, `${path}.stepSize`, s.stepSize)
  if (type === 'step' || type === 'exponential') {
    const g = s.gamma
    if (typeof g !== 'number' || !(g > 0 && g <= 1)) problems.push(`${path}.gamma must be a number in (0, 1], got ${show(g)}`)
  }
  if (type === 'cosine') {
    positiveInt(problems, `${path}.epochs`, s.epochs)
    const m = s.minLr
    if (m !== undefined && (typeof m !== 'number' || !Number.isFinite(m) || m < 0)) problems.push(`${path}.minLr must be a number >= 0, got ${show(m)}`)
  }
  return problems
}

function positiveInt(problems: string[], name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push(`${name} must be a whole number >= 1, got ${show(v)}`)
}
