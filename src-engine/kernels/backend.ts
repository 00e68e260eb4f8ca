import type { Kernels } from './kernels'
import { jsKernels } from './js/index'
import { createWasmKernels, type WasmKernelOptions } from './wasm/wasm-kernels'

/**
 * Which kernels an engine computes with, chosen once per engine: the JavaScript reference or one of
 * the WebAssembly builds. 'auto' picks the fastest the runtime supports (relaxed SIMD, then SIMD,
 * then JavaScript).
 */
export const KERNEL_BACKENDS = ['js', 'wasm-simd', 'wasm-relaxed'] as const
export type KernelBackend = (typeof KERNEL_BACKENDS)[number]
export type KernelBackendChoice = KernelBackend | 'auto'

/** The compiled kernel modules the host could load; null where missing or not supported here. */
export interface WasmModules {
  simd: WebAssembly.Module | null
  relaxed: WebAssembly.Module | null
}

export const NO_WASM: WasmModules = { simd: null, relaxed: null }

/**
 * Compiles the kernel binaries the runtime can run: WebAssembly.validate rejects relaxed SIMD where
 * it is off (Node 20 without --experimental-wasm-relaxed-simd) and SIMD where it is missing.
 */
export function compileWasmModules(bytes: { simd?: Uint8Array<ArrayBuffer> | null; relaxed?: Uint8Array<ArrayBuffer> | null }): WasmModules {
  const compile = (b: Uint8Array<ArrayBuffer> | null | undefined) => (b && WebAssembly.validate(b) ? new WebAssembly.Module(b) : null)
  return { simd: compile(bytes.simd), relaxed: compile(bytes.relaxed) }
}

/** Backends usable with these modules, fastest first. */
export function availableBackends(modules: WasmModules): KernelBackend[] {
  const out: KernelBackend[] = []
  if (modules.relaxed) out.push('wasm-relaxed')
  if (modules.simd) out.push('wasm-simd')
  out.push('js')
  return out
}

export function isKernelBackendChoice(v: unknown): v is KernelBackendChoice {
  return v === 'auto' || (KERNEL_BACKENDS as readonly unknown[]).includes(v)
}

/**
 * A fresh Kernels for one engine (a wasm backend owns its memory, so every network gets its own).
 * Throws, naming what is available, when the chosen backend cannot run here.
 */
export function createKernels(choice: KernelBackendChoice, modules: WasmModules, options: WasmKernelOptions = {}): Kernels {
  const backend = choice === 'auto' ? availableBackends(modules)[0] : choice
  switch (backend) {
    case 'js':
      return jsKernels
    case 'wasm-simd':
    case 'wasm-relaxed': {
      const module = backend === 'wasm-simd' ? modules.simd : modules.relaxed
      if (!module) {
        throw new Error(`kernel backend "${backend}" is not available here (available: ${availableBackends(modules).join(', ')})`)
      }
      return createWasmKernels(module, backend, options)
    }
    default:
      throw new Error(`unknown kernel backend "${String(choice)}" (expected ${['auto', ...KERNEL_BACKENDS].join(', ')})`)
  }
}
