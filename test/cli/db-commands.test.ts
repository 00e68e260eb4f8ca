import { describe, it, expect } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const cli = join(root, 'src-main/cli/index.ts')
const env = { ...process.env, TATAMI_DB: '' }
const tatami = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: root, encoding: 'utf8', timeout: 120000, env })
const tempDb = () => join(mkdtempSync(join(tmpdir(), 'tatami-cli-db-')), 'runs.sqlite')
const epochLine = /^epoch +\d\/\d +loss \d\.\d{4} +acc [\d.]+% +val loss \d\.\d{4} +val acc [\d.]+%/

describe('tatami train --db, runs, show', () => {
  it('trains into the database in an engine process; runs lists it and show prints its epochs', () => {
    const db = tempDb()
    const r = tatami('train', 'examples/shapes-quick.json', '--epochs', '2', '--db', db)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Training examples\/shapes-quick.json as run 1 \("Shapes quick"\) in /)
    expect(r.stdout.split('\n').filter((l) => epochLine.test(l))).toHaveLength(2)
    expect(r.stdout).toMatch(/completed: trained 2 epochs/)
    expect(r.stdout).toMatch(/best epoch \d: val loss/)
    expect(r.stdout).toContain(`run 1 completed in ${db}`)

    const list = tatami('runs', '--db', db)
    expect(list.status).toBe(0)
    const lines = list.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^ID +NAME +STATUS +DATASET +EPOCHS +BEST VAL ACC +CREATED +DURATION$/)
    expect(lines[1]).toMatch(/^1 +Shapes quick +completed +shapes +2\/2 +[\d.]+% +\d{4}-\d\d-\d\d \d\d:\d\d +[\d.]+s$/)
    expect(tatami('runs', '--db', db, '--status', 'failed').stdout).toMatch(/No failed runs/)

    const show = tatami('show', '1', '--db', db)
    expect(show.status).toBe(0)
    expect(show.stdout).toContain('status:     completed')
    expect(show.stdout).toContain('conv2d → batchnorm → relu')
    expect(show.stdout).toMatch(/optimizer\.lr +0\.01/)
    expect(show.stdout).toContain('Epochs (2/2):')
    expect(show.stdout).toMatch(/^ +1 +\d\.\d{4} +[\d.]+% +\d\.\d{4} +[\d.]+%/m)
    expect(show.stdout).toMatch(/^ +2 +\d\.\d{4} +[\d.]+% +\d\.\d{4} +[\d.]+%/m)
    expect(show.stdout).toMatch(/best epoch \d: val loss/)
    expect(show.stdout).toMatch(/latest +after epoch 2, step 100/)

    // The confusion matrix recorded at the last epoch: its accuracy is the epoch's validation accuracy.
    const valAcc = show.stdout.match(/^ +2 +\d\.\d{4} +[\d.]+% +\d\.\d{4} +([\d.]+%)/m)![1]
    const confusion = tatami('confusion', '1', '--db', db)
    expect(confusion.stderr).toBe('')
    expect(confusion.status).toBe(0)
    const head = confusion.stdout.match(/^Run 1, epoch 2: validation accuracy ([\d.]+%) \((\d+) of (\d+)\)/)!
    expect(head[1]).toBe(valAcc)
    const rows = confusion.stdout.split('\n').slice(3, 3 + 4).map((l) => l.trim().split(/ +/))
    expect(rows.map((r) => r.slice(1, 5).map(Number).reduce((a, b) => a + b)).reduce((a, b) => a + b)).toBe(Number(head[3]))
    expect(rows.reduce((s, r, t) => s + Number(r[1 + t]), 0)).toBe(Number(head[2]))
    expect(tatami('confusion', '1', '--db', db, '--epoch', '1').stdout).toMatch(/^Run 1, epoch 1:/)
    expect(tatami('confusion', '1', '--db', db, '--epoch', '3').stderr).toBe('tatami confusion: run 1 has no record of epoch 3; recorded epochs: 1, 2\n')

    const again = tatami('resume', '1', '--db', db)
    expect(again.status).toBe(1)
    expect(again.stderr).toMatch(/run 1 is completed; it has finished training/)
  }, 120000)

  it('says so for an empty or missing database, an unknown run and a bad --db path', () => {
    const db = tempDb()
    const none = tatami('runs', '--db', db)
    expect(none.status).toBe(0)
    expect(none.stdout).toMatch(/^No runs yet/)
    const show = tatami('show', '42', '--db', db)
    expect(show.status).toBe(1)
    expect(show.stderr).toBe(`tatami show: run 42 not found in ${db}\n`)
    expect(tatami('resume', '42', '--db', db).stderr).toBe(`tatami resume: run 42 not found in ${db}\n`)
    expect(tatami('show', 'abc', '--db', db).status).toBe(2)

    // A file where a folder should be.
    const dir = mkdtempSync(join(tmpdir(), 'tatami-cli-db-'))
    writeFileSync(join(dir, 'file'), 'x')
    const bad = tatami('train', 'examples/shapes-quick.json', '--epochs', '1', '--db', join(dir, 'file', 'runs.sqlite'))
    expect(bad.status).toBe(1)
    expect(bad.stderr).toMatch(/^tatami train: cannot .*file\/runs\.sqlite/)
    // Not a database.
    const junk = join(dir, 'junk.sqlite')
    writeFileSync(junk, 'this is not sqlite '.repeat(100))
    const corrupt = tatami('runs', '--db', junk)
    expect(corrupt.status).toBe(1)
    expect(corrupt.stderr).toMatch(/not a Tatami database or is damaged/)
  }, 60000)

  it('every command has --help', () => {
    for (const cmd of ['runs', 'show', 'resume']) {
      const r = tatami(cmd, '--help')
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`Usage: tatami ${cmd}`)
      expect(r.stdout).toContain('--db PATH')
    }
    expect(tatami('train', '--help').stdout).toContain('--db PATH')
    const top = tatami('--help')
    for (const cmd of ['train', 'runs', 'show RUN', 'resume RUN', 'serve']) expect(top.stdout).toContain(`  ${cmd}`)
  }, 60000)
})

