import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { setFlagsFromString } from 'node:v8'
import { compileWasmModules, type WasmModules } from '../kernels/backend'

/**
 * Loads the kernel binaries built by `npm run build:wasm` (resources/wasm/kernels-*.wasm).
 *
 * Relaxed SIMD is on by default in Electron's V8; Node 20 has it behind
 * --experimental-wasm-relaxed-simd, which (unlike NODE_OPTIONS) can be set from inside the process
 * before compiling. enableRelaxedSimd turns it on; WebAssembly.validate still decides.
 */
export interface LoadWasmOptions {
  resourcesDir?: string
  enableRelaxedSimd?: boolean
}

function defaultResourcesDir(): string {
  return fileURLToPath(new URL('../../resources/', import.meta.url))
}

const cache = new Map<string, WasmModules>()

export function loadWasmModules(options: LoadWasmOptions = {}): WasmModules {
  const dir = join(options.resourcesDir ?? defaultResourcesDir(), 'wasm')
  const relaxed = options.enableRelaxedSimd ?? true
  const key = `${dir}|${relaxed}`
  const hit = cache.get(key)
  if (hit) return hit
  if (relaxed) setFlagsFromString('--experimental-wasm-relaxed-simd')
  const read = (file: string): Uint8Array<ArrayBuffer> | null => {
    try {
      return new Uint8Array(readFileSync(join(dir, file)))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw err
    }
  }
  const modules = compileWasmModules({ simd: read('kernels-simd.wasm'), relaxed: read('kernels-relaxed.wasm') })
  cache.set(key, modules)
  return modules
}
