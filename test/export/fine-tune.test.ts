import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { Trainer } from '../../src-engine/train/trainer'
import { prepareTrainData } from '../../src-engine/train/prepare-data'
import { makeShapesDataset } from '../../src-engine/data/shapes'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { encodeTatamiModel } from '../../src-engine/export/tatami-format'
import { RunStore } from '../../src-main/store/run-store'
import { randomNetwork, modelOf } from './export-helpers'
import shapesQuick from '../../examples/shapes-quick.json'

const root = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(root, 'src-main/cli/index.ts')
const tatami = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120000, env: { ...process.env, TATAMI_DB: '' } })

describe('fine-tuning from an exported model', () => {
  it('Trainer initialWeights: the network starts from them, and training continues from there', () => {
    const net = randomNetwork(shapesQuick.network as never, 4)
    const start = net.stateDict()
    const config = { ...(shapesQuick.training as TrainConfig), epochs: 1 }
    const data = prepareTrainData(makeShapesDataset({ count: 80, seed: 1 }), { id: 'shapes', validationSize: 16 })
    const trainer = new Trainer(shapesQuick.network, config, data, { initialWeights: start })
    for (const [k, v] of Object.entries(trainer.network.stateDict())) expect(Array.from(v.data)).toEqual(Array.from(start[k].data))
    expect(trainer.runToEnd()).toBe('completed')
    expect(Array.from(trainer.network.stateDict()['0.weight'].data)).not.toEqual(Array.from(start['0.weight'].data))
    // A fresh trainer with the same seed starts elsewhere: the weights really came from initialWeights.
    const fresh = new Trainer(shapesQuick.network, config, data)
    expect(Array.from(fresh.network.stateDict()['0.weight'].data)).not.toEqual(Array.from(start['0.weight'].data))
  })

  it('a mismatched state dict is refused by name', () => {
    const other = randomNetwork({ version: 1, input: { shape: [1, 16, 16] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 4 }] })
    const data = prepareTrainData(makeShapesDataset({ count: 40, seed: 1 }), { id: 'shapes', validationSize: 8 })
    expect(() => new Trainer(shapesQuick.network, shapesQuick.training, data, { initialWeights: other.stateDict() })).toThrow(/^initial weights: state dict does not match the network: missing 0\.weight/)
  })

  it('CLI: tatami train --init model.tatami --db trains a run from those weights and notes where they came from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-finetune-'))
    const file = join(dir, 'start.tatami')
    writeFileSync(file, encodeTatamiModel(modelOf(randomNetwork(shapesQuick.network as never, 6))))
    const db = join(dir, 'runs.sqlite')
    const r = tatami('train', 'examples/shapes-quick.json', '--epochs', '1', '--init', file, '--db', db)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/completed: trained 1 epoch/)
    const store = RunStore.open(db, { mustExist: true })
    try {
      expect(store.getRun(1)).toMatchObject({ status: 'completed', notes: `fine-tuned from ${file}` })
    } finally {
      store.close()
    }
    const mismatch = join(dir, 'other.tatami')
    writeFileSync(mismatch, encodeTatamiModel(modelOf(randomNetwork({ version: 1, input: { shape: [1, 16, 16] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 4 }] }))))
    const bad = tatami('train', 'examples/shapes-quick.json', '--epochs', '1', '--init', mismatch, '--db', db)
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/^tatami train: --init .*other\.tatami does not fit the experiment's network: state dict does not match the network: missing 0\.weight/)
  }, 120000)
})
