import type { FloatArray } from '../core/tensor'
import type { Rng } from '../core/rng'

/**
 * Weight initializers, with PyTorch's formulas (torch.nn.init):
 *   Xavier/Glorot  std = √(2 / (fanIn + fanOut))      uniform bound = √(6 / (fanIn + fanOut))
 *   He/Kaiming     std = √2 / √fanIn  (ReLU gain)      uniform bound = √2 · √(3 / fanIn)
 *   LeCun          std = 1 / √fanIn                    uniform bound = √(3 / fanIn)
 * fanIn = inC·k·k for a conv, in for a dense layer; fanOut = outC·k·k or out.
 */
export type ConcreteInitializer = 'xavier_uniform' | 'xavier_normal' | 'he_uniform' | 'he_normal' | 'lecun_uniform' | 'lecun_normal' | 'zeros'

export interface InitStatistics {
  /** 'uniform' draws from [-bound, bound]; 'normal' from N(0, std²); 'constant' fills with value. */
  distribution: 'uniform' | 'normal' | 'constant'
  std: number
  bound: number
  value: number
}

export function initStatistics(name: ConcreteInitializer, fanIn: number, fanOut: number): InitStatistics {
  const uniform = (bound: number): InitStatistics => ({ distribution: 'uniform', bound, std: bound / Math.sqrt(3), value: 0 })
  const normal = (std: number): InitStatistics => ({ distribution: 'normal', std, bound: Infinity, value: 0 })
  switch (name) {
    case 'xavier_uniform':
      return uniform(Math.sqrt(6 / (fanIn + fanOut)))
    case 'xavier_normal':
      return normal(Math.sqrt(2 / (fanIn + fanOut)))
    case 'he_uniform':
      return uniform(Math.SQRT2 * Math.sqrt(3 / fanIn))
    case 'he_normal':
      return normal(Math.SQRT2 / Math.sqrt(fanIn))
    case 'lecun_uniform':
      return uniform(Math.sqrt(3 / fanIn))
    case 'lecun_normal':
      return normal(1 / Math.sqrt(fanIn))
    case 'zeros':
      return constantStatistics(0)
  }
}

export function constantStatistics(value: number): InitStatistics {
  return { distribution: 'constant', std: 0, bound: 0, value }
}

/** Fills `data` according to the statistics, drawing from the run's RNG. */
export function fillFromStatistics(data: FloatArray, stats: InitStatistics, rng: Rng): void {
  const n = data.length
  if (stats.distribution === 'constant') {
    data.fill(stats.value)
  } else if (stats.distribution === 'uniform') {
    for (let i = 0; i < n; i++) data[i] = (2 * rng.nextFloat() - 1) * stats.bound
  } else {
    for (let i = 0; i < n; i++) data[i] = rng.nextNormal() * stats.std
  }
}

export function initialize(data: FloatArray, name: ConcreteInitializer, fanIn: number, fanOut: number, rng: Rng): void {
  fillFromStatistics(data, initStatistics(name, fanIn, fanOut), rng)
}

export function fillConstant(data: FloatArray, value: number): void {
  data.fill(value)
}
