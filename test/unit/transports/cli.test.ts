import { afterAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { tempDataDir } from '../../helpers/temp'

const data = tempDataDir()
afterAll(() => data.cleanup())

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/editorbot.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, EDITORBOT_DATA_DIR: data.dir }
  })
  return { code: r.status, stdout: r.stdout, stderr: r.stderr }
}

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
    expect(badFlag.stderr).toMatch(/Unknown option '--colour'/)

    const missing = cli('beats', '42')
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim()).toMatch(/^editorbot beats: .*42/)
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
