import os from 'node:os'
import path from 'node:path'

/** Data directory for serve mode and the CLI: --data-dir, then EDITORBOT_DATA_DIR, then the per-user default. */
export function resolveDataDir(flag: string | undefined): string {
  if (flag) return path.resolve(flag)
  if (process.env.EDITORBOT_DATA_DIR) return path.resolve(process.env.EDITORBOT_DATA_DIR)
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? path.join(os.homedir(), 'Library', 'Application Support')
        : (process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'))
  // One per-user folder shared by the desktop app, the CLI and serve mode.
  return path.join(base, 'editorbot-studio')
}
