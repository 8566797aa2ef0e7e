import { afterAll, describe, expect, it } from 'vitest'
import { tempDataDir } from '../../helpers/temp'
import { runCli, type CliRun } from '../../helpers/cli'

const data = tempDataDir()
afterAll(() => data.cleanup())

const cli = (...args: string[]): CliRun => runCli(args, { env: { ...process.env, EDITORBOT_DATA_DIR: data.dir } })

describe('editorbot CLI', () => {
  it('lists commands with --help', () => {
    const r = cli('--help')
    expect(r.code).toBe(0)
    for (const name of [
      'serve',
      'status',
      'import',
      'songs',
      'beats',
      'features',
      'generate',
      'render',
      'edit',
      'pairs',
      'judge',
      'export',
      'bench'
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
  })

  it('fails with one clear line and a non-zero code on bad input', () => {
    const unknown = cli('frobnicate')
    expect(unknown.code).toBe(2)
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1)
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/)

    const badId = cli('beats', 'abc')
    expect(badId.code).toBe(2)
    expect(badId.stderr.trim()).toBe("editorbot beats: song must be a positive integer, got 'abc'")

    const badFlag = cli('songs', '--colour')
    expect(badFlag.code).toBe(2)
    expect(badFlag.stderr.trim()).toBe(
      'editorbot songs: unknown option --colour (songs takes --data-dir, --json, --help). Usage: editorbot songs [--data-dir DIR] [--json]'
    )

    const missing = cli('beats', '42')
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toMatch(/^editorbot beats: .*42/)
  })

  it('names the missing or malformed flag, in its own words, once', () => {
    const bare = cli('generate')
    expect(bare.code).toBe(2)
    expect(bare.stderr).toMatch(
      /^editorbot generate: missing --song and --generator\. Usage: editorbot generate --song ID/
    )

    const noGenerator = cli('generate', '--song', '1')
    expect(noGenerator.code).toBe(2)
    expect(noGenerator.stderr).toMatch(/^editorbot generate: missing --generator\./)

    const negative = cli('generate', '--song', '1', '--generator', 'rule', '--seed', '-3')
    expect(negative.stderr).toMatch(/^editorbot generate: --seed needs a value \(write --seed=VALUE/)
    for (const r of [bare, noGenerator, negative]) {
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).not.toMatch(/generate: generate:|To specify|positional argument/)
    }
  })

  it("fails with the contract's own validation, named by flag", () => {
    // Past the flag checks, the request goes through the same dispatcher and zod schemas as the UI.
    const seed = cli('generate', '--song', '1', '--generator', 'rule', '--seed=-3')
    expect(seed.code).toBe(2)
    expect(seed.stderr.trim()).toBe('editorbot generate: --seed: Too small: expected number to be >=0')
    const generator = cli('generate', '--song', '1', '--generator', 'nope')
    expect(generator.code).toBe(2)
    expect(generator.stderr).toMatch(/^editorbot generate: --generator: /)
    const status = cli('pairs', '--status', 'lost')
    expect(status.stderr).toMatch(/^editorbot pairs: --status: Invalid option/)
  })

  it('reports status as JSON: data dir, schema version, backend and jobs', () => {
    const r = cli('status', '--json')
    expect(r.code).toBe(0)
    const status = JSON.parse(r.stdout) as {
      dataDir: string
      schemaVersion: number
      backend: { training: string; inference: string }
      jobs: unknown[]
    }
    expect(status.dataDir).toBe(data.dir)
    expect(status.schemaVersion).toBeGreaterThan(0)
    expect(status.backend.training).toMatch(/\S/)
    expect(status.backend.inference).toMatch(/onnxruntime/)
    expect(status.jobs).toEqual([])
  })
})
