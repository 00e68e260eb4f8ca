/**
 * Learning-rate schedule parity with torch.optim.lr_scheduler 1.13 (fixtures:
 * test/fixtures/torch/schedules.json, made by scripts/make_torch_fixtures.py): StepLR, ExponentialLR,
 * CosineAnnealingLR, LinearLR warm-up, and warm-up followed by cosine (SequentialLR, which the script
 * checked against the documented "schedule restarts at its own epoch 0 after warm-up" rule).
 * lr[e] is the rate in effect during epoch e. Cosine cases compare epochs 0..T_max only: past T_max
 * torch's cosine is periodic (rises again), which docs/engine.md leaves undefined.
 *
 * Tolerance (plain JS numbers, computed in float64): |got − expected| ≤ 1e-12 + 1e-9·|expected|.
 */
import { describe, it, expect } from 'vitest'
import { learningRateAt, type LrSchedule } from '../../src-engine/optim/schedule'
import { expectClose, loadFixture, type Tolerance } from './fixtures'

const TOLERANCE: Tolerance = { rel: 1e-9, abs: 1e-12 }

interface ScheduleCase {
  name: string
  schedule: LrSchedule
  warmup?: { epochs: number; startFactor: number }
  lr: number[]
  closedForm: number[]
  compareEpochs?: number
  sequentialLRMatches?: boolean
}

const fixture = loadFixture<{ baseLr: number; epochs: number; cases: ScheduleCase[] }>('schedules.json')

describe('learning-rate schedules vs torch', () => {
  for (const c of fixture.cases) {
    const epochs = c.compareEpochs ?? c.lr.length
    it(`${c.name}, epochs 0..${epochs - 1}, matches torch`, () => {
      const got = Array.from({ length: epochs }, (_, e) => learningRateAt(fixture.baseLr, c.schedule, e, c.warmup))
      expectClose('lr by epoch', got, c.lr.slice(0, epochs), TOLERANCE)
    })
  }

  it('SequentialLR(LinearLR, CosineAnnealingLR) equals the documented warm-up-then-restart rule', () => {
    const seq = fixture.cases.find((c) => c.sequentialLRMatches !== undefined)
    expect(seq, 'warm-up + cosine case').toBeDefined()
    expect(seq!.sequentialLRMatches).toBe(true)
  })
})
