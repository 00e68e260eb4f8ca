import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { exportPytorch } from '../../src-engine/export/pytorch'
import type { Network } from '../../src-engine/network'
import { CASES } from './layer-cases'
import { engineForward, maxAbsDiff, modelOf, randomInput, randomNetwork } from './export-helpers'

const PYTHON = '/usr/bin/python3'
const hasTorch = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8' }).status === 0
const TORCHRUN = '/usr/bin/torchrun'
const hasTorchrun = hasTorch && spawnSync(TORCHRUN, ['--help'], { encoding: 'utf8' }).status === 0
const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples')

interface Case {
  name: string
  net: Network
  batch: number
  input: Float32Array
}

function cases(): Case[] {
  const out: Case[] = CASES.map((c, i) => {
    const net = randomNetwork({ version: 1, input: { shape: c.input }, layers: c.layers }, 30 + i)
    return { name: c.name, net, batch: 3, input: randomInput(net.inputShape, 3, i) }
  })
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'))) {
    const net = randomNetwork((JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as { network: unknown }).network as never, 5, true)
    out.push({ name: file, net, batch: 2, input: randomInput(net.inputShape, 2, 99) })
  }
  return out
}

/** Writes each export to its own folder, with the input as raw float32; the script writes output.f32. */
const RUN_ALL = `
import importlib.util, sys, numpy as np, torch
for folder, shape in zip(sys.argv[1::2], sys.argv[2::2]):
    spec = importlib.util.spec_from_file_location("model_" + folder.replace("/", "_"), folder + "/model.py")
    m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
    model = m.load_weights(m.build_model()).eval()
    x = torch.from_numpy(np.fromfile(folder + "/input.f32", dtype=np.float32).reshape([int(d) for d in shape.split(",")]))
    with torch.no_grad():
        model(x).numpy().astype(np.float32).tofile(folder + "/output.f32")
`

describe('PyTorch export (model.py + weights.npz + train.py)', () => {
  const root = mkdtempSync(join(tmpdir(), 'tatami-pytorch-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))

  it('writes the four files', () => {
    const files = exportPytorch(modelOf(randomNetwork({ version: 1, input: { shape: [4] }, layers: [{ type: 'dense', units: 2 }] })))
    expect(files.map((f) => f.name)).toEqual(['model.py', 'train.py', 'weights.npz', 'README.md'])
    // The .npz is a zip archive of .npy files (local header "PK\\x03\\x04" then "0.weight.npy").
    const npz = files[2].data
    expect(Array.from(npz.subarray(0, 4))).toEqual([0x50, 0x4b, 3, 4])
    expect(new TextDecoder().decode(npz.subarray(30, 42))).toBe('0.weight.npy')
  })

  it.skipIf(!hasTorch)('every layer type alone and every example: PyTorch output equals the engine within 1e-4', () => {
    const all = cases()
    const args: string[] = []
    all.forEach((c, i) => {
      const dir = join(root, `case${i}`)
      mkdirSync(dir)
      for (const f of exportPytorch(modelOf(c.net))) writeFileSync(join(dir, f.name), f.data)
      writeFileSync(join(dir, 'input.f32'), c.input)
      args.push(dir, [c.batch, ...c.net.inputShape].join(','))
    })
    const run = spawnSync(PYTHON, ['-c', RUN_ALL, ...args], { encoding: 'utf8', timeout: 120_000 })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    all.forEach((c, i) => {
      const bytes = readFileSync(join(root, `case${i}`, 'output.f32'))
      const got = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
      const expected = engineForward(c.net, c.input, c.batch)
      expect({ name: c.name, length: got.length }).toEqual({ name: c.name, length: expected.length })
      expect({ name: c.name, ok: maxAbsDiff(got, expected) < 1e-4 }).toEqual({ name: c.name, ok: true })
    })
  })

  it.skipIf(!hasTorchrun)('train.py runs one DistributedDataParallel step under torchrun (gloo, 1 process) and writes loadable weights', () => {
    const net = randomNetwork(
      {
        version: 1,
        input: { shape: [1, 8, 8] },
        layers: [{ type: 'conv2d', filters: 3, kernel: 3, padding: 'same' }, { type: 'batchnorm' }, { type: 'frelu' }, { type: 'flatten' }, { type: 'dense', units: 3 }, { type: 'softmax' }]
      },
      8
    )
    const training = { version: 1 as const, dataset: { id: 'shapes' }, epochs: 1, batchSize: 4, optimizer: { type: 'momentum' as const, lr: 0.05, weightDecay: 1e-4 }, loss: 'cross_entropy' as const, seed: 1 }
    const dir = join(root, 'train')
    mkdirSync(dir)
    for (const f of exportPytorch(modelOf(net, { training, normalizer: { kind: 'minmax', range: [0, 1], min: 0, max: 1 } }))) writeFileSync(join(dir, f.name), f.data)
    const makeData = 'import numpy as np; r=np.random.default_rng(0); np.savez("data.npz", x=r.random((12,1,8,8), dtype=np.float32), y=r.integers(0,3,12))'
    expect(spawnSync(PYTHON, ['-c', makeData], { cwd: dir, encoding: 'utf8' }).status).toBe(0)
    // --redirects 1 --tee 1: Debian's torch 1.13 torchrun fails on Python 3.11 with the default "0" (its Std enum lookup).
    const run = spawnSync(TORCHRUN, ['--standalone', '--nproc_per_node=1', '--redirects', '1', '--tee', '1', 'train.py', '--data', 'data.npz', '--epochs', '1', '--max-steps', '2', '--out', 'continued.npz'], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 120_000,
      env: { ...process.env, OMP_NUM_THREADS: '1' }
    })
    expect(run.stderr + run.stdout).toMatch(/epoch 1\/1: train loss \d+\.\d+/)
    expect(run.status).toBe(0)
    // The new weights load into build_model() and differ from the exported ones (training moved them).
    const check = `
import numpy as np
from model import build_model, load_weights
m = load_weights(build_model(), "continued.npz")
a, b = np.load("weights.npz"), np.load("continued.npz")
assert sorted(a.files) == sorted(b.files), (a.files, b.files)
print("changed", float(np.abs(a["0.weight"] - b["0.weight"]).max()) > 0, int(b["1.num_batches_tracked"]))
`
    const verify = spawnSync(PYTHON, ['-c', check], { cwd: dir, encoding: 'utf8' })
    expect(verify.stderr).toBe('')
    expect(verify.stdout.trim()).toBe('changed True 9')
  })
})
