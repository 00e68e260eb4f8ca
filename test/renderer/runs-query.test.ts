import { describe, expect, it } from 'vitest'
import { buildListQuery, DEFAULT_TABLE_STATE, pageCount, parseHyperparameterFilter, toggleSort } from '../../src-renderer/src/components/runs/run-query'
import { describeNetwork, formatDuration, formatNumber, formatPercent, runDurationMs } from '../../src-renderer/src/components/runs/run-format'

describe('runs table query', () => {
  it('sends sort, order and the page; leaves out empty filters', () => {
    expect(buildListQuery(DEFAULT_TABLE_STATE)).toEqual({ sortBy: 'created', order: 'desc', limit: 50, offset: 0 })
  })
  it('sends one status as a string, several as a list, a trimmed search and tag', () => {
    expect(buildListQuery({ ...DEFAULT_TABLE_STATE, statuses: ['running'], search: '  lenet ', tag: ' base ', page: 2 })).toEqual({
      sortBy: 'created',
      order: 'desc',
      limit: 50,
      offset: 100,
      status: 'running',
      search: 'lenet',
      tag: 'base'
    })
    expect(buildListQuery({ ...DEFAULT_TABLE_STATE, statuses: ['completed', 'failed'] }).status).toEqual(['completed', 'failed'])
    expect(buildListQuery({ ...DEFAULT_TABLE_STATE, search: '   ' })).not.toHaveProperty('search')
  })
  it('sends hyperparameter filters only when there are some', () => {
    expect(buildListQuery({ ...DEFAULT_TABLE_STATE, hyperparameters: { 'optimizer.lr': 0.001 } }).hyperparameters).toEqual({ 'optimizer.lr': 0.001 })
    expect(buildListQuery({ ...DEFAULT_TABLE_STATE, hyperparameters: {} })).not.toHaveProperty('hyperparameters')
  })
  it('parses key=value hyperparameter filters with typed numbers and booleans', () => {
    expect(parseHyperparameterFilter(' optimizer.type = adam, dataset.trainSize=500,optimizer.lr=1e-3, augmentation.flip=true ,')).toEqual({
      ok: true,
      filter: { 'optimizer.type': 'adam', 'dataset.trainSize': 500, 'optimizer.lr': 0.001, 'augmentation.flip': true }
    })
    expect(parseHyperparameterFilter('')).toEqual({ ok: true, filter: {} })
    expect(parseHyperparameterFilter('seed=-3')).toEqual({ ok: true, filter: { seed: -3 } })
    expect(parseHyperparameterFilter('optimizer.lr')).toEqual({ ok: false, error: '"optimizer.lr" is not key=value (e.g. optimizer.lr=0.001)' })
    expect(parseHyperparameterFilter('=3')).toMatchObject({ ok: false })
    expect(parseHyperparameterFilter('seed=')).toMatchObject({ ok: false })
  })
  it('a header click flips the same column and starts another at its default order, on page 0', () => {
    const byName = toggleSort({ ...DEFAULT_TABLE_STATE, page: 3 }, 'name')
    expect(byName).toMatchObject({ sortBy: 'name', order: 'asc', page: 0 })
    expect(toggleSort(byName, 'name')).toMatchObject({ sortBy: 'name', order: 'desc' })
    expect(toggleSort(byName, 'bestValAccuracy')).toMatchObject({ sortBy: 'bestValAccuracy', order: 'desc' })
    expect(toggleSort(byName, 'hp:optimizer.lr')).toMatchObject({ sortBy: 'hp:optimizer.lr', order: 'asc' })
  })
  it('counts pages (at least one)', () => {
    expect(pageCount(0, 50)).toBe(1)
    expect(pageCount(50, 50)).toBe(1)
    expect(pageCount(51, 50)).toBe(2)
  })
})

describe('run cells', () => {
  it('describes a network by its shaping layers in order of first appearance', () => {
    const layers = [
      { type: 'conv2d' },
      { type: 'relu' },
      { type: 'maxpool2d' },
      { type: 'conv2d' },
      { type: 'relu' },
      { type: 'flatten' },
      { type: 'dense' },
      { type: 'dropout' },
      { type: 'dense' },
      { type: 'dense' },
      { type: 'softmax' }
    ] as never[]
    expect(describeNetwork({ layers })).toBe('conv×2 maxpool dense×3 dropout')
    expect(describeNetwork({ layers: [] })).toBe('empty')
    expect(describeNetwork({ layers: [{ type: 'relu' }] as never[] })).toBe('relu')
  })
  it('formats durations, percents and small numbers', () => {
    expect(formatDuration(null)).toBe('—')
    expect(formatDuration(42_400)).toBe('42s')
    expect(formatDuration(125_000)).toBe('2m 05s')
    expect(formatDuration(3_725_000)).toBe('1h 02m')
    expect(formatPercent(0.98765)).toBe('98.8%')
    expect(formatPercent(null)).toBe('—')
    expect(formatNumber(0.001)).toBe('0.001')
    expect(formatNumber(0.00025)).toBe('2.5e-4')
    expect(formatNumber(null)).toBe('—')
  })
  it('measures a run from start to finish, to now while running, nothing before it starts', () => {
    expect(runDurationMs({ startedAt: null, finishedAt: null, status: 'queued' })).toBeNull()
    expect(runDurationMs({ startedAt: 1000, finishedAt: 5000, status: 'completed' })).toBe(4000)
    expect(runDurationMs({ startedAt: 1000, finishedAt: null, status: 'running' }, 3500)).toBe(2500)
    expect(runDurationMs({ startedAt: 1000, finishedAt: null, status: 'paused' })).toBeNull()
  })
})
