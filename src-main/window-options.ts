/** The renderer's security settings, kept apart from Electron so tests can check them in Node. */
export interface SecureWebPreferences {
  preload: string
  contextIsolation: true
  sandbox: true
  nodeIntegration: false
  webSecurity: true
}

export function secureWindowOptions(preloadPath: string): SecureWebPreferences {
  return { preload: preloadPath, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true }
}
