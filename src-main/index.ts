/**
 * The Electron shell: one window with a locked-down renderer. Everything else (run manager, store,
 * engine launcher) is plain Node code below this file, so it runs and is tested without Electron.
 */
import { app, BrowserWindow, shell } from 'electron'
import { join } from 'node:path'
import { secureWindowOptions } from './window-options'

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
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer) void win.loadURL(devServer)
  else void win.loadFile(join(import.meta.dirname, '../renderer/index.html'))
  return win
}

app.whenReady().then(() => {
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
})

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
