import type { DType } from '../../src-engine/core/tensor'
import type { Kernels } from '../../src-engine/kernels/kernels'
import { availableBackends, createKernels, type KernelBackend } from '../../src-engine/kernels/backend'
import { loadWasmModules } from '../../src-engine/node/wasm-modules'

/**
 * The kernel backends every engine test runs against. The wasm binaries come from
 * `npm run build:wasm` (run by `npm test`'s pretest); when one is missing or the runtime cannot run
 * it, the tests that need it fail with that message instead of being skipped.
 */
export const ENGINE_BACKENDS: readonly KernelBackend[] = ['js', 'wasm-simd', 'wasm-relaxed']
export const WASM_BACKENDS = ['wasm-simd', 'wasm-relaxed'] as const

export const wasmModules = loadWasmModules({ enableRelaxedSimd: true })

/** Fresh kernels for one network (a wasm backend brings its own memory). */
export function kernelsFor(backend: KernelBackend): Kernels {
  if (!availableBackends(wasmModules).includes(backend)) {
    throw new Error(`kernel backend ${backend} is not available: build it with \`npm run build:wasm\` (resources/wasm/)`)
  }
  return createKernels(backend, wasmModules)
}

/** dtype × backend combinations: float64 networks always run the JS kernels (gradient checks). */
export const PRECISIONS: readonly { dtype: DType; backend: KernelBackend }[] = [
  { dtype: 'float64', backend: 'js' },
  ...ENGINE_BACKENDS.map((backend) => ({ dtype: 'float32' as const, backend }))
]
