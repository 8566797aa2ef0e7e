import { afterAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { tempDataDir } from '../helpers/temp'
import { cliOn } from '../helpers/cli'
import { writeDemoWav } from '../helpers/songs'
import { FEATURE_DIM } from '../../src/shared/features'

const data = tempDataDir()
const inbox = tempDataDir('editorbot-inbox-')
afterAll(() => {
  data.cleanup()
  inbox.cleanup()
})

const { cli, json } = cliOn(data.dir)

describe('the CLI contract, end to end on one data directory', () => {
  it('imports, lists, tracks, generates, renders, pairs, judges and exports', () => {
    const good = writeDemoWav(inbox.dir, 'groove.wav', { bpm: 120, bars: 8 })
    const bad = path.join(inbox.dir, 'broken.wav')
    fs.writeFileSync(bad, 'RIFF....not really')
    const imported = cli('import', good, bad)
    expect(imported.code).toBe(1) // one file failed
    expect(imported.stdout).toMatch(/^stored +.*groove\.wav \(song 1\)$/m)
    expect(imported.stdout).toMatch(/^failed +.*broken\.wav: unsupported audio format/m)
    expect(imported.stdout).not.toMatch(/broken\.wav: broken\.wav/)

    const songs =
      json<{ id: number; status: string; tempoBpm: number; beatCount: number; featureVersion: number }[]>('songs')
    expect(songs.find((s) => s.id === 1)).toMatchObject({ status: 'ready' })
    const beats = json<{ beats: { time: number; barPosition: number; phraseStart: boolean }[] }>('beats', '1')
    expect(beats.beats.length).toBe(songs.find((s) => s.id === 1)?.beatCount)
    expect(beats.beats[0]?.phraseStart).toBe(true)
    const features = json<{ dim: number; features: number[][] }>('features', '1')
    expect(features.dim).toBe(FEATURE_DIM)
    expect(features.features.every((row) => row.length === FEATURE_DIM && row.every(Number.isFinite))).toBe(true)

    const rule = json<{ editId: number; outputDurationS: number }>(
      'generate',
      '--song',
      '1',
      '--generator',
      'rule',
      '--target-duration',
      '10',
      '--seed',
      '4'
    )
    const random = json<{ editId: number }>('generate', '--song', '1', '--generator', 'random', '--seed', '9')
    const edit = json<{ actions: number[]; actionNames: string[]; segments: unknown[] }>('edit', String(rule.editId))
    expect(edit.actionNames).toHaveLength(edit.actions.length)
    const out = path.join(inbox.dir, 'rule.wav')
    expect(cli('render', String(rule.editId), '--out', out).code).toBe(0)
    expect(fs.readFileSync(out).subarray(0, 4).toString()).toBe('RIFF')

    const mine = json<{ id: number }>('pairs', '--edits', `${rule.editId},${random.editId}`).id
    const queued = json<{ id: number }[]>('pairs', '--song', '1', '--count', '2')
    expect(queued).toHaveLength(2)
    const listed = json<{ id: number; editAId: number; editBId: number }[]>('pairs')
    expect(listed.map((p) => p.id)).toContain(mine)

    expect(cli('judge', '--pair', String(mine), '--verdict', 'a', '--strength', '2', '--annotator', 'sim').code).toBe(0)
    const refused = cli('judge', '--pair', String(mine), '--verdict', 'maybe', '--annotator', 'sim')
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/verdict/)

    const jsonl = path.join(inbox.dir, 'prefs.jsonl')
    expect(cli('export', '--what', 'preferences', '--format', 'jsonl', '--out', jsonl).code).toBe(0)
    const rows = fs
      .readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { pair_id: number; chosen_edit: { edit_id: number }; rejected_edit: { edit_id: number } }
      )
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      pair_id: mine,
      chosen_edit: { edit_id: rule.editId },
      rejected_edit: { edit_id: random.editId }
    })

    const db = new Database(path.join(data.dir, 'editorbot.sqlite'), { readonly: true })
    expect(db.prepare('SELECT verdict, strength, chosen_edit_id FROM verdicts').all()).toEqual([
      { verdict: 'a', strength: 2, chosen_edit_id: rule.editId }
    ])
    db.close()
  })
})
