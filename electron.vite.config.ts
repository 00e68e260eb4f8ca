import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import vue from '@vitejs/plugin-vue'

// electron-vite runs from the project root; our folders are not its defaults, so inputs are named.
const r = (p: string) => resolve(process.cwd(), p)

export default defineConfig({
  main: {
    resolve: { alias: { '@engine': r('src-engine') } },
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        // The engine child is a second entry: each run trains in its own utility process; the inspector
        // (forward passes for the "look inside" views) is a third.
        input: { index: r('src-main/index.ts'), 'engine-child': r('src-engine/child.ts'), 'inspector-child': r('src-engine/inspector-child.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', chunkFileNames: 'chunks/[name]-[hash].cjs' }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // CJS so the preload works with sandbox: true.
      rolldownOptions: { input: { index: r('src-preload/index.ts') }, output: { format: 'cjs' } }
    }
  },
  renderer: {
    root: 'src-renderer',
    resolve: { alias: { '@renderer': r('src-renderer/src'), '@engine': r('src-engine') } },
    plugins: [vue()],
    build: { outDir: 'out/renderer', rolldownOptions: { input: { index: r('src-renderer/index.html') } } }
  }
})
