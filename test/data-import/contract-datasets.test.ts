import { describe, expect, it } from 'vitest'
import { validateRequest } from '../../src-main/contract/validate'
import { validateTrainConfig } from '../../src-engine/train/train-config'

describe('dataset channels: request validation', () => {
  it('accepts well-formed requests as typed values', () => {
    expect(validateRequest('datasets:import', { format: 'csv', path: '/a.csv', header: false, classes: ['x', 'y'], testPath: '/b.csv' })).toEqual({
      format: 'csv',
      path: '/a.csv',
      header: false,
      classes: ['x', 'y'],
      testPath: '/b.csv'
    })
    expect(validateRequest('datasets:import', { format: 'image-folder', path: '/p', size: 32, channels: 3, title: 'Pets' })).toEqual({
      format: 'image-folder',
      path: '/p',
      size: 32,
      channels: 3,
      title: 'Pets'
    })
    expect(validateRequest('datasets:samples', { id: 'abc', perClass: 8 })).toEqual({ id: 'abc', perClass: 8 })
    expect(validateRequest('datasets:download', { name: 'fashion-mnist', mirror: 'http://127.0.0.1:1/' })).toEqual({ name: 'fashion-mnist', mirror: 'http://127.0.0.1:1/' })
    expect(validateRequest('datasets:preview', { path: '/p', perClass: 4 })).toEqual({ path: '/p', perClass: 4 })
  })

  it('refuses bad requests naming the field', () => {
    const bad: [Parameters<typeof validateRequest>[0], unknown, RegExp][] = [
      ['datasets:import', { format: 'idx' }, /path must be a string/],
      ['datasets:import', { format: 'zip', path: '/x' }, /format must be one of idx, image-folder, csv, cifar10/],
      ['datasets:import', { format: 'image-folder', path: '/x', size: 2 }, /size must be an integer in \[4, 512\]/],
      ['datasets:import', { format: 'csv', path: '/x', header: 'yes' }, /header must be true or false/],
      ['datasets:import', { format: 'csv', path: '/x', classes: ['a', ''] }, /classes\[1\] must be a non-empty string/],
      ['datasets:import', { format: 'csv', path: '/x', extra: 1 }, /unknown field "extra"/],
      ['datasets:samples', { id: 'abc', perClass: 0 }, /perClass must be an integer in \[1, 64\]/],
      ['datasets:remove', {}, /id must be a string/],
      ['datasets:download', { name: 'mnist', mirror: 'file:///etc/' }, /mirror must be an http:\/\/ or https:\/\/ URL/]
    ]
    for (const [channel, raw, message] of bad) {
      expect(() => validateRequest(channel, raw), `${channel} ${JSON.stringify(raw)}`).toThrow(message)
    }
  })

  it('training.dataset.hash must be a SHA-256 when given', () => {
    const base = { version: 1, epochs: 1, batchSize: 8, optimizer: { type: 'sgd', lr: 0.1 }, loss: 'cross_entropy', seed: 1 }
    expect(validateTrainConfig({ ...base, dataset: { id: 'shapes', hash: 'a'.repeat(64), title: 'Shapes' } })).toEqual([])
    expect(validateTrainConfig({ ...base, dataset: { id: 'shapes', hash: 'xyz' } })).toEqual(['training.dataset.hash must be 64 lowercase hex digits (SHA-256), got "xyz"'])
  })
})
