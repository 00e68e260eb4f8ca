/** LeNet-5 as a person builds it in the editor: each layer dragged in, then its form's fields filled. */
export const LENET5_STEPS: [type: string, fields: Record<string, string>][] = [
  ['conv2d', { filters: '6', kernel: '5', padding: '2' }],
  ['relu', {}],
  ['maxpool2d', { size: '2' }],
  ['conv2d', { filters: '16', kernel: '5' }],
  ['relu', {}],
  ['maxpool2d', { size: '2' }],
  ['flatten', {}],
  ['dense', { units: '120' }],
  ['relu', {}],
  ['dense', { units: '84' }],
  ['relu', {}],
  ['dense', { units: '10' }],
  ['softmax', {}]
]
