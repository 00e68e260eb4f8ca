import { describe, it, expect } from 'vitest'
import type { Tensor } from '../../src-engine/core/tensor'
import {
  createOptimizer,
  OPTIMIZER_TYPES,
  resolveOptimizerConfig,
  validateOptimizerConfig,
  type OptimizerConfig,
  type OptimizerParam,
  type OptimizerType
} from '../../src-engine/optim/optimizer'

/**
 * A small quadratic L = ½ Σ aᵢ(wᵢ − cᵢ)² over two parameters: "0.weight" (3 values, decayed) and
 * "0.bias" (2 values, not decayed by default). ∇L = a(w − c).
 */
const A = [1, 2, 0.5, 3, 1.5]
const C = [1, -2, 0.5, 3, -1]
const W0 = [0.3, -0.7, 1.2, 0.1, -0.4]
const DECAYED = [true, true, true, false, false]
const STEPS = 12

interface Problem {
  params: OptimizerParam[]
  /** Writes ∇L at the current weights into the gradients. */
  computeGrads(): void
  /** All weights, flattened in order. */
  weights(): number[]
}

function makeProblem(dtype: 'float32' | 'float64', start: readonly number[] = W0): Problem {
  const make = (values: number[]): Tensor => ({ shape: [values.length], data: dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values) })
  const weight = { name: '0.weight', value: make(start.slice(0, 3)), grad: make([0, 0, 0]), decay: true }
  const bias = { name: '0.bias', value: make(start.slice(3)), grad: make([0, 0]), decay: false }
  const params = [weight, bias]
  const each = (f: (p: OptimizerParam, i: number, flat: number) => void): void => {
    let flat = 0
    for (const p of params) for (let i = 0; i < p.value.data.length; i++) f(p, i, flat++)
  }
  return {
    params,
    computeGrads: () => each((p, i, k) => (p.grad.data[i] = A[k] * (p.value.data[i] - C[k]))),
    weights: () => params.flatMap((p) => Array.from(p.value.data))
  }
}

/** The learning rate used at each step: changes mid-run, as a schedule would. */
function lrAt(base: number, step: number): number {
  return step < 6 ? base : base * 0.5
}

function runEngine(config: OptimizerConfig, steps = STEPS): number[][] {
  const problem = makeProblem('float64')
  const opt = createOptimizer(config, problem.params)
  const trajectory: number[][] = []
  for (let t = 0; t < steps; t++) {
    problem.computeGrads()
    opt.lr = lrAt(config.lr, t)
    opt.step()
    trajectory.push(problem.weights())
  }
  return trajectory
}

/**
 * Reference trajectories written directly from the torch.optim algorithms (PyTorch 1.13 docs),
 * one weight at a time, in plain float64.
 */
function runReference(config: OptimizerConfig, steps = STEPS): number[][] {
  const c = resolveOptimizerConfig(config)
  const w = W0.slice()
  const buf: (number | null)[] = w.map(() => null)
  const s = w.map(() => 0)
  const m = w.map(() => 0)
  const v = w.map(() => 0)
  const trajectory: number[][] = []
  for (let t = 1; t <= steps; t++) {
    const lr = lrAt(c.lr, t - 1)
    for (let i = 0; i < w.length; i++) {
      const lambda = DECAYED[i] || c.decayAll ? c.weightDecay : 0
      let g = A[i] * (w[i] - C[i])
      if (c.type === 'adamw') {
        w[i] = w[i] * (1 - lr * lambda)
      } else if (lambda !== 0) {
        g = g + lambda * w[i]
      }
      switch (c.type) {
        case 'sgd':
          w[i] = w[i] - lr * g
          break
        case 'momentum':
        case 'nesterov': {
          const b = buf[i] === null ? g : c.momentum * (buf[i] as number) + g
          buf[i] = b
          w[i] = w[i] - lr * (c.type === 'nesterov' ? g + c.momentum * b : b)
          break
        }
        case 'adagrad':
          s[i] = s[i] + g * g
          w[i] = w[i] - (lr * g) / (Math.sqrt(s[i]) + c.eps)
          break
        case 'rmsprop':
          s[i] = c.alpha * s[i] + (1 - c.alpha) * g * g
          w[i] = w[i] - (lr * g) / (Math.sqrt(s[i]) + c.eps)
          break
        case 'adam':
        case 'adamw': {
          m[i] = c.beta1 * m[i] + (1 - c.beta1) * g
          v[i] = c.beta2 * v[i] + (1 - c.beta2) * g * g
          const mHat = m[i] / (1 - c.beta1 ** t)
          const vHat = v[i] / (1 - c.beta2 ** t)
          // torch divides √v by √(1 − β₂ᵗ), i.e. √v̂, then adds ε.
          w[i] = w[i] - (lr * mHat) / (Math.sqrt(vHat) + c.eps)
          break
        }
      }
    }
    trajectory.push(w.slice())
  }
  return trajectory
}

