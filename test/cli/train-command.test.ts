import { describe, it, expect } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tatami = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src-main/cli/index.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 120000 })

describe('tatami train (CLI)', () => {
  it('trains an example, prints a line per epoch and a summary, and writes the model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-cli-'))
    const out = join(dir, 'model.json')
    const r = tatami('train', 'examples/shapes-quick.json', '--epochs', '2', '--seed', '5', '--out', out)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const lines = r.stdout.split('\n')
    expect(lines[0]).toMatch(/^Training examples\/shapes-quick.json on shapes-16px \(sha256 [0-9a-f]{12}\): 1600 training \/ 400 validation samples, .* seed 5, wasm-relaxed kernels( on 2 threads)?$/) // auto: the fastest backend; 2 threads where there are 2 cores
    expect(lines.filter((l) => /^epoch +\d\/2 +loss \d\.\d{4} +acc [\d.]+% +val loss \d\.\d{4} +val acc [\d.]+%/.test(l))).toHaveLength(2)
    expect(r.stdout).toMatch(/completed: trained 2 epochs/)
    expect(r.stdout).toMatch(/best epoch \d: val loss/)
    const model = JSON.parse(readFileSync(out, 'utf8'))
    expect(model.format).toBe('tatami-model-json')
    expect(Object.keys(model.weights)).toContain('0.weight')
    expect(model.weights['0.weight'].shape).toEqual([8, 1, 3, 3])
    expect(model.training.seed).toBe(5)
    expect(model.summary).toMatchObject({ outcome: 'completed', epochsCompleted: 2, steps: 2 * 50 })
    expect(model.summary.final.valAccuracy).toBeGreaterThan(0.25)
    expect(model.summary.best.epoch === 0 || model.summary.best.epoch === 1).toBe(true)
  }, 120000)

  it('names the file and the problem for a bad experiment file, and writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tatami-cli-'))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, JSON.stringify({
      network: { version: 1, input: { shape: [1, 4, 4] }, layers: [{ type: 'conv2d', filters: 2, kernel: 5 }] },
      training: { version: 1, dataset: { id: 'shapes' }, epochs: 1, batchSize: 0, optimizer: { type: 'adam', lr: 0.001 }, loss: 'cross_entropy', seed: 1 }
    }))
    const r = tatami('train', bad, '--out', join(dir, 'm.json'))
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(`${bad}:`)
    expect(r.stderr).toContain('network: layer 0 (conv2d): kernel 5 exceeds padded input 4×4')
    expect(r.stderr).toContain('training.batchSize must be a whole number from 1 to 65536, got 0')
    expect(existsSync(join(dir, 'm.json'))).toBe(false)
    const notJson = join(dir, 'broken.json')
    writeFileSync(notJson, '{"network": ')
    expect(tatami('train', notJson).stderr).toMatch(/broken\.json: not valid JSON/)
  }, 60000)

  it('prints help', () => {
    const r = tatami('train', '--help')
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('Usage: tatami train EXPERIMENT.json')
  })
})
