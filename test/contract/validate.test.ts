import { describe, expect, it } from 'vitest'
import { BadRequestError, validateRequest, validators } from '../../src-main/contract/validate'
import { WORKBENCH_CHANNELS } from '../../src-main/contract/workbench-api'
import { network, training } from '../runs/helpers'

function badRequest(fn: () => unknown): BadRequestError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(BadRequestError)
    const e = err as BadRequestError
    expect(e.name).toBe('BadRequest')
    expect(e.code).toBe('BadRequest')
    return e
  }
  throw new Error('expected a BadRequestError')
}

describe('validateRequest', () => {
  it('has a validator for every channel', () => {
    expect(Object.keys(validators).sort()).toEqual([...WORKBENCH_CHANNELS].sort())
  })

  it('accepts good payloads and returns them typed', () => {
    expect(validateRequest('runs:start', { network, training: training(1) })).toEqual({ network, training: training(1) })
    expect(validateRequest('runs:list', { status: ['completed', 'paused'], sortBy: 'hp:optimizer.lr', order: 'asc', limit: 10 })).toMatchObject({ limit: 10 })
    expect(validateRequest('runs:list', undefined)).toEqual({})
    expect(validateRequest('metrics:series', { runId: 3, name: 'loss', split: 'val', maxPoints: 100 })).toEqual({ runId: 3, name: 'loss', split: 'val', maxPoints: 100 })
    expect(validateRequest('runs:rerun', { runId: 1, newSeed: 7 })).toEqual({ runId: 1, newSeed: 7 })
  })

  it('names the channel and the field of a bad training config', () => {
    const e = badRequest(() => validateRequest('runs:start', { network, training: { ...training(1), batchSize: 0 } }))
    expect(e.message).toMatch(/^runs:start: training\.batchSize must be/)
    expect(e.field).toBe('training')
  })

  it('names the layer of a bad network spec', () => {
    const bad = { ...network, layers: [{ type: 'conv2d', filters: 4, kernel: 40 }, ...network.layers.slice(1)] }
    const e = badRequest(() => validateRequest('runs:start', { network: bad, training: training(1) }))
    expect(e.message).toMatch(/^runs:start: network: layer 0 \(conv2d\)/)
    const e2 = badRequest(() => validateRequest('networks:save', { name: 'x', spec: { version: 2 } }))
    expect(e2.message).toMatch(/^networks:save: spec:/)
  })

  it('refuses bad ids, unknown fields and wrong types', () => {
    expect(badRequest(() => validateRequest('runs:get', { runId: '1' })).message).toBe('runs:get: runId must be a positive integer, got "1"')
    expect(badRequest(() => validateRequest('runs:pause', { runId: -1 })).message).toMatch(/^runs:pause: runId/)
    expect(badRequest(() => validateRequest('runs:stop', null)).message).toMatch(/^runs:stop: request must be an object/)
    expect(badRequest(() => validateRequest('runs:delete', { runId: 1, force: true })).message).toBe('runs:delete: unknown field "force"')
    expect(badRequest(() => validateRequest('runs:rerun', { runId: 1, newSeed: 1.5 })).message).toMatch(/^runs:rerun: newSeed must be an integer/)
    expect(badRequest(() => validateRequest('runs:setTags', { runId: 1, tags: ['ok', 3] })).message).toMatch(/^runs:setTags: tags\[1\]/)
    expect(badRequest(() => validateRequest('runs:setNotes', { runId: 1 })).message).toMatch(/^runs:setNotes: notes must be a string/)
    expect(badRequest(() => validateRequest('metrics:series', { runId: 1, name: 'loss', split: 'test' })).message).toMatch(/^metrics:series: split must be/)
    expect(badRequest(() => validateRequest('compare:hyperparameters', { runIds: [] })).message).toMatch(/^compare:hyperparameters: runIds/)
    expect(badRequest(() => validateRequest('compare:hyperparameters', { runIds: [1, 0] })).message).toMatch(/^compare:hyperparameters: runIds\[1\]/)
    expect(badRequest(() => validateRequest('runs:list', { status: 'done' })).message).toMatch(/^runs:list: status must be one of/)
    expect(badRequest(() => validateRequest('runs:list', { sortBy: 'DROP TABLE' })).message).toMatch(/^runs:list: sortBy/)
    expect(badRequest(() => validateRequest('networks:get', { name: '' })).message).toBe('networks:get: name must not be empty')
  })

  it('refuses an unknown channel', () => {
    expect(badRequest(() => validateRequest('runs:format' as 'runs:get', {})).message).toBe('runs:format: unknown channel')
  })
})
