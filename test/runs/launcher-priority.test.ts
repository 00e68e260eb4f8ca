import { describe, it, expect } from 'vitest'
import os from 'node:os'
import { forkLauncher } from '../../src-main/runs/launcher'

describe('forkLauncher', () => {
  it('starts engines at a lower CPU priority than the main process, so the UI side stays responsive', async () => {
    const proc = forkLauncher()()
    try {
      expect(proc.pid).toBeGreaterThan(0)
      expect(os.getPriority(proc.pid!)).toBe(Math.min(19, os.getPriority() + 10))
    } finally {
      const exited = new Promise<void>((resolve) => proc.onExit(() => resolve()))
      proc.kill()
      await exited
    }
  })
})
