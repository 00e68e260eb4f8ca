/**
 * End-to-end harness: a real `tatami serve` (its own process, a temporary SQLite database, real engine
 * processes) and Debian's Chromium driven by playwright-core. Tests fail on any page error or console error.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'

export const root = resolve(import.meta.dirname, '../..')

/** Debian's Chromium (`apt-get install chromium`), or $CHROMIUM_PATH; null when neither exists. */
export function chromiumPath(): string | null {
  for (const p of [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']) if (p && existsSync(p)) return p
  return null
}

export interface ServeInstance {
  url: string
  dir: string
  dbPath: string
  stop(): Promise<void>
}

export async function startServe(options: { concurrency?: number } = {}): Promise<ServeInstance> {
  const dir = mkdtempSync(join(tmpdir(), 'tatami-e2e-'))
  const dbPath = join(dir, 'runs.sqlite')
  const args = ['--import', 'tsx', join(root, 'src-main/cli/index.ts'), 'serve', '--db', dbPath, '--static', join(root, 'out/renderer')]
  args.push('--concurrency', String(options.concurrency ?? 2))
  const child: ChildProcess = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((ok, fail) => {
    let out = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const m = out.match(/open (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/)
      if (m) ok(m[1]!)
    })
    child.once('exit', (code) => fail(new Error(`tatami serve exited with ${code}: ${out}`)))
  })
  return {
    url,
    dir,
    dbPath,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done()
        child.once('exit', () => {
          rmSync(dir, { recursive: true, force: true })
          done()
        })
        child.kill('SIGTERM')
      })
  }
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
  })
}

/** Collects uncaught page errors and console errors; a test asserts the list is empty at its end. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`)
  })
  return errors
}

export const docsDir = join(root, 'docs/screenshots')
