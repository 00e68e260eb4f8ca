import type { NetworkSpec } from '../../src-engine/spec/network-spec'

export type LayerCase = { name: string; input: number[]; layers: NetworkSpec['layers'] }

/** Each layer type alone (plus the flatten a dense needs), with its non-default options too. */
export const CASES: LayerCase[] = [
  { name: 'conv2d valid', input: [2, 7, 6], layers: [{ type: 'conv2d', filters: 3, kernel: 3 }] },
  { name: 'conv2d same stride 2 (asymmetric pad)', input: [2, 8, 7], layers: [{ type: 'conv2d', filters: 4, kernel: 4, stride: 2, padding: 'same' }] },
  { name: 'conv2d pad 2 no bias', input: [3, 5, 5], layers: [{ type: 'conv2d', filters: 2, kernel: 3, padding: 2, bias: false }] },
  { name: 'maxpool2d', input: [2, 6, 6], layers: [{ type: 'maxpool2d', size: 2 }] },
  { name: 'maxpool2d size 3 stride 2 pad 1', input: [2, 7, 6], layers: [{ type: 'maxpool2d', size: 3, stride: 2, padding: 1 }] },
  { name: 'avgpool2d', input: [2, 6, 6], layers: [{ type: 'avgpool2d', size: 2 }] },
  { name: 'avgpool2d size 3 stride 2 pad 1 (padding counted)', input: [2, 7, 6], layers: [{ type: 'avgpool2d', size: 3, stride: 2, padding: 1 }] },
  { name: 'global_avgpool', input: [3, 4, 5], layers: [{ type: 'global_avgpool' }] },
  { name: 'dense', input: [6], layers: [{ type: 'dense', units: 4 }] },
  { name: 'dense no bias', input: [6], layers: [{ type: 'dense', units: 3, bias: false }] },
  { name: 'flatten', input: [2, 3, 4], layers: [{ type: 'flatten' }] },
  { name: 'sigmoid', input: [2, 3, 3], layers: [{ type: 'sigmoid' }] },
  { name: 'tanh', input: [5], layers: [{ type: 'tanh' }] },
  { name: 'relu', input: [2, 3, 3], layers: [{ type: 'relu' }] },
  { name: 'leaky_relu', input: [2, 3, 3], layers: [{ type: 'leaky_relu', slope: 0.2 }] },
  { name: 'elu', input: [2, 3, 3], layers: [{ type: 'elu', alpha: 0.7 }] },
  { name: 'swish', input: [2, 3, 3], layers: [{ type: 'swish' }] },
  { name: 'mish', input: [2, 3, 3], layers: [{ type: 'mish' }] },
  { name: 'frelu', input: [3, 5, 4], layers: [{ type: 'frelu' }] },
  { name: 'softmax over features', input: [6], layers: [{ type: 'softmax' }] },
  { name: 'softmax over channels', input: [4, 3, 2], layers: [{ type: 'softmax' }] },
  { name: 'identity', input: [2, 3, 3], layers: [{ type: 'identity' }] },
  { name: 'dropout (eval)', input: [2, 3, 3], layers: [{ type: 'dropout', rate: 0.5 }] },
  { name: 'batchnorm 2d', input: [3, 4, 4], layers: [{ type: 'batchnorm', eps: 1e-3 }] },
  { name: 'batchnorm 1d', input: [5], layers: [{ type: 'batchnorm' }] },
  { name: 'layernorm image', input: [2, 3, 4], layers: [{ type: 'layernorm', eps: 1e-4 }] },
  { name: 'layernorm vector', input: [7], layers: [{ type: 'layernorm' }] },
  { name: 'instancenorm', input: [3, 4, 5], layers: [{ type: 'instancenorm' }] },
  { name: 'groupnorm image', input: [6, 3, 4], layers: [{ type: 'groupnorm', groups: 3 }] },
  { name: 'groupnorm vector', input: [8], layers: [{ type: 'groupnorm', groups: 2, eps: 1e-3 }] }
]
