/**
 * "Look inside a model": what the inspect:* channels answer. Types only (no Node imports): shared by the
 * inspector service, the contract and the renderer.
 *
 * What is recorded while a run trains (at every epoch end, when the run has a validation split):
 * a confusion matrix, every validation sample's top-k classes and probabilities, histograms of every
 * parameter and of its gradient (the epoch's last step), and a copy of the weights — so any epoch can be
 * looked at afterwards. Forward passes for these views (feature maps, drawn digits, sample pixels) run
 * in an inspector process, never in the main process.
 */

/** Which weights a view uses: an epoch's snapshot (0-based epoch), or the run's final or best weights. */
export type WeightsChoice = { epoch: number } | 'final' | 'best'

export interface InspectOverview {
  runId: number
  /** 0-based epochs with a recorded insight, ascending. Empty for runs trained before this was recorded. */
  epochs: number[]
  /**
   * 0-based epochs whose weights are kept, ascending: every recorded epoch up to 32 of them (fewer for a
   * big model), then evenly spaced ones plus the newest (src-main/store/weight-snapshots.ts). A subset of `epochs`.
   */
  weightEpochs: number[]
  classes: string[]
  /** [channels, height, width] of one input sample. */
  inputShape: number[]
  validationSize: number
  /** Whether final / best weights exist (artifacts of a finished run). */
  hasFinal: boolean
  hasBest: boolean
  /** 'probability' when the network ends in softmax; 'output' when the scores are raw network outputs. */
  scoreKind: 'probability' | 'output'
}

export interface ConfusionMatrix {
  epoch: number
  classes: string[]
  /** counts[t][p]: validation samples of true class t predicted as p. Sums to `total`. */
  counts: number[][]
  total: number
  /** Correct / total (the trace over the sum), equal to the epoch's validation accuracy. */
  accuracy: number
  /** Per true class: correct / samples of that class (null for a class without samples). */
  perClassAccuracy: (number | null)[]
}

/** One validation sample as a view shows it. */
export interface InspectSample {
  /** Index within the run's validation split. */
  index: number
  label: number
  predicted: number
  /** The k best classes, most likely first. */
  top: { label: number; score: number }[]
  /** Raw pixels, CHW, 0..255. */
  pixels: number[]
}

export type SampleFilter =
  /** Misclassified samples, most confident mistake first. */
  | { kind: 'mistakes' }
  /** One cell of the confusion matrix (true t predicted p; the diagonal gives correct samples), most confident first. */
  | { kind: 'cell'; trueLabel: number; predicted: number }

export interface SamplesRequest {
  runId: number
  epoch: number
  filter: SampleFilter
  offset?: number
  /** Default 48, at most 500. */
  limit?: number
}

export interface SamplesPage {
  epoch: number
  shape: number[]
  classes: string[]
  /** Samples matching the filter (before paging). */
  total: number
  samples: InspectSample[]
}

/** One conv layer's kernels: weights[o][i][kh][kw] flattened (PyTorch order). */
export interface FilterBank {
  /** Index of the layer in the network spec. */
  layer: number
  name: string
  outChannels: number
  inChannels: number
  kernelH: number
  kernelW: number
  weights: number[]
  /** Largest |w| over the bank (for a symmetric colour scale). */
  maxAbs: number
}

export interface FiltersResponse {
  weights: WeightsChoice
  banks: FilterBank[]
}

export type ForwardInput =
  /** A validation sample of the run, by index. */
  | { kind: 'sample'; index: number }
  /** Raw pixels shaped like the dataset's samples (CHW, 0..255), e.g. a drawn digit after preprocessing. */
  | { kind: 'pixels'; pixels: number[] }

export interface ForwardRequest {
  runId: number
  weights: WeightsChoice
  input: ForwardInput
}

/** The activation after one layer, for one sample. */
export interface LayerActivation {
  layer: number
  type: string
  /** Per-sample output shape: [C, H, W] for maps, [features] for vectors. */
  shape: number[]
  values: number[]
}

export interface ForwardResponse {
  /** The network's input after the run's normalization, CHW. */
  input: number[]
  inputShape: number[]
  layers: LayerActivation[]
  /** Scores per class (softmax probabilities when scoreKind is 'probability'). */
  scores: number[]
  predicted: number
  classes: string[]
  scoreKind: 'probability' | 'output'
  /** For a validation sample: its true label. */
  label?: number
}

export interface Histogram {
  min: number
  max: number
  mean: number
  std: number
  /** Equal-width bins over [min, max]. */
  counts: number[]
}

export interface ParameterHistory {
  /** State-dict name, e.g. "0.weight". */
  name: string
  layer: number
  layerType: string
  /** One entry per recorded epoch, ascending. */
  epochs: { epoch: number; weights: Histogram; gradients: Histogram }[]
}

export interface HistogramsResponse {
  parameters: ParameterHistory[]
}
