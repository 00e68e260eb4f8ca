import { resolve } from 'node:path'
import { defineConfig } from 'vitest/config'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  // The Vue plugin compiles single-file components for the renderer's component tests (test/renderer, happy-dom).
  plugins: [vue()],
  resolve: { alias: { '@engine': resolve(process.cwd(), 'src-engine'), '@renderer': resolve(process.cwd(), 'src-renderer/src') } },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60000,
    // Builds the app once before the end-to-end tests drive it (test/e2e).
    globalSetup: ['test/e2e/global-setup.ts']
  }
})
