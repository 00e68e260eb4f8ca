import { describe, expect, it } from 'vitest'
import { BadRequestError, validateRequest } from '../../src-main/contract/validate'
import { WORKBENCH_CHANNELS } from '../../src-main/contract/workbench-api'

function refusal(raw: unknown): BadRequestError {
  try {
    validateRequest('runs:export', raw)
  } catch (err) {
    if (err instanceof BadRequestError) return err
    throw err
  }
  throw new Error('expected a BadRequestError')
}

describe('runs:export contract', () => {
  it('is a channel and accepts its payloads', () => {
    expect(WORKBENCH_CHANNELS).toContain('runs:export')
    expect(validateRequest('runs:export', { runId: 2, format: 'onnx', weights: 'best' })).toEqual({ runId: 2, format: 'onnx', weights: 'best' })
    expect(validateRequest('runs:export', { runId: 2, format: 'pytorch', weights: 'final', path: '/tmp/m' })).toEqual({ runId: 2, format: 'pytorch', weights: 'final', path: '/tmp/m' })
  })

  it('names the field of a bad payload', () => {
    expect(refusal({ runId: 2, format: 'tflite', weights: 'best' })).toMatchObject({ field: 'format', message: 'runs:export: format must be "onnx", "pytorch" or "tatami", got "tflite"' })
    expect(refusal({ runId: 2, format: 'onnx', weights: 'latest' })).toMatchObject({ field: 'weights' })
    expect(refusal({ runId: 0, format: 'onnx', weights: 'best' })).toMatchObject({ field: 'runId' })
    expect(refusal({ runId: 2, format: 'onnx', weights: 'best', path: '' })).toMatchObject({ field: 'path' })
    expect(refusal({ runId: 2, format: 'onnx', weights: 'best', extra: 1 })).toMatchObject({ field: 'extra' })
  })
})
