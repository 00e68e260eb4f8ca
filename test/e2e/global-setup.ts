/**
 * Before any test: make sure the WebAssembly kernels (resources/wasm) and the built app (out/) are at
 * least as new as their sources, so every test drives what the sources say. `npm test` and `npm run
 * build` (CI) leave nothing to do; after editing a source, or on a fresh clone run as `npx vitest`,
 * this runs `asc` and/or `electron-vite build` once (a few seconds each).
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

/** Stale kernels fail at load (a module built before shared memory cannot link to the engine's memory). */
function buildWasmIfStale(): void {
  const outputs = ['kernels-simd.wasm', 'kernels-relaxed.wasm'].map((f) => join(root, 'resources/wasm', f))
  const sourcesTime = Math.max(newestMtime(join(root, 'src-engine/wasm/assembly')), newestMtime(join(root, 'asconfig.json')))
  if (outputs.every((o) => existsSync(o) && statSync(o).mtimeMs >= sourcesTime)) return
  execFileSync('npm', ['run', 'build:wasm'], { cwd: root, stdio: 'inherit' })
}

export default function setup(): void {
  buildWasmIfStale()
  const built = join(root, 'out/renderer/index.html')
  const sourcesTime = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))))
  if (existsSync(built) && statSync(built).mtimeMs >= sourcesTime) return
  execFileSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: root, stdio: 'inherit' })
}
