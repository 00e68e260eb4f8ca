/**
 * What a new study can start from (the example experiments, or the network in the editor) and the study
 * kinds in one line each.
 */
import type { NetworkSpec } from '../../../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../../../src-engine/train/train-config'
import type { StudyKind } from '../../../../src-main/studies/study-types'
import lenet5 from '../../../../examples/lenet5.json'
import mlp from '../../../../examples/mlp.json'
import smallVgg from '../../../../examples/small-vgg.json'
import overfitMe from '../../../../examples/overfit-me.json'
import shapesQuick from '../../../../examples/shapes-quick.json'

export interface StudyBase {
  network: NetworkSpec
  training: TrainConfig
}

export interface StudyPreset {
  id: string
  title: string
  base: StudyBase
}

// The JSON files hold valid experiments (the engine tests train them); their inferred JSON types are wider.
const asBase = (e: { network: unknown; training: unknown }): StudyBase => ({ network: e.network as NetworkSpec, training: e.training as TrainConfig })

export const STUDY_PRESETS: StudyPreset[] = [
  { id: 'lenet5', title: 'LeNet-5 on digits', base: asBase(lenet5) },
  { id: 'mlp', title: 'MLP on digits', base: asBase(mlp) },
  { id: 'small-vgg', title: 'Small VGG on digits', base: asBase(smallVgg) },
  { id: 'overfit-me', title: '"Overfit me" (500 digits, 60 epochs)', base: asBase(overfitMe) },
  { id: 'shapes-quick', title: 'Shapes quick (16×16 shapes, seconds per run)', base: asBase(shapesQuick) }
]

export const EDITOR_BASE_ID = 'editor'

export const KIND_INFO: { kind: StudyKind; title: string; explain: string }[] = [
  { kind: 'regularization', title: 'Regularization', explain: 'No regularizer, then weight decay, dropout, batch norm, augmentation and early stopping one at a time, then all together.' },
  { kind: 'training-size', title: 'Training-set size', explain: 'The same network on growing subsets of the data: how much more data closes the gap.' },
  { kind: 'optimizer', title: 'Optimizers', explain: 'SGD, Momentum, NAG, AdaGrad, RMSProp and Adam, each at a learning rate that suits it.' },
  { kind: 'init-activation', title: 'Initialization × activation', explain: 'Sigmoid, tanh and ReLU, each with Xavier and with He initialization.' },
  { kind: 'normalization', title: 'Normalization', explain: 'No normalization, then batch, layer, instance and group norm after each convolution.' },
  { kind: 'grid', title: 'Grid sweep', explain: 'Every combination of the values you list for chosen training settings (e.g. optimizer.lr × batchSize).' }
]

/** Config paths offered in the grid editor (any dotted path into the training config works). */
export const GRID_PATH_SUGGESTIONS = ['optimizer.lr', 'optimizer.weightDecay', 'optimizer.type', 'optimizer.momentum', 'batchSize', 'epochs', 'dataset.trainSize', 'augmentation.shift', 'seed']

/**
 * A training config for the editor's network when the editor has none: the digits recipe for 28×28
 * single-channel inputs, the shapes recipe for 16×16, else null (the user picks a preset instead).
 */
export function defaultTrainingFor(network: NetworkSpec): TrainConfig | null {
  const [c, h, w] = network.input.shape
  if (c === 1 && h === 28 && w === 28) return structuredClone(asBase(lenet5).training)
  if (c === 1 && h === 16 && w === 16) return structuredClone(asBase(shapesQuick).training)
  return null
}
