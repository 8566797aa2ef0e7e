import { spawnSync, type SpawnSyncOptions } from 'node:child_process'
import { expect } from 'vitest'

export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs `editorbot` exactly as outside scripts do: bin/editorbot.mjs in a child process of this Node. */
export function runCli(args: readonly string[], opts: Omit<SpawnSyncOptions, 'encoding'> = {}): CliRun {
  const r = spawnSync(process.execPath, ['bin/editorbot.mjs', ...args], { ...opts, encoding: 'utf8' })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

/**
 * The CLI on one data directory, named by flag on every call; onnxruntime runs on one thread so
 * training commands in parallel test files do not fight over the cores.
 */
export function cliOn(dataDir: string): {
  cli: (...args: string[]) => CliRun
  /** The command's --json output (its last line: progress may come first); fails the test on a non-zero exit. */
  json: <T>(...args: string[]) => T
} {
  const cli = (...args: string[]): CliRun =>
    runCli([...args, '--data-dir', dataDir], { env: { ...process.env, EDITORBOT_ORT_THREADS: '1' } })
  const json = <T>(...args: string[]): T => {
    const r = cli(...args, '--json')
    expect(r.code, r.stderr).toBe(0)
    const out = r.stdout.trim()
    // A pretty-printed document (songs, status) spans lines; a one-line result may follow progress lines.
    try {
      return JSON.parse(out) as T
    } catch {
      return JSON.parse(out.split('\n').pop() ?? '') as T
    }
  }
  return { cli, json }
}