function expectClose(actual: number[][], expected: number[][], rel = 1e-12): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((row, t) =>
    row.forEach((value, i) => {
      const e = expected[t][i]
      if (Math.abs(value - e) > rel * Math.max(1, Math.abs(e))) {
        throw new Error(`step ${t + 1}, weight ${i}: got ${value}, expected ${e}`)
      }
    })
  )
}

const LR: Record<OptimizerType, number> = { sgd: 0.1, momentum: 0.05, nesterov: 0.05, adagrad: 0.3, rmsprop: 0.01, adam: 0.05, adamw: 0.05 }

describe('optimizers follow the torch.optim update rules', () => {
  for (const type of OPTIMIZER_TYPES) {
    it(`${type} with default hyperparameters`, () => {
      const config: OptimizerConfig = { type, lr: LR[type] }
      expectClose(runEngine(config), runReference(config))
    })
    it(`${type} with weight decay (weights only) and non-default hyperparameters`, () => {
      const config: OptimizerConfig = { type, lr: LR[type], weightDecay: 0.1, momentum: 0.8, beta1: 0.8, beta2: 0.99, eps: 1e-6, alpha: 0.9 }
      expectClose(runEngine(config), runReference(config))
    })
    it(`${type} with weight decay on every parameter (decayAll)`, () => {
      const config: OptimizerConfig = { type, lr: LR[type], weightDecay: 0.05, decayAll: true }
      expectClose(runEngine(config), runReference(config))
    })
  }

  it('momentum: the buffer starts as the first gradient (v₁ = g₁), so the first step is plain SGD', () => {
    const a = runEngine({ type: 'momentum', lr: 0.05 }, 1)
    const b = runEngine({ type: 'sgd', lr: 0.05 }, 1)
    expect(a).toEqual(b)
  })

  it('nesterov: first step moves by lr·(1 + μ)·g', () => {
    const problem = makeProblem('float64')
    const opt = createOptimizer({ type: 'nesterov', lr: 0.1, momentum: 0.9 }, problem.params)
    problem.computeGrads()
    opt.step()
    problem.weights().forEach((w, i) => expect(w).toBeCloseTo(W0[i] - 0.1 * 1.9 * A[i] * (W0[i] - C[i]), 15))
  })

  it('adam: the first step moves every weight by about lr (bias correction)', () => {
    const problem = makeProblem('float64')
    const opt = createOptimizer({ type: 'adam', lr: 0.01 }, problem.params)
    problem.computeGrads()
    opt.step()
    problem.weights().forEach((w, i) => expect(Math.abs(w - W0[i])).toBeCloseTo(0.01, 8))
  })

  it('leaves the gradient tensors untouched (weight decay is not added in place)', () => {
    for (const type of OPTIMIZER_TYPES) {
      const problem = makeProblem('float64')
      const opt = createOptimizer({ type, lr: 0.1, weightDecay: 0.5, decayAll: true }, problem.params)
      problem.computeGrads()
      const before = problem.params.map((p) => Array.from(p.grad.data))
      opt.step()
      expect(problem.params.map((p) => Array.from(p.grad.data))).toEqual(before)
    }
  })
})

