import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { tempDataDir } from '../helpers/temp'
import { writeDemoWav } from '../helpers/songs'
import { cliOn, runCli } from '../helpers/cli'
import type { IterationDetail, IterationSummary } from '../../src/shared/domain'

const data = tempDataDir()
const inbox = tempDataDir('editorbot-inbox-')
const restored = tempDataDir('editorbot-restored-')
afterAll(() => {
  data.cleanup()
  inbox.cleanup()
  restored.cleanup()
})
const { cli, json } = cliOn(data.dir)

/**
 * A machine with no display (a GPU server): every step of the loop from the command line alone, on a
 * fresh data directory: import, generate, pairs, judge --simulate, train-reward, train-policy, iterate,
 * export, restore.
 */
describe('the whole loop headless, from the CLI only', () => {
  it('runs every step and brings the project back elsewhere', () => {
    const files = [100, 124, 92].map((bpm, i) =>
      writeDemoWav(inbox.dir, `song-${i}.wav`, { seed: i + 1, bpm, bars: 12 })
    )
    const imported = cli('import', ...files)
    expect(imported.code, imported.stderr).toBe(0)
    const songs = json<{ id: number; status: string }[]>('songs')
    expect(songs.map((s) => s.status)).toEqual(['ready', 'ready', 'ready'])

    for (const s of songs) {
      json<{ editId: number }>('generate', '--song', String(s.id), '--generator', 'rule', '--seed', '3')
      expect(json<unknown[]>('pairs', '--song', String(s.id), '--count', '8').length).toBe(8)
    }
    const judged = json<{ judged: number; remaining: number }>('judge', '--simulate', '--count', '500')
    expect(judged.judged).toBeGreaterThanOrEqual(20)

    const reward = json<{ name: string; activated: boolean }>('train-reward', '--config', 'tiny', '--include-simulated')
    expect(reward).toMatchObject({ name: 'v1', activated: true })
    const policy = json<{ policyId: number; policy: string; rewardModel: string }>(
      'train-policy',
      '--algorithm',
      'ppo',
      '--steps',
      '2048',
      '--config',
      'tiny'
    )
    expect(policy.rewardModel).toBe('v1')

    const it1 = json<IterationDetail>('iterate', '--config', 'tiny', '--pairs', '4')
    expect(it1).toMatchObject({
      number: 1,
      state: 'done',
      settings: { reward: { parent: 'v1' }, policy: { parent: policy.policy } },
      rewardModel: { name: 'v2', parentName: 'v1' }
    })
    const edit = json<{ editId: number }>('generate', '--song', '1', '--generator', `policy:${it1.policy!.id}`)
    expect(edit.editId).toBeGreaterThan(0)

    const archive = path.join(inbox.dir, 'project.tar.gz')
    expect(cli('export', '--what', 'project', '--out', archive).code).toBe(0)
    const back = runCli(['restore', archive, '--data-dir', restored.dir])
    expect(back.code, back.stderr).toBe(0)
    const there = cliOn(restored.dir).json<IterationSummary[]>('iterations')
    expect(there.map((i) => [i.number, i.stage, i.rewardModel?.name, i.policy?.name])).toEqual([
      [1, 'done', 'v2', it1.policy!.name]
    ])
    expect(fs.existsSync(path.join(restored.dir, 'reward-models', 'v2.onnx'))).toBe(true)
    // and the loop goes on there: the restored project judges and iterates again
    expect(cliOn(restored.dir).json<{ judged: number }>('judge', '--simulate', '--count', '50').judged).toBeGreaterThan(
      0
    )
    const it2 = cliOn(restored.dir).json<IterationDetail>('iterate', '--config', 'tiny', '--pairs', '2')
    expect(it2).toMatchObject({ number: 2, state: 'done', settings: { policy: { parent: it1.policy!.name } } })
  }, 300_000)

  it('serve --host is there for annotators judging from their browsers while the box trains', () => {
    const help = runCli(['serve', '--help'])
    expect(help.code).toBe(0)
    expect(help.stdout + help.stderr).toMatch(/--host/)
  })
})
