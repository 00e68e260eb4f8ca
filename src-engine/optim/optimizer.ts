/**
 * Optimizers with torch.optim's update rules (PyTorch 1.13, single-tensor path), see docs/engine.md.
 * Each rule lives in its own file; this one holds the config (defaults, validation), the shared
 * driver (weight-decay selection, step count, learning rate) and state save/restore.
 */
import type { Allocator, FloatArray, Tensor } from '../core/tensor'
import type { Kernels } from '../kernels/kernels'
import { jsKernels } from '../kernels/js/index'
import { show } from '../spec/fields'
import { createSgdRule } from './sgd'
import { createMomentumRule } from './momentum'
import { createNesterovRule } from './nesterov'
import { createAdagradRule } from './adagrad'
import { createRmspropRule } from './rmsprop'
import { createAdamRule } from './adam'

export const OPTIMIZER_TYPES = ['sgd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'adamw'] as const
export type OptimizerType = (typeof OPTIMIZER_TYPES)[number]

export interface OptimizerConfig {
  type: OptimizerType
  lr: number
  momentum?: number
  beta1?: number
  beta2?: number
  eps?: number
  alpha?: number
  weightDecay?: number
  /** decay biases and normalization params too (torch.optim's default); default false */
  decayAll?: boolean
}

/** The hyperparameters each type reads; the resolved config carries the others too, unused. */
export const OPTIMIZER_FIELDS: Readonly<Record<OptimizerType, readonly (keyof OptimizerConfig)[]>> = {
  sgd: ['lr', 'weightDecay', 'decayAll'],
  momentum: ['lr', 'momentum', 'weightDecay', 'decayAll'],
  nesterov: ['lr', 'momentum', 'weightDecay', 'decayAll'],
  adagrad: ['lr', 'eps', 'weightDecay', 'decayAll'],
  rmsprop: ['lr', 'alpha', 'eps', 'weightDecay', 'decayAll'],
  adam: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'decayAll'],
  adamw: ['lr', 'beta1', 'beta2', 'eps', 'weightDecay', 'decayAll']
}

/** NamedParam from network.ts satisfies this. */
export interface OptimizerParam {
  name: string
  value: Tensor
  grad: Tensor
  decay: boolean
}

export interface OptimizerState {
  type: OptimizerType
  /** Steps taken so far. */
  step: number
  /** The learning rate in force when the state was saved. */
  lr: number
  /**
   * Per parameter name, its slots by torch's state names, e.g. { exp_avg, exp_avg_sq }: copies in the
   * parameter's dtype (binary in a checkpoint; plain arrays, as older checkpoints hold them, load too).
   */
  slots: Record<string, Record<string, FloatArray | number[]>>
}

export interface Optimizer {
  readonly config: Readonly<Required<OptimizerConfig>>
  /** Current learning rate (starts at config.lr); the trainer's schedule sets it each epoch. */
  lr: number
  readonly stepCount: number
  /** Updates every parameter from its current gradient (which is left untouched). */
  step(): void
  state(): OptimizerState
  /** Restores a state(); validates type, parameter names and slot lengths before changing anything. */
  loadState(s: OptimizerState): void
}

/** What a step tells the update rule; one object per optimizer, mutated in place each step. */
export interface StepContext {
  lr: number
  /** 1 on the first step. */
  step: number
  /** The kernels the update loops run on (the network's). */
  kernels: Kernels
}

export interface OptimizerOptions {
  /** Kernels for the update loops (default: the JavaScript reference). */
  kernels?: Kernels
  /**
   * Storage for the optimizer's state (e.g. the network's allocator, so the wasm kernels find
   * Adam's moments in their memory); default: plain typed arrays.
   */
  allocator?: Allocator
}

/**
 * One optimizer's update of a flat parameter: w in place from g. `decay` is this parameter's weight
 * decay (0 when it does not apply), L2 or decoupled as the rule defines. Slots are in `slotNames` order.
 */
export interface UpdateRule {
  readonly slotNames: readonly string[]
  update(w: FloatArray, g: FloatArray, slots: readonly FloatArray[], decay: number, ctx: StepContext): void
}

export type ResolvedOptimizerConfig = Readonly<Required<OptimizerConfig>>

const FIELD_NAMES = ['type', 'lr', 'momentum', 'beta1', 'beta2', 'eps', 'alpha', 'weightDecay', 'decayAll']