describe('weight decay selection', () => {
  for (const type of OPTIMIZER_TYPES) {
    it(`${type}: decay=false parameters are untouched by weight decay unless decayAll`, () => {
      for (const decayAll of [false, true]) {
        const problem = makeProblem('float64')
        const opt = createOptimizer({ type, lr: 0.1, weightDecay: 0.5, decayAll }, problem.params)
        // Zero gradients: only weight decay can move anything.
        for (let t = 0; t < 3; t++) opt.step()
        const [weight, bias] = problem.params
        weight.value.data.forEach((w, i) => expect(Math.abs(w)).toBeLessThan(Math.abs(W0[i])))
        const biasMoved = Array.from(bias.value.data).some((w, i) => w !== W0[3 + i])
        expect(biasMoved).toBe(decayAll)
      }
    })
  }

  it('adamw decays decoupled: W ← W·(1 − lr·λ) with zero gradients', () => {
    const problem = makeProblem('float64')
    const opt = createOptimizer({ type: 'adamw', lr: 0.1 }, problem.params)
    expect(opt.config.weightDecay).toBe(0.01)
    opt.step()
    Array.from(problem.params[0].value.data).forEach((w, i) => expect(w).toBe(W0[i] * (1 - 0.1 * 0.01)))
    expect(Array.from(problem.params[1].value.data)).toEqual(W0.slice(3))
  })
})

describe('non-finite gradients', () => {
  for (const type of OPTIMIZER_TYPES) {
    it(`${type}: a NaN gradient propagates into the weight (nothing is skipped)`, () => {
      const problem = makeProblem('float32')
      const opt = createOptimizer({ type, lr: 0.1 }, problem.params)
      problem.computeGrads()
      problem.params[0].grad.data[1] = NaN
      opt.step()
      expect(problem.params[0].value.data[1]).toBeNaN()
      expect(Number.isFinite(problem.params[0].value.data[0])).toBe(true)
    })
  }
})

