import fs from 'node:fs'
import path from 'node:path'

export const LOG_FILE = path.join('logs', 'editorbot.log')
/** Past this size the log moves to editorbot.log.1 (one old file kept). */
const MAX_LOG_BYTES = 5 * 1024 * 1024

export interface LogFile {
  readonly path: string
  write(line: string): void
}

/** The desktop app's log under the data directory (menu: Show Logs): main and backend lines, timestamped. */
export function openLogFile(dataDir: string, opts: { maxBytes?: number; echo?: (line: string) => void } = {}): LogFile {
  const file = path.join(dataDir, LOG_FILE)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  const maxBytes = opts.maxBytes ?? MAX_LOG_BYTES
  let size = fs.statSync(file, { throwIfNoEntry: false })?.size ?? 0
  return {
    path: file,
    write(line) {
      const text = `${new Date().toISOString()} ${line.replace(/\s+$/, '')}\n`
      opts.echo?.(line)
      try {
        if (size + text.length > maxBytes && size > 0) {
          fs.renameSync(file, `${file}.1`)
          size = 0
        }
        fs.appendFileSync(file, text)
        size += Buffer.byteLength(text)
      } catch {
        // A full or read-only disk must not take the app down with it; the line still went to the console.
      }
    }
  }
}
