#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx tatami ...` works from a checkout without a build step.
import { spawnSync } from 'node:child_process'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
// Resolve tsx from this package, not from the caller's folder.
const tsx = import.meta.resolve('tsx')
const result = spawnSync(process.execPath, ['--import', tsx, join(root, 'src-main/cli/index.ts'), ...process.argv.slice(2)], {
  stdio: 'inherit',
  cwd: process.cwd()
})
process.exit(result.status ?? 1)
