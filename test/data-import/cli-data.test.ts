import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { csvText, generate, tempDir, writeImageFolder } from './fixtures'

const root = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(root, 'src-main/cli/index.ts')
const env = { ...process.env, TATAMI_DB: '' }
const tatami = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120000, env })

describe('tatami data', () => {
  it('imports an image folder, lists it, trains on it by id with --db (the run records the hash), and removes it', async () => {
    const work = tempDir('tatami-cli-data-')
    const db = join(work, 'runs.sqlite')
    const images = join(work, 'shapes-rgb')
    await writeImageFolder(images, 8, ['one', 'two'], 12)

    const imp = tatami('data', 'import', 'image-folder', images, '--size', '8', '--channels', '3', '--title', 'RGB blocks', '--db', db)
    expect(imp.stderr).toBe('')
    expect(imp.status).toBe(0)
    const id = /^imported: ([0-9a-f]{12}) +RGB blocks +3×8×8 +16 train \/ 0 test +\(one: 8, two: 8\)$/m.exec(imp.stdout)?.[1]
    expect(id).toBeDefined()
    expect(existsSync(join(work, 'datasets', id!, 'manifest.json'))).toBe(true)

    const list = tatami('data', 'list', '--db', db)
    expect(list.status).toBe(0)
    expect(list.stdout).toMatch(/^id +title +shape +classes +train +test +sha256$/m)
    expect(list.stdout).toMatch(/^mnist-10k +MNIST digits \(10,000, bundled\) +1×28×28 +10 +10000 +0 +[0-9a-f]{16}$/m)
    expect(list.stdout).toMatch(new RegExp(`^${id} +RGB blocks +3×8×8 +2 +16 +0 +${id}[0-9a-f]{4}$`, 'm'))

    const experiment = join(work, 'exp.json')
    writeFileSync(
      experiment,
      JSON.stringify({
        network: {
          version: 1,
          name: 'rgb',
          input: { shape: [3, 8, 8] },
          layers: [{ type: 'conv2d', filters: 4, kernel: 3, padding: 'same' }, { type: 'relu' }, { type: 'flatten' }, { type: 'dense', units: 2 }, { type: 'softmax' }]
        },
        training: { version: 1, dataset: { id, validationSize: 4 }, epochs: 1, batchSize: 4, optimizer: { type: 'adam', lr: 0.01 }, loss: 'cross_entropy', seed: 1 }
      })
    )
    const train = tatami('train', experiment, '--db', db)
    expect(train.stderr).toBe('')
    expect(train.status).toBe(0)
    expect(train.stdout).toContain(`dataset ${id} (RGB blocks, sha256 ${id})`)
    expect(train.stdout).toMatch(/completed: trained 1 epoch/)
    const show = tatami('show', '1', '--db', db)
    expect(show.stdout).toMatch(new RegExp(`dataset\\.hash +${id}[0-9a-f]{52}`))

    const rm = tatami('data', 'remove', id!, '--db', db)
    expect(rm.status).toBe(0)
    expect(readdirSync(join(work, 'datasets'))).toEqual([])
    // Training on the removed dataset fails before a run is created.
    const gone = tatami('train', experiment, '--db', db)
    expect(gone.status).toBe(1)
    expect(gone.stderr).toMatch(/dataset "[0-9a-f]{12}" does not exist/)
  })

  it('reports a broken CSV row with file and line, exit code 1, and imports nothing', () => {
    const work = tempDir('tatami-cli-data-')
    const csv = join(work, 'bad.csv')
    const lines = csvText(generate(6, 2, [1, 3, 3]), false).trim().split('\n')
    lines[2] = '1,2,3'
    writeFileSync(csv, lines.join('\n'))
    const r = tatami('data', 'import', 'csv', csv, '--db', join(work, 'db.sqlite'))
    expect(r.status).toBe(1)
    expect(r.stderr).toBe(`tatami data import: ${csv} line 3: expected 10 values (a label and 9 pixels), found 3\n`)
    expect(existsSync(join(work, 'datasets')) ? readdirSync(join(work, 'datasets')) : []).toEqual([])
    expect(tatami('data', 'import', 'png', csv).status).toBe(2)
  })

  it('download says clearly when the mirror cannot be reached', async () => {
    const work = tempDir('tatami-cli-data-')
    // A port that was just free on 127.0.0.1: connection refused, as when offline.
    const server = createServer()
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()))
    const port = (server.address() as AddressInfo).port
    await new Promise<void>((r) => server.close(() => r()))
    const r = tatami('data', 'download', 'mnist', '--mirror', `http://127.0.0.1:${port}/`, '--db', join(work, 'db.sqlite'))
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/^tatami data download: cannot download MNIST \(60,000 \+ 10,000 test\): no network connection \(cannot reach 127\.0\.0\.1:\d+ \(ECONNREFUSED\)/)
    expect(readdirSync(join(work, 'datasets')).filter((n) => !n.startsWith('.'))).toEqual([])
  })
})
