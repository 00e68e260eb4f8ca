/**
 * Before any test: make sure the built app (out/) is at least as new as its sources, so the end-to-end
 * tests drive what the sources say. `npm run build` (CI) leaves nothing to do; after editing a source,
 * or on a fresh clone, this runs `electron-vite build` once (a few seconds).
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '../..')
const SOURCES = ['src-renderer', 'src-main', 'src-engine', 'src-preload', 'electron.vite.config.ts']

function newestMtime(path: string): number {
  const st = statSync(path)
  if (!st.isDirectory()) return st.mtimeMs
  let newest = st.mtimeMs
  for (const name of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, name)))
  return newest
}

export default function setup(): void {
  const built = join(root, 'out/renderer/index.html')
  const sourcesTime = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))))
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesTime) return
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' })
}