describe('state() / loadState()', () => {
  for (const type of OPTIMIZER_TYPES) {
    it(`${type}: 5 steps + save/load into a fresh optimizer + 5 steps is bit-identical to 10 steps`, () => {
      const config: OptimizerConfig = { type, lr: LR[type], weightDecay: 0.01 }
      const straight = makeProblem('float32')
      const opt = createOptimizer(config, straight.params)
      for (let t = 0; t < 10; t++) {
        straight.computeGrads()
        opt.lr = lrAt(config.lr, t)
        opt.step()
      }

      const first = makeProblem('float32')
      const optA = createOptimizer(config, first.params)
      for (let t = 0; t < 5; t++) {
        first.computeGrads()
        optA.lr = lrAt(config.lr, t)
        optA.step()
      }
      // As posted between processes (typed slots), and through JSON as older checkpoints stored it (plain arrays).
      const typed = structuredClone(optA.state())
      const plain = JSON.parse(JSON.stringify(optA.state(), (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float32Array) : v)))
      for (const slot of Object.values(plain.slots['0.weight'])) expect(slot).toBeInstanceOf(Array)
      for (const saved of [typed, plain]) {
        expect(saved.step).toBe(5)
        const second = makeProblem('float32', first.weights())
        const optB = createOptimizer(config, second.params)
        optB.loadState(saved)
        expect(optB.stepCount).toBe(5)
        expect(optB.lr).toBe(optA.lr)
        for (let t = 5; t < 10; t++) {
          second.computeGrads()
          optB.lr = lrAt(config.lr, t)
          optB.step()
        }
        expect(second.weights()).toEqual(straight.weights())
        expect(optB.state()).toEqual(opt.state())
      }
    })
  }

  it('uses torch state names for the slots', () => {
    const names = (type: OptimizerType): string[] => {
      const problem = makeProblem('float64')
      return Object.keys(createOptimizer({ type, lr: 0.1 }, problem.params).state().slots['0.weight'])
    }
    expect(names('sgd')).toEqual([])
    expect(names('momentum')).toEqual(['momentum_buffer'])
    expect(names('nesterov')).toEqual(['momentum_buffer'])
    expect(names('adagrad')).toEqual(['sum'])
    expect(names('rmsprop')).toEqual(['square_avg'])
    expect(names('adam')).toEqual(['exp_avg', 'exp_avg_sq'])
    expect(names('adamw')).toEqual(['exp_avg', 'exp_avg_sq'])
  })

  it('rejects states that do not fit, with clear errors, and changes nothing', () => {
    const problem = makeProblem('float64')
    const opt = createOptimizer({ type: 'adam', lr: 0.1 }, problem.params)
    problem.computeGrads()
    opt.step()
    const good = opt.state()
    const fresh = createOptimizer({ type: 'adam', lr: 0.1 }, makeProblem('float64').params)
    const load = (s: unknown) => () => fresh.loadState(s as never)

    expect(load({ ...good, type: 'sgd' })).toThrow('it was saved by "sgd", this optimizer is "adam"')
    const { ['0.bias']: _bias, ...withoutBias } = good.slots
    expect(load({ ...good, slots: withoutBias })).toThrow('missing parameter 0.bias')
    expect(load({ ...good, slots: { ...good.slots, '9.weight': {} } })).toThrow('unknown parameter 9.weight')
    expect(load({ ...good, slots: { ...good.slots, '0.bias': { exp_avg: [1, 2, 3], exp_avg_sq: [0, 0] } } })).toThrow(
      '0.bias.exp_avg has 3 values, expected 2'
    )
    expect(load({ ...good, slots: { ...good.slots, '0.bias': { exp_avg: [0, 0] } } })).toThrow('0.bias.exp_avg_sq is missing')
    expect(load({ ...good, slots: { ...good.slots, '0.bias': { exp_avg: [0, null], exp_avg_sq: [0, 0] } } })).toThrow(
      '0.bias.exp_avg[1] is null, not a number'
    )
    expect(load({ ...good, step: -1 })).toThrow('step must be a whole number >= 0, got -1')
    expect(fresh.stepCount).toBe(0)
    expect(fresh.state().slots['0.weight'].exp_avg).toEqual(new Float64Array(3))
  })
})

