/**
 * The acceptance test of the overfitting studio, on the real engine and the bundled digits: the
 * "overfit me" preset memorizes 500 training digits while validation stays far lower, and weight decay
 * with dropout makes the final gap smaller. Both runs train at once, in their own engine processes.
 * (PyTorch, LeNet-5, 500 digits, 60 epochs: train 100%, val ~90%; with L2 1e-3 and dropout 0.5: val ~92%.)
 * Measured here (seeded, 12 epochs, 1,000 validation digits): plain train 100.0%, val 89.8%, gap 10.2 points;
 * L2 + dropout train 98.6%, val 90.6%, gap 8.0 points.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { startWorkbenchBackend } from '../../src-main/services/workbench-service'
import { buildStudyVariants } from '../../src-main/studies/study-kinds'
import { insertDropout, setConfigPath } from '../../src-main/studies/spec-transforms'
import overfitMe from '../../examples/overfit-me.json'

const EPOCHS = 12

describe('overfitting on 500 digits (real engine, seeded)', () => {
  const backend = startWorkbenchBackend({ dbPath: join(mkdtempSync(join(tmpdir(), 'tatami-overfit-')), 'tatami.sqlite'), concurrency: 2 })
  afterAll(() => backend.close())

  it('"overfit me" reaches ~100% training accuracy with a gap of several points; weight decay + dropout make the final gap smaller', { timeout: 900_000 }, async () => {
    // The preset's network and data (500 training digits); a smaller validation split keeps the test short.
    const training = setConfigPath({ ...(overfitMe.training as TrainConfig), epochs: EPOCHS }, 'dataset.validationSize', 1000)
    const { variants } = buildStudyVariants({ kind: 'regularization', base: { network: overfitMe.network as NetworkSpec, training } })
    const plain = variants.find((v) => v.label === 'none')!
    const regularized = {
      ...plain,
      network: insertDropout(plain.network, 0.5),
      training: setConfigPath(plain.training, 'optimizer.weightDecay', 1e-3)
    }
    const [a, b] = await Promise.all(
      [plain, regularized].map((v, i) => backend.service.invoke('runs:start', { name: i === 0 ? 'plain' : 'L2 + dropout', network: v.network, training: v.training }))
    )
    for (const run of [a!, b!]) expect(await backend.manager.settled(String(run.id))).toBe('completed')
    const final = async (runId: number) => {
      const train = await backend.service.invoke('metrics:series', { runId, name: 'epoch_accuracy', split: 'train' })
      const val = await backend.service.invoke('metrics:series', { runId, name: 'accuracy', split: 'val' })
      return { train: train.at(-1)!.value!, val: val.at(-1)!.value!, gap: (train.at(-1)!.value! - val.at(-1)!.value!) * 100 }
    }
    const p = await final(a!.id)
    const r = await final(b!.id)
    console.log(`plain: train ${(p.train * 100).toFixed(1)}%, val ${(p.val * 100).toFixed(1)}%, gap ${p.gap.toFixed(1)} points; ` +
      `L2 + dropout: train ${(r.train * 100).toFixed(1)}%, val ${(r.val * 100).toFixed(1)}%, gap ${r.gap.toFixed(1)} points`)
    expect(p.train).toBeGreaterThanOrEqual(0.99)
    expect(p.gap).toBeGreaterThanOrEqual(5)
    expect(r.gap).toBeLessThan(p.gap)
  })
})
