import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startWorkbenchBackend, type WorkbenchBackend } from '../../src-main/services/workbench-service'
import { RunStore } from '../../src-main/store/run-store'
import { decodeStateDict } from '../../src-main/runs/run-sink'
import { exportRun, modelOfRun } from '../../src-main/export/export-run'
import { readModelFile } from '../../src-main/export/read-model-file'
import { createNetwork } from '../../src-engine/network'
import type { NetworkSpec } from '../../src-engine/spec/network-spec'
import type { TrainConfig } from '../../src-engine/train/train-config'
import { engineForward, maxAbsDiff, ortForward, randomInput } from './export-helpers'

const network: NetworkSpec = {
  version: 1,
  name: 'Export test',
  input: { shape: [1, 16, 16] },
  layers: [
    { type: 'conv2d', filters: 4, kernel: 3, padding: 'same' },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'maxpool2d', size: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 4 },
    { type: 'softmax' }
  ]
}
const training: TrainConfig = {
  version: 1,
  dataset: { id: 'shapes', validationSize: 200 },
  epochs: 2,
  batchSize: 64,
  optimizer: { type: 'adam', lr: 0.01 },
  loss: 'cross_entropy',
  seed: 3
}

const root = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(root, 'src-main/cli/index.ts')
const tatami = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120000, env: { ...process.env, TATAMI_DB: '' } })

