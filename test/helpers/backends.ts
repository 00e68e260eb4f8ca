import { afterEach } from 'vitest'
import type { DType } from '../../src-engine/core/tensor'
import type { Kernels } from '../../src-engine/kernels/kernels'
import { availableBackends, createKernels, type KernelBackend } from '../../src-engine/kernels/backend'
import { loadWasmModules } from '../../src-engine/node/wasm-modules'
import { startKernelHelper } from '../../src-engine/node/kernel-helper'
import type { WasmKernels } from '../../src-engine/kernels/wasm/wasm-kernels'

/**
 * The kernel backends every engine test runs against. The wasm binaries come from
 * `npm run build:wasm` (run by `npm test`'s pretest); when one is missing or the runtime cannot run
 * it, the tests that need it fail with that message instead of being skipped.
 * 'wasm-relaxed-2t' is the relaxed build with its helper thread (two threads on shared memory).
 */
export type TestBackend = KernelBackend | 'wasm-relaxed-2t'
export const ENGINE_BACKENDS: readonly TestBackend[] = ['js', 'wasm-simd', 'wasm-relaxed', 'wasm-relaxed-2t']
export const WASM_BACKENDS = ['wasm-simd', 'wasm-relaxed'] as const

export const wasmModules = loadWasmModules({ enableRelaxedSimd: true })

/** The backend's name as the kernels report it (the thread count is not part of it). */
export function backendName(backend: TestBackend): KernelBackend {
  return backend === 'wasm-relaxed-2t' ? 'wasm-relaxed' : backend
}

const live: Kernels[] = []
// Helper threads hold their kernels' memory: stop them after every test.
afterEach(() => {
  for (const k of live.splice(0)) k.dispose()
})

/** Fresh kernels for one network (a wasm backend brings its own memory). */
export function kernelsFor(backend: TestBackend): Kernels {
  const name = backendName(backend)
  if (!availableBackends(wasmModules).includes(name)) {
    throw new Error(`kernel backend ${name} is not available: build it with \`npm run build:wasm\` (resources/wasm/)`)
  }
  if (backend !== 'wasm-relaxed-2t') return createKernels(name, wasmModules)
  // Every call that can be split is split, once the helper has started (waited for here).
  const kernels = createKernels(name, wasmModules, { threads: 2, startHelper: startKernelHelper, splitMinMacs: 0 }) as WasmKernels
  live.push(kernels)
  if (!kernels.waitForHelper(10_000)) throw new Error('wasm-relaxed-2t: the helper thread did not start within 10 s')
  return kernels
}

/** dtype × backend combinations: float64 networks always run the JS kernels (gradient checks). */
export const PRECISIONS: readonly { dtype: DType; backend: TestBackend }[] = [
  { dtype: 'float64', backend: 'js' },
  ...ENGINE_BACKENDS.map((backend) => ({ dtype: 'float32' as const, backend }))
]
