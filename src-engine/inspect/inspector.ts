/**
 * The inspector's work, without its process: forward passes that keep every layer's output, and
 * validation samples, for runs described by their spec, training config and weights. It rebuilds a
 * run's validation split and input normalization exactly as the trainer did (same split seed, same
 * normalizer fit), and caches a few models and data splits, since the views ask again and again.
 */
import type { Dataset } from '../data/dataset'
import { applyNormalizer, type Normalizer } from '../data/normalize'
import { createNetwork, type Network } from '../network'
import { fitRunNormalizer, prepareTrainData } from '../train/prepare-data'
import type { TrainConfig } from '../train/train-config'
import type { ForwardResult, InspectorInput, InspectorModel, SamplesResult } from './inspector-protocol'

/** Loads a dataset by id and checks its content hash when one is given. */
export type DatasetLoader = (id: string, hash: string | undefined) => Promise<Dataset>

interface RunData {
  validation: Dataset | null
  normalizer: Normalizer
}

const MODEL_CACHE = 6
const DATA_CACHE = 3

export class Inspector {
  private readonly models = new Map<string, { network: Network; training: TrainConfig }>()
  private readonly data = new Map<string, Promise<RunData>>()

  constructor(private readonly loadDataset: DatasetLoader) {}

  hasModel(key: string): boolean {
    return this.models.has(key)
  }

  addModel(model: InspectorModel): void {
    const network = createNetwork(model.network)
    try {
      network.loadStateDict(model.weights)
    } catch (err) {
      throw new Error(`inspector: the weights do not fit the run's network: ${(err as Error).message}`)
    }
    remember(this.models, model.key, { network, training: model.training }, MODEL_CACHE)
  }

  async forward(modelKey: string, input: InspectorInput): Promise<ForwardResult> {
    const model = this.models.get(modelKey)
    if (!model) throw new Error(`inspector: no model ${modelKey}`)
    const { network, training } = model
    const shape = network.inputShape
    const size = shape.reduce((a, b) => a * b, 1)
    const data = await this.runData(training)
    let raw: Float32Array
    let label: number | undefined
    if (input.kind === 'sample') {
      const val = requireValidation(data, training)
      checkIndex(input.index, val.size)
      raw = val.images.subarray(input.index * size, (input.index + 1) * size)
      label = val.labels[input.index]
    } else {
      if (input.pixels.length !== size) {
        throw new Error(`inspector: the input has ${input.pixels.length} values, but the network takes ${shape.join('×')} = ${size}`)
      }
      raw = Float32Array.from(input.pixels)
    }
    const x = new Float32Array(size)
    applyNormalizer(data.normalizer, raw, 0, x, 0, 1, shape as [number, number, number])
    const outputs = network.trace({ shape: [1, ...shape], data: x })
    const last = outputs[outputs.length - 1].data
    const probabilities = training.loss === 'cross_entropy' && !network.endsWithSoftmax ? softmax(last) : Array.from(last)
    const scoreKind = training.loss === 'cross_entropy' || network.endsWithSoftmax ? 'probability' : 'output'
    return {
      input: Array.from(x),
      inputShape: [...shape],
      layers: outputs.map((t, i) => ({ layer: i, type: network.spec.layers[i].type, shape: t.shape.slice(1), values: Array.from(t.data) })),
      scores: probabilities,
      predicted: argmax(probabilities),
      scoreKind,
      ...(label !== undefined ? { label } : {})
    }
  }

  async samples(training: TrainConfig, indices: number[]): Promise<SamplesResult> {
    const val = requireValidation(await this.runData(training), training)
    const [c, h, w] = val.inputShape
    const size = c * h * w
    return {
      shape: [c, h, w],
      samples: indices.map((index) => {
        checkIndex(index, val.size)
        return { index, label: val.labels[index], pixels: Array.from(val.images.subarray(index * size, (index + 1) * size)) }
      })
    }
  }

  /** The run's validation split and normalizer, rebuilt as the trainer built them. */
  private runData(training: TrainConfig): Promise<RunData> {
    const key = JSON.stringify([training.dataset, training.normalization ?? null])
    const cached = this.data.get(key)
    if (cached) return cached
    const loading = this.loadDataset(training.dataset.id, training.dataset.hash).then((dataset) => {
      const split = prepareTrainData(dataset, training.dataset)
      return { validation: split.validation, normalizer: fitRunNormalizer(training, split.train) }
    })
    // A failed load is not cached: the next request tries again (the file may have been restored).
    loading.catch(() => this.data.delete(key))
    remember(this.data, key, loading, DATA_CACHE)
    return loading
  }
}

function requireValidation(data: RunData, training: TrainConfig): Dataset {
  if (!data.validation) throw new Error(`inspector: the run has no validation split (dataset ${training.dataset.id}, validationSize 0)`)
  return data.validation
}

function checkIndex(index: number, size: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new Error(`inspector: validation sample ${index} does not exist (the split has ${size} samples, 0..${size - 1})`)
  }
}

/** Least-recently-inserted eviction, refreshed on insert. */
function remember<V>(map: Map<string, V>, key: string, value: V, capacity: number): void {
  map.delete(key)
  map.set(key, value)
  while (map.size > capacity) map.delete(map.keys().next().value as string)
}

function softmax(z: ArrayLike<number>): number[] {
  let max = -Infinity
  for (let i = 0; i < z.length; i++) max = Math.max(max, z[i])
  const e = Array.from(z, (v) => Math.exp(v - max))
  const sum = e.reduce((a, b) => a + b, 0)
  return e.map((v) => v / sum)
}

function argmax(v: number[]): number {
  let best = 0
  for (let i = 1; i < v.length; i++) if (v[i] > v[best]) best = i
  return best
}
