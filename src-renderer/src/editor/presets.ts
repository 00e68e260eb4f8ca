/** The bundled example experiments as editor presets: each opens its network and sets its training recipe as the launch default. */
import lenet5 from '../../../examples/lenet5.json'
import mlp from '../../../examples/mlp.json'
import smallVgg from '../../../examples/small-vgg.json'
import overfitMe from '../../../examples/overfit-me.json'
import type { NetworkSpec } from '../../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../../src-engine/train/train-config'

export interface Preset {
  id: string
  title: string
  description: string
  network: NetworkSpec
  training: TrainConfig
}

interface ExperimentFile {
  network: unknown
  training: unknown
}

// JSON imports are typed structurally (type: string); the examples are validated by the engine's tests and by ours.
function preset(id: string, description: string, file: ExperimentFile): Preset {
  const network = file.network as NetworkSpec
  return { id, title: network.name ?? id, description, network, training: file.training as TrainConfig }
}

export const PRESETS: readonly Preset[] = [
  preset('lenet5', 'Two convolutions and three dense layers: the classic digit reader.', lenet5),
  preset('mlp', 'Flatten and dense layers only: no convolutions.', mlp),
  preset('small-vgg', 'Pairs of 3×3 convolutions between poolings, then two dense layers.', smallVgg),
  preset('overfit-me', 'A big network on 500 images for many epochs: watch validation fall behind.', overfitMe)
]

export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id)
}
