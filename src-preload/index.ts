/**
 * The preload bridge. It will expose exactly the WorkbenchApi contract's functions once the
 * backend exists; for now it exposes only what the renderer can honestly use: the app's identity.
 */
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('tatami', { shell: 'electron' as const })
