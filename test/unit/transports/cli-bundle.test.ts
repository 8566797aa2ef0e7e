import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { tempDataDir } from '../../helpers/temp'
import { runCli, type CliRun } from '../../helpers/cli'
import { writeDemoWav } from '../../helpers/songs'
// @ts-expect-error plain ES module scripts without type declarations
import { buildCli } from '../../../scripts/build-cli.mjs'
// @ts-expect-error plain ES module scripts without type declarations
import { cliBundleIsCurrent } from '../../../bin/cli-bundle.mjs'

const build = buildCli as () => Promise<{ outdir: string; inputs: number }>
const isCurrent = cliBundleIsCurrent as (root: string) => boolean

const data = tempDataDir()
const fakeRoot = tempDataDir()
afterAll(() => {
  data.cleanup()
  fakeRoot.cleanup()
})

beforeAll(async () => {
  await build()
}, 60_000)

const cli = (...args: string[]): CliRun => runCli(args, { env: { ...process.env, EDITORBOT_DATA_DIR: data.dir } })

describe('the CLI bundle (out/cli)', () => {
  it('is current right after a build, so bin/editorbot.mjs runs it', () => {
    expect(isCurrent(process.cwd())).toBe(true)
    const manifest = JSON.parse(fs.readFileSync('out/cli/inputs.json', 'utf8')) as { inputs: string[] }
    expect(manifest.inputs).toContain('src/main/transports/cli/index.ts')
    expect(manifest.inputs).toContain('src/main/workers/job-worker.ts')
    expect(manifest.inputs.some((f) => f.startsWith('node_modules/'))).toBe(false)
  })

  it('is stale once a source file in it is newer or gone', () => {
    const src = path.join(fakeRoot.dir, 'src')
    fs.mkdirSync(src, { recursive: true })
    fs.mkdirSync(path.join(fakeRoot.dir, 'out/cli'), { recursive: true })
    fs.writeFileSync(path.join(src, 'a.ts'), '')
    fs.writeFileSync(path.join(fakeRoot.dir, 'out/cli/index.cjs'), '')
    const manifest = (builtAt: number): void =>
      fs.writeFileSync(
        path.join(fakeRoot.dir, 'out/cli/inputs.json'),
        JSON.stringify({ builtAt, inputs: ['src/a.ts'] })
      )
    manifest(Date.now() + 60_000)
    expect(isCurrent(fakeRoot.dir)).toBe(true)
    manifest(Date.now() - 60_000)
    expect(isCurrent(fakeRoot.dir)).toBe(false)
    manifest(Date.now() + 60_000)
    fs.rmSync(path.join(src, 'a.ts'))
    expect(isCurrent(fakeRoot.dir)).toBe(false)
  })

  it('runs commands and their worker threads (analysis, render) from the bundle', () => {
    const wav = writeDemoWav(data.dir, 'groove.wav', { bpm: 120, bars: 4 })
    const imported = cli('import', wav)
    expect(imported.stdout).toMatch(/^stored +.*groove\.wav \(song 1\)$/m)
    const edit = cli('generate', '--song', '1', '--generator', 'rule', '--seed', '2')
    expect(edit.stdout.trim()).toMatch(/^\d+$/)
    const out = path.join(data.dir, 'edit.wav')
    const rendered = cli('render', edit.stdout.trim(), '--out', out)
    expect(rendered.stderr).toBe('')
    expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe('RIFF')
  })
})
