import { describe, expect, it } from 'vitest'
import { csvField, toCsv } from '../../src-renderer/src/export/csv'
import { metricsCsv } from '../../src-renderer/src/export/metrics-csv'

describe('CSV (RFC 4180)', () => {
  it('quotes only fields with a comma, quote, CR or LF, doubling inner quotes', () => {
    expect(csvField('plain')).toBe('plain')
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\nlines')).toBe('"two\nlines"')
    expect(csvField('cr\rhere')).toBe('"cr\rhere"')
    expect(csvField(' spaced ')).toBe(' spaced ')
    expect(csvField(0.125)).toBe('0.125')
    expect(csvField(null)).toBe('')
    expect(csvField(undefined)).toBe('')
    expect(csvField(NaN)).toBe('')
    expect(csvField(true)).toBe('true')
  })

  it('ends every record with CRLF', () => {
    expect(toCsv([['a', 'b'], [1, 'x,y']])).toBe('a,b\r\n1,"x,y"\r\n')
    expect(toCsv([])).toBe('')
  })

  it('writes one row per point with run, 1-based epoch, step, metric, split and value; nulls stay empty', () => {
    const csv = metricsCsv([
      { runId: 3, runName: 'lenet, "dropout"', metric: 'loss', split: 'train', points: [{ step: 1, epoch: 0, value: 2.5, elapsedMs: 10 }, { step: 2, epoch: 0, value: null, elapsedMs: 20 }] },
      { runId: 4, runName: 'plain', metric: 'accuracy', split: 'val', points: [{ step: 56, epoch: 0, value: 0.75, elapsedMs: 30 }] }
    ])
    expect(csv.split('\r\n')).toEqual([
      'run_id,run_name,epoch,step,metric,split,value',
      '3,"lenet, ""dropout""",1,1,loss,train,2.5',
      '3,"lenet, ""dropout""",1,2,loss,train,',
      '4,plain,1,56,accuracy,val,0.75',
      ''
    ])
  })
})
