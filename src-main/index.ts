/**
 * The Electron shell: one window with a locked-down renderer, the Workbench backend (store, run
 * manager, engine utility processes) and the IPC transport. Everything below this file is plain Node
 * code, so it runs and is tested without Electron.
 */
import { app, BrowserWindow, ipcMain, session, shell } from 'electron'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { contentSecurityPolicy, registerIpcHandlers, trustedSender } from './ipc/register-ipc'
import { utilityProcessLauncher } from './runs/electron-launcher'
import { startWorkbenchBackend, type WorkbenchBackend } from './services/workbench-service'
import { secureWindowOptions } from './window-options'

const devServer = process.env.ELECTRON_RENDERER_URL
const rendererDir = join(import.meta.dirname, '../renderer')

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
    title: 'Tatami',
    show: false,
    webPreferences: secureWindowOptions(join(import.meta.dirname, '../preload/index.cjs'))
  })
  win.once('ready-to-show', () => win.show())
  // No navigation away from the app and no new windows; external links open in the browser.
  win.webContents.on('will-navigate', (event) => event.preventDefault())
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  if (devServer) void win.loadURL(devServer)
  else void win.loadFile(join(rendererDir, 'index.html'))
  return win
}

let backend: WorkbenchBackend | null = null
let unregisterIpc: (() => void) | null = null

// Any webview or window created later gets the same rules.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault())
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
})

app.whenReady().then(() => {
  const csp = contentSecurityPolicy(devServer)
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } })
  })
  // The renderer needs no device, notification or media permissions.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))

  backend = startWorkbenchBackend({
    dbPath: join(app.getPath('userData'), 'tatami.sqlite'),
    launcher: utilityProcessLauncher(join(import.meta.dirname, 'engine-child.cjs')),
    // The inspector answers the UI: it keeps the main process's priority.
    inspectorLauncher: utilityProcessLauncher(join(import.meta.dirname, 'inspector-child.cjs'), 'tatami-inspector', false),
    resourcesDir: app.isPackaged ? process.resourcesPath : join(import.meta.dirname, '../../resources')
  })
  unregisterIpc = registerIpcHandlers(ipcMain, backend.service, trustedSender({ appFileUrl: pathToFileURL(rendererDir).href, devServerUrl: devServer }), {
    targets: () => BrowserWindow.getAllWindows().map((w) => w.webContents)
  })

  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})

app.on('will-quit', () => {
  unregisterIpc?.()
  unregisterIpc = null
  // Running engines are killed; their runs are 'interrupted' and resumable next time.
  backend?.close()
  backend = null
})
