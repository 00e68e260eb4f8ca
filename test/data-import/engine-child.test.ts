import { describe, expect, it } from 'vitest'
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import type { FromEngine, ToEngine } from '../../src-engine/protocol'
import { DatasetLibrary } from '../../src-main/data/dataset-library'
import { importCsv } from '../../src-main/data/importers/csv'
import { writeFileSync } from 'node:fs'
import { csvText, generate, tempDir } from './fixtures'

const childPath = fileURLToPath(new URL('../../src-engine/child.ts', import.meta.url))

function runChild(start: ToEngine): Promise<FromEngine[]> {
  return new Promise((resolve, reject) => {
    const child = fork(childPath, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    const messages: FromEngine[] = []
    child.on('message', (raw) => {
      const m = raw as FromEngine
      messages.push(m)
      if (m.type === 'ready') child.send(start)
      if ((m.type === 'event' && m.event.type === 'done') || m.type === 'error') {
        child.kill()
        resolve(messages)
      }
    })
    child.on('error', reject)
  })
}

describe('engine child with the dataset library', () => {
  it('trains on an imported dataset found in datasetsDir, and refuses one whose content hash differs from the run', async () => {
    const csv = join(tempDir(), 'digits.csv')
    writeFileSync(csv, csvText(generate(30, 3, [1, 6, 6]), true))
    const lib = new DatasetLibrary(join(tempDir(), 'datasets'))
    const { manifest } = await lib.add(await importCsv(csv))
    const start = (hash: string): ToEngine => ({
      type: 'start',
      datasetsDir: lib.root,
      network: { version: 1, input: { shape: [1, 6, 6] }, layers: [{ type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'softmax' }] },
      training: { version: 1, dataset: { id: manifest.id, validationSize: 6, hash }, epochs: 1, batchSize: 8, optimizer: { type: 'sgd', lr: 0.1 }, loss: 'cross_entropy', seed: 1 }
    })
    const ok = await runChild(start(manifest.hash))
    const done = ok.at(-1)
    expect(done?.type === 'event' && done.event.type === 'done' && done.event.outcome).toBe('completed')
    const bad = await runChild(start('0'.repeat(64)))
    const err = bad.at(-1)
    expect(err?.type).toBe('error')
    expect(err?.type === 'error' && err.error.message).toBe(
      `engine: dataset "${manifest.id}" has content hash ${manifest.hash}, but the run was created on ${'0'.repeat(64)}; the data changed`
    )
  })
})
