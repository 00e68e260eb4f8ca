import { createRng } from '../core/rng'
import { splitDataset, type Dataset } from '../data/dataset'
import type { DatasetChoice, TrainConfig } from './train-config'
import { fitNormalizer, type Normalizer } from '../data/normalize'
import type { TrainData } from './trainer'

/**
 * Splits a loaded dataset as a run's config asks: a seeded validation hold-out (default 20%), then an
 * optional training subset. The split seed is separate from the run's seed, so runs that differ only in
 * their training seed (or in a regularizer) see exactly the same data.
 */
export function prepareTrainData(dataset: Dataset, choice: DatasetChoice): TrainData {
  const validationSize = choice.validationSize ?? Math.round(dataset.size * 0.2)
  const split = splitDataset(
    dataset,
    { validationSize, trainSize: choice.trainSize, stratified: choice.stratified ?? true },
    createRng(choice.splitSeed ?? 0)
  )
  return { train: split.train, validation: validationSize > 0 ? split.validation : null }
}

/** The input normalization a run fits on its training split (what the trainer and the inspector use). */
export function fitRunNormalizer(config: Pick<TrainConfig, 'normalization'>, train: Dataset): Normalizer {
  return fitNormalizer(config.normalization ?? { kind: 'minmax', range: [0, 1] }, train.images, train.inputShape)
}