describe('config', () => {
  it('fills the defaults of docs/engine.md', () => {
    expect(resolveOptimizerConfig({ type: 'adam', lr: 0.001 })).toEqual({
      type: 'adam', lr: 0.001, momentum: 0.9, beta1: 0.9, beta2: 0.999, eps: 1e-8, alpha: 0.99, weightDecay: 0, decayAll: false
    })
    expect(resolveOptimizerConfig({ type: 'adagrad', lr: 0.01 }).eps).toBe(1e-10)
    expect(resolveOptimizerConfig({ type: 'rmsprop', lr: 0.01 }).eps).toBe(1e-8)
    expect(resolveOptimizerConfig({ type: 'adamw', lr: 0.01 }).weightDecay).toBe(0.01)
    expect(resolveOptimizerConfig({ type: 'adamw', lr: 0.01, weightDecay: 0 }).weightDecay).toBe(0)
    expect(resolveOptimizerConfig({ type: 'momentum', lr: 0.01, momentum: 0.5 }).momentum).toBe(0.5)
  })

  it('accepts valid configs, including already-resolved ones', () => {
    expect(validateOptimizerConfig({ type: 'sgd', lr: 0.1 })).toEqual([])
    expect(validateOptimizerConfig(resolveOptimizerConfig({ type: 'adamw', lr: 0.001 }))).toEqual([])
  })

  it('reports each bad field by name', () => {
    expect(validateOptimizerConfig({ type: 'sgd', lr: -1 })).toEqual(['optimizer.lr must be a positive number, got -1'])
    expect(validateOptimizerConfig({ type: 'adam' })).toEqual(['optimizer.lr must be a positive number, got nothing'])
    expect(validateOptimizerConfig({ type: 'lbfgs', lr: 1 })).toEqual([
      'optimizer.type must be one of "sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "adamw", got "lbfgs"'
    ])
    expect(validateOptimizerConfig({ type: 'momentum', lr: 0.1, momentum: 1 })).toEqual(['optimizer.momentum must be a number in [0, 1), got 1'])
    expect(validateOptimizerConfig({ type: 'adam', lr: 0.1, beta1: -0.1, beta2: 1.5 })).toEqual([
      'optimizer.beta1 must be a number in [0, 1), got -0.1',
      'optimizer.beta2 must be a number in [0, 1), got 1.5'
    ])
    expect(validateOptimizerConfig({ type: 'rmsprop', lr: 0.1, alpha: '0.9' })).toEqual(['optimizer.alpha must be a number in [0, 1), got "0.9"'])
    expect(validateOptimizerConfig({ type: 'adam', lr: 0.1, eps: 0 })).toEqual(['optimizer.eps must be a positive number, got 0'])
    expect(validateOptimizerConfig({ type: 'sgd', lr: 0.1, weightDecay: -0.1 })).toEqual(['optimizer.weightDecay must be a number >= 0, got -0.1'])
    expect(validateOptimizerConfig({ type: 'sgd', lr: 0.1, decayAll: 1 })).toEqual(['optimizer.decayAll must be true or false, got 1'])
    expect(validateOptimizerConfig({ type: 'sgd', lr: 0.1, weight_decay: 0.1 })).toEqual(['optimizer: unknown field "weight_decay"'])
    expect(validateOptimizerConfig('adam')).toEqual(['optimizer must be an object like {"type": "adam", "lr": 0.001}, got "adam"'])
  })

  it('createOptimizer throws on an invalid config and on mismatched parameters', () => {
    const problem = makeProblem('float64')
    expect(() => createOptimizer({ type: 'sgd', lr: 0 }, problem.params)).toThrow('optimizer.lr must be a positive number, got 0')
    const dup = [problem.params[0], problem.params[0]]
    expect(() => createOptimizer({ type: 'sgd', lr: 0.1 }, dup)).toThrow('parameter 0.weight is listed twice')
    const bad: OptimizerParam = { name: 'x', value: { shape: [2], data: new Float64Array(2) }, grad: { shape: [3], data: new Float64Array(3) }, decay: true }
    expect(() => createOptimizer({ type: 'sgd', lr: 0.1 }, [bad])).toThrow('parameter x has 2 values but its gradient has 3')
  })

  it('keeps lr separate from config.lr and counts steps', () => {
    const problem = makeProblem('float64')
    const opt = createOptimizer({ type: 'sgd', lr: 0.1 }, problem.params)
    expect(opt.lr).toBe(0.1)
    opt.lr = 0.05
    opt.step()
    opt.step()
    expect(opt.config.lr).toBe(0.1)
    expect(opt.stepCount).toBe(2)
    expect(opt.state().lr).toBe(0.05)
  })

  it('keeps optimizer state in the parameters\' dtype', () => {
    const savedSlot = (dtype: 'float32' | 'float64'): number[] => {
      const problem = makeProblem(dtype)
      const opt = createOptimizer({ type: 'adam', lr: 0.1 }, problem.params)
      problem.computeGrads()
      opt.step()
      return Array.from(opt.state().slots['0.weight'].exp_avg_sq)
    }
    expect(savedSlot('float32').every((v) => Math.fround(v) === v)).toBe(true)
    expect(savedSlot('float64').some((v) => Math.fround(v) !== v)).toBe(true)
  })
})