describe('tatami resume', () => {
  it('a CLI killed with SIGKILL leaves its run interrupted; resume completes it', async () => {
    const db = tempDb()
    const child = spawn(process.execPath, ['--import', 'tsx', cli, 'train', 'examples/shapes-quick.json', '--epochs', '3', '--db', db], { cwd: root, env })
    let stdout = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no epoch line in time: ${stdout}`)), 90000)
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString()
        if (/^epoch +1\/3/m.test(stdout)) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.on('exit', () => reject(new Error(`the CLI exited early: ${stdout}`)))
    })
    // Let the epoch's checkpoint arrive, then kill the CLI outright (no chance to clean up).
    await new Promise((r) => setTimeout(r, 300))
    const exited = new Promise((r) => child.once('exit', r))
    child.kill('SIGKILL')
    await exited

    const list = tatami('runs', '--db', db)
    expect(list.stdout).toMatch(/^1 +Shapes quick +interrupted +shapes +[12]\/3/m)
    const r = tatami('resume', '1', '--db', db)
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^Resuming run 1 \("Shapes quick"\) in .* from /)
    expect(r.stdout).toMatch(/^epoch +3\/3/m)
    expect(r.stdout).toContain(`run 1 completed in ${db}`)
    expect(tatami('runs', '--db', db).stdout).toMatch(/^1 +Shapes quick +completed +shapes +3\/3/m)
    const show = tatami('show', '1', '--db', db)
    expect(show.stdout).toContain('Epochs (3/3):')
    for (const n of [1, 2, 3]) expect(show.stdout).toMatch(new RegExp(`^ +${n} +\\d\\.\\d{4} +[\\d.]+% +\\d\\.\\d{4}`, 'm'))
  }, 180000)
})
