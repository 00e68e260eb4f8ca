import { describe, expect, it } from 'vitest'
import { httpStatusFor } from '../../src-main/serve/http-server'

describe('HTTP status of a refused request', () => {
  it('follows the error code: whose fault it was', () => {
    expect(httpStatusFor({ name: 'BadRequest' })).toBe(400)
    expect(httpStatusFor({ name: 'NotFound', code: 'NotFound' })).toBe(404)
    expect(httpStatusFor({ name: 'Conflict', code: 'Conflict' })).toBe(409)
    expect(httpStatusFor({ name: 'DatasetImportError', code: 'BadData' })).toBe(422)
    expect(httpStatusFor({ name: 'OfflineError', code: 'Unavailable' })).toBe(503)
    expect(httpStatusFor({ name: 'StoreError', code: 'locked' })).toBe(500)
    expect(httpStatusFor({ name: 'Error' })).toBe(500)
  })
})