describe('exporting a trained run (real engine process, real store)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tatami-export-'))
  const db = join(dir, 'tatami.sqlite')
  let backend: WorkbenchBackend
  let runId = 0

  beforeAll(async () => {
    backend = startWorkbenchBackend({ dbPath: db, concurrency: 1 })
    const run = await backend.service.invoke('runs:start', { name: 'export me', network, training })
    runId = run.id
    expect(await backend.manager.settled(String(run.id))).toBe('completed')
  }, 120000)
  afterAll(() => backend?.close())

  it('runs:export without a path writes exports/run-<id>-<name>-<weights>.onnx next to the database; onnxruntime reproduces the final weights', async () => {
    const result = await backend.service.invoke('runs:export', { runId, format: 'onnx', weights: 'final' })
    expect(result.path).toBe(join(dir, 'exports', `run-${runId}-export-me-final.onnx`))
    expect(result.bytes).toBe(readFileSync(result.path).length)
    const final = decodeStateDict(backend.store.loadArtifact(runId, 'final')!.bytes)
    const net = createNetwork(network)
    net.loadStateDict(final)
    const x = randomInput([1, 16, 16], 4, 2)
    const got = await ortForward(new Uint8Array(readFileSync(result.path)), x, [1, 16, 16], 4)
    expect(maxAbsDiff(got.data, engineForward(net, x, 4))).toBeLessThan(1e-4)
  })

  it('best and final weights are the run\'s own; the .tatami file carries spec, training, normalizer and summary', async () => {
    const best = await backend.service.invoke('runs:export', { runId, format: 'tatami', weights: 'best', path: join(dir, 'out', 'best.tatami') })
    const { model, format } = readModelFile(best.path)
    expect(format).toBe('tatami')
    const stored = decodeStateDict(backend.store.loadArtifact(runId, 'best')!.bytes)
    expect(Object.keys(model.weights)).toEqual(Object.keys(stored))
    for (const k of Object.keys(stored)) expect(Array.from(model.weights[k].data)).toEqual(Array.from(stored[k].data))
    // The run's config as stored: what was asked, plus the dataset's content hash and title.
    expect(model.training).toEqual(backend.store.getRun(runId)!.training)
    expect(model.training).toEqual({ ...training, dataset: { ...training.dataset, hash: expect.stringMatching(/^[0-9a-f]{64}$/), title: expect.any(String) } })
    expect(model.normalizer).toMatchObject({ kind: 'minmax' })
    expect(model.summary).toMatchObject({ epochsCompleted: 2, outcome: 'completed' })
    expect(model.source).toMatchObject({ runId, runName: 'export me', weights: 'best', dataset: 'shapes' })
    expect(model.spec.layers).toEqual(modelOfRun(backend.store, runId, 'final').spec.layers)
  })

  it('refuses bad requests: unknown run, relative path, bad format', async () => {
    await expect(backend.service.invoke('runs:export', { runId: 999, format: 'onnx', weights: 'final' })).rejects.toMatchObject({ name: 'NotFound' })
    await expect(backend.service.invoke('runs:export', { runId, format: 'onnx', weights: 'final', path: 'relative.onnx' })).rejects.toThrow(/path must be absolute/)
    await expect(backend.service.invoke('runs:export', { runId, format: 'keras', weights: 'final' } as never)).rejects.toThrow(/format must be "onnx", "pytorch" or "tatami"/)
  })

  it('a run without weights yet is refused with a message saying why', () => {
    const id = backend.store.createRun({ name: 'queued', network, training })
    expect(() => exportRun(backend.store, id, { format: 'onnx', weights: 'final', outPath: join(dir, 'x.onnx') })).toThrow(`run ${id} (queued) has no weights yet`)
    expect(existsSync(join(dir, 'x.onnx'))).toBe(false)
  })

  it('a failed export leaves no file and no temp file; an existing export is replaced whole', () => {
    // The destination's folder is a file: nothing can be written, and nothing is left behind.
    writeFileSync(join(dir, 'blocker'), 'x')
    expect(() => exportRun(backend.store, runId, { format: 'onnx', weights: 'final', outPath: join(dir, 'blocker', 'm.onnx') })).toThrow()
    // A folder where the file should go.
    expect(() => exportRun(backend.store, runId, { format: 'tatami', weights: 'final', outPath: join(dir, 'exports') })).toThrow(/is a folder/)
    const target = join(dir, 'replace', 'model.tatami')
    const first = exportRun(backend.store, runId, { format: 'tatami', weights: 'final', outPath: target })
    const second = exportRun(backend.store, runId, { format: 'tatami', weights: 'best', outPath: target })
    expect(second.path).toBe(first.path)
    expect(readModelFile(target).model.source.weights).toBe('best')
    expect(readdirSync(dirname(target))).toEqual(['model.tatami'])
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([])
  })

  it('the PyTorch export is a folder, written through a temp folder; re-exporting replaces it', () => {
    const out = join(dir, 'torch-model')
    exportRun(backend.store, runId, { format: 'pytorch', weights: 'final', outPath: out })
    exportRun(backend.store, runId, { format: 'pytorch', weights: 'best', outPath: out })
    expect(readdirSync(out).sort()).toEqual(['README.md', 'model.py', 'train.py', 'weights.npz'])
    expect(readFileSync(join(out, 'model.py'), 'utf8')).toContain('"weights\\":\\"best\\"')
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([])
  })

  it('CLI: tatami export (onnx, pytorch, tatami) and tatami import, with clear errors', async () => {
    // The CLI opens the same database file (WAL), next to the backend.
    const onnx = join(dir, 'cli', 'model.onnx')
    const r = tatami('export', String(runId), '--format', 'onnx', '--out', onnx, '--db', db)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^exported run ${runId} \\(final weights\\) as onnx: .*model\\.onnx \\([\\d.]+ KiB\\)`))
    const t = tatami('export', String(runId), '--format', 'tatami', '--weights', 'best', '--out', join(dir, 'cli', 'model.tatami'), '--db', db)
    expect(t.status).toBe(0)
    expect(tatami('export', String(runId), '--format', 'pytorch', '--out', join(dir, 'cli', 'torch'), '--db', db).status).toBe(0)
    expect(readdirSync(join(dir, 'cli', 'torch')).sort()).toEqual(['README.md', 'model.py', 'train.py', 'weights.npz'])

    const bad = tatami('export', String(runId), '--format', 'keras', '--db', db)
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/--format must be one of onnx, pytorch, tatami, got "keras"/)
    const missing = tatami('export', '77', '--format', 'onnx', '--db', db)
    expect(missing.status).toBe(1)
    expect(missing.stderr).toBe('tatami export: run 77 does not exist\n')

    const imported = tatami('import', onnx, '--db', db, '--name', 'from onnx')
    expect(imported.stderr).toBe('')
    expect(imported.status).toBe(0)
    expect(imported.stdout).toContain('ONNX (exported by Tatami): Export test')
    expect(imported.stdout).toContain('conv2d → batchnorm → relu → maxpool2d → flatten → dense → softmax')
    expect(imported.stdout).toMatch(/saved network "from onnx" version 1/)
    const store = RunStore.open(db, { mustExist: true })
    try {
      expect(store.getNetwork('from onnx')!.spec.layers).toEqual(modelOfRun(store, runId, 'final').spec.layers)
    } finally {
      store.close()
    }
    const dry = tatami('import', join(dir, 'cli', 'model.tatami'), '--dry-run')
    expect(dry.status).toBe(0)
    expect(dry.stdout).toMatch(/^Tatami model file: Export test\n/)
    expect(dry.stdout).toContain(`from run ${runId} (export me), best weights`)

    const junk = join(dir, 'junk.onnx')
    writeFileSync(junk, 'not a model at all')
    const refused = tatami('import', junk, '--dry-run')
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/^tatami import: .*junk\.onnx: not an ONNX model/)
  }, 120000)
})