/** Fills the defaults of docs/engine.md: μ 0.9, β (0.9, 0.999), ε 1e-8 (1e-10 for adagrad), α 0.99, λ 0 (0.01 for adamw). */
export function resolveOptimizerConfig(c: OptimizerConfig): Required<OptimizerConfig> {
  return {
    type: c.type,
    lr: c.lr,
    momentum: c.momentum ?? 0.9,
    beta1: c.beta1 ?? 0.9,
    beta2: c.beta2 ?? 0.999,
    eps: c.eps ?? (c.type === 'adagrad' ? 1e-10 : 1e-8),
    alpha: c.alpha ?? 0.99,
    weightDecay: c.weightDecay ?? (c.type === 'adamw' ? 0.01 : 0),
    decayAll: c.decayAll ?? false
  }
}

/** Every problem with an optimizer config, each naming its field ('optimizer.lr must be ...'); empty when valid. */
export function validateOptimizerConfig(raw: unknown, path = 'optimizer'): string[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return [`${path} must be an object like {"type": "adam", "lr": 0.001}, got ${show(raw)}`]
  }
  const c = raw as Record<string, unknown>
  const problems: string[] = []
  for (const key of Object.keys(c)) if (!FIELD_NAMES.includes(key)) problems.push(`${path}: unknown field "${key}"`)
  if (!(OPTIMIZER_TYPES as readonly unknown[]).includes(c.type)) {
    problems.push(`${path}.type must be one of ${OPTIMIZER_TYPES.map((t) => JSON.stringify(t)).join(', ')}, got ${show(c.type)}`)
  }
  if (!isFiniteNumber(c.lr) || c.lr <= 0) problems.push(`${path}.lr must be a positive number, got ${show(c.lr)}`)
  for (const key of ['momentum', 'beta1', 'beta2', 'alpha']) {
    const v = c[key]
    if (v !== undefined && (!isFiniteNumber(v) || v < 0 || v >= 1)) problems.push(`${path}.${key} must be a number in [0, 1), got ${show(v)}`)
  }
  if (c.eps !== undefined && (!isFiniteNumber(c.eps) || c.eps <= 0)) problems.push(`${path}.eps must be a positive number, got ${show(c.eps)}`)
  if (c.weightDecay !== undefined && (!isFiniteNumber(c.weightDecay) || c.weightDecay < 0)) {
    problems.push(`${path}.weightDecay must be a number >= 0, got ${show(c.weightDecay)}`)
  }
  if (c.decayAll !== undefined && typeof c.decayAll !== 'boolean') problems.push(`${path}.decayAll must be true or false, got ${show(c.decayAll)}`)
  return problems
}

export function createOptimizer(config: OptimizerConfig, params: readonly OptimizerParam[], options: OptimizerOptions = {}): Optimizer {
  const problems = validateOptimizerConfig(config)
  if (problems.length) throw new Error(`invalid optimizer config: ${problems.join('; ')}`)
  const resolved = Object.freeze(resolveOptimizerConfig(config))
  return new RuleOptimizer(resolved, params, createRule(resolved), options)
}

function createRule(c: ResolvedOptimizerConfig): UpdateRule {
  switch (c.type) {
    case 'sgd':
      return createSgdRule()
    case 'momentum':
      return createMomentumRule(c.momentum)
    case 'nesterov':
      return createNesterovRule(c.momentum)
    case 'adagrad':
      return createAdagradRule(c.eps)
    case 'rmsprop':
      return createRmspropRule(c.alpha, c.eps)
    case 'adam':
      return createAdamRule(c.beta1, c.beta2, c.eps, false)
    case 'adamw':
      return createAdamRule(c.beta1, c.beta2, c.eps, true)
  }
}

interface Entry {
  name: string
  value: Tensor
  grad: Tensor
  /** Weight decay for this parameter: the config's, or 0 when it does not apply. */
  decay: number
  /** Allocated once, same dtype as the parameter (torch keeps its state in the parameter's dtype). */
  slots: FloatArray[]
}

class RuleOptimizer implements Optimizer {
  lr: number
  private steps = 0
  private readonly entries: Entry[]
  private readonly ctx: StepContext

