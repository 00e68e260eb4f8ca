/**
 * Shared helpers for the PyTorch parity tests: loading the fixtures written by
 * scripts/make_torch_fixtures.py (test/fixtures/torch/*.json) and comparing arrays with a tolerance,
 * reporting the worst element (index, multi-index, got, expected) on failure.
 */
import { readFileSync } from 'node:fs'
import { expect } from 'vitest'
import type { DType, FloatArray, Tensor } from '../../src-engine/core/tensor'

/** A tensor as the fixtures store it: shape plus flat row-major float64 data. */
export interface FixtureTensor {
  shape: number[]
  data: number[]
}
export type FixtureState = Record<string, FixtureTensor>

export interface FixtureMeta {
  torchVersion: string
  generator: string
  dtype: 'float64'
}

export interface Tolerance {
  /** Relative tolerance: |got − expected| ≤ abs + rel·|expected|. */
  rel: number
  abs: number
}

export const DTYPES: readonly DType[] = ['float64', 'float32']

export function loadFixture<T>(file: string): T & FixtureMeta {
  const url = new URL(`../fixtures/torch/${file}`, import.meta.url)
  let text: string
  try {
    text = readFileSync(url, 'utf8')
  } catch (err) {
    throw new Error(`missing fixture ${file}: run /usr/bin/python3 scripts/make_torch_fixtures.py (${(err as Error).message})`)
  }
  return JSON.parse(text) as T & FixtureMeta
}

export function toArray(values: readonly number[], dtype: DType): FloatArray {
  return dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values)
}

export function toTensor(t: FixtureTensor, dtype: DType): Tensor {
  return { shape: t.shape.slice(), data: toArray(t.data, dtype) }
}

/** The fixture's state dict in the engine's StateDict form (data as plain numbers; loadStateDict copies). */
export function toStateDict(state: FixtureState): Record<string, { shape: number[]; data: number[] }> {
  const out: Record<string, { shape: number[]; data: number[] }> = {}
  for (const [name, t] of Object.entries(state)) out[name] = { shape: t.shape.slice(), data: t.data }
  return out
}

function multiIndex(index: number, shape: readonly number[] | undefined): string {
  if (!shape || shape.length === 0) return ''
  const idx: number[] = []
  let rest = index
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(rest % shape[d])
    rest = Math.floor(rest / shape[d])
  }
  return ` [${idx.join(', ')}]`
}

/**
 * Checks every element: |got − expected| ≤ tol.abs + tol.rel·|expected| (and no NaN). On failure, one
 * assertion error naming how many elements fail and the worst one (largest excess over its tolerance).
 */
export function expectClose(
  label: string,
  got: ArrayLike<number> | null | undefined,
  expected: FixtureTensor | ArrayLike<number>,
  tol: Tolerance,
  gotShape?: readonly number[]
): void {
  const exp: ArrayLike<number> = isFixtureTensor(expected) ? expected.data : expected
  const shape = isFixtureTensor(expected) ? expected.shape : undefined
  if (got == null) expect.fail(`${label}: got ${got}, expected ${exp.length} values`)
  if (shape && gotShape) {
    expect(Array.from(gotShape), `${label}: shape`).toEqual(shape)
  }
  if (got.length !== exp.length) expect.fail(`${label}: got ${got.length} values, expected ${exp.length}`)
  let bad = 0
  let worst = -1
  let worstRatio = 0
  for (let i = 0; i < exp.length; i++) {
    const g = got[i]
    const e = exp[i]
    const diff = Math.abs(g - e)
    const allowed = tol.abs + tol.rel * Math.abs(e)
    if (!(diff <= allowed)) {
      bad++
      const ratio = Number.isFinite(diff) ? diff / allowed : Infinity
      if (worst < 0 || ratio > worstRatio) {
        worst = i
        worstRatio = ratio
      }
    }
  }
  if (bad > 0) {
    const g = got[worst]
    const e = exp[worst]
    expect.fail(
      `${label}: ${bad} of ${exp.length} values outside rel ${tol.rel} / abs ${tol.abs}; worst at index ${worst}` +
        `${multiIndex(worst, shape ?? gotShape)}: got ${g}, expected ${e} (|diff| ${Math.abs(g - e).toExponential(3)}, ` +
        `rel ${(Math.abs(g - e) / Math.max(Math.abs(e), 1e-300)).toExponential(3)})`
    )
  }
}

/** A scalar comparison with the same rule and a readable message. */
export function expectCloseScalar(label: string, got: number, expected: number, tol: Tolerance): void {
  expectClose(label, [got], [expected], tol)
}

function isFixtureTensor(v: unknown): v is FixtureTensor {
  return typeof v === 'object' && v !== null && 'shape' in v && 'data' in v && Array.isArray((v as FixtureTensor).data)
}

/** Compares a network's stateDict() (parameters and buffers) with a fixture state dict, entry by entry. */
export function expectStateClose(
  label: string,
  got: Record<string, { shape: number[]; data: ArrayLike<number> }>,
  expected: FixtureState,
  tol: Tolerance
): void {
  // Same names in the same order as torch's state_dict (docs/engine.md).
  expect(Object.keys(got), `${label}: state dict keys, in torch's order`).toEqual(Object.keys(expected))
  for (const [name, t] of Object.entries(expected)) {
    expectClose(`${label} ${name}`, got[name].data, t, tol, got[name].shape)
  }
}