  constructor(
    readonly config: ResolvedOptimizerConfig,
    params: readonly OptimizerParam[],
    private readonly rule: UpdateRule,
    options: OptimizerOptions
  ) {
    this.lr = config.lr
    this.ctx = { lr: 0, step: 0, kernels: options.kernels ?? jsKernels }
    const alloc = options.allocator
    const seen = new Set<string>()
    this.entries = params.map((p) => {
      if (seen.has(p.name)) throw new Error(`optimizer: parameter ${p.name} is listed twice`)
      seen.add(p.name)
      const n = p.value.data.length
      if (p.grad.data.length !== n) throw new Error(`optimizer: parameter ${p.name} has ${n} values but its gradient has ${p.grad.data.length}`)
      const decay = p.decay || config.decayAll ? config.weightDecay : 0
      const slots = rule.slotNames.map(() => slotLike(p.value.data, n, alloc))
      return { name: p.name, value: p.value, grad: p.grad, decay, slots }
    })
  }

  get stepCount(): number {
    return this.steps
  }

  step(): void {
    this.steps++
    this.ctx.lr = this.lr
    this.ctx.step = this.steps
    const entries = this.entries
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]
      this.rule.update(e.value.data, e.grad.data, e.slots, e.decay, this.ctx)
    }
  }

  state(): OptimizerState {
    const slots: OptimizerState['slots'] = {}
    for (const e of this.entries) {
      const record: Record<string, FloatArray> = {}
      // slice(): a copy with its own buffer (the slots may live in the kernels' WebAssembly memory).
      this.rule.slotNames.forEach((slot, j) => (record[slot] = e.slots[j].slice()))
      slots[e.name] = record
    }
    return { type: this.config.type, step: this.steps, lr: this.lr, slots }
  }

  loadState(s: OptimizerState): void {
    const problems = this.checkState(s)
    if (problems.length) throw new Error(`optimizer state does not fit this optimizer: ${problems.join('; ')}`)
    for (const e of this.entries) {
      this.rule.slotNames.forEach((slot, j) => e.slots[j].set(s.slots[e.name][slot]))
    }
    this.steps = s.step
    this.lr = s.lr
  }

  private checkState(s: unknown): string[] {
    if (typeof s !== 'object' || s === null) return [`expected an object, got ${show(s)}`]
    const state = s as Record<string, unknown>
    const problems: string[] = []
    if (state.type !== this.config.type) problems.push(`it was saved by ${show(state.type)}, this optimizer is "${this.config.type}"`)
    if (!isFiniteNumber(state.step) || !Number.isInteger(state.step) || state.step < 0) problems.push(`step must be a whole number >= 0, got ${show(state.step)}`)
    if (!isFiniteNumber(state.lr) || state.lr < 0) problems.push(`lr must be a number >= 0, got ${show(state.lr)}`)
    const slots = state.slots
    if (typeof slots !== 'object' || slots === null) return [...problems, `slots must be an object, got ${show(slots)}`]
    const bySlot = slots as Record<string, unknown>
    const names = new Set(this.entries.map((e) => e.name))
    for (const name of Object.keys(bySlot)) if (!names.has(name)) problems.push(`unknown parameter ${name}`)
    for (const e of this.entries) problems.push(...this.checkEntry(e, bySlot[e.name]))
    return problems
  }

  private checkEntry(e: Entry, record: unknown): string[] {
    if (typeof record !== 'object' || record === null) return [`missing parameter ${e.name}`]
    const slots = record as Record<string, unknown>
    const problems: string[] = []
    for (const key of Object.keys(slots)) if (!this.rule.slotNames.includes(key)) problems.push(`${e.name}: unknown slot ${key}`)
    const n = e.value.data.length
    for (const slot of this.rule.slotNames) {
      const values = slots[slot]
      if (!Array.isArray(values) && !(values instanceof Float32Array) && !(values instanceof Float64Array)) problems.push(`${e.name}.${slot} is missing`)
      else if (values.length !== n) problems.push(`${e.name}.${slot} has ${values.length} values, expected ${n}`)
      else if (Array.isArray(values)) {
        const bad = values.findIndex((v) => typeof v !== 'number')
        if (bad >= 0) problems.push(`${e.name}.${slot}[${bad}] is ${show(values[bad])}, not a number`)
      }
    }
    return problems
  }
}

/** A zeroed array of the parameter's dtype, from the allocator when it has that dtype. */
function slotLike(like: FloatArray, n: number, alloc: Allocator | undefined): FloatArray {
  const f64 = like instanceof Float64Array
  if (alloc && (alloc.dtype === 'float64') === f64) return alloc.alloc(n).fill(0)
  return f64 ? new Float64Array(n) : new Float32Array(n)
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v)
}
