import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import path from 'node:path'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { generateEdit, renderEditToFile } from '../../src/main/services/edits/edit-service'
import { decodeAudioFile } from '../../src/main/engines/audio-io/decode'
import { integratedLoudness } from '../../src/shared/loudness'
import * as songsQ from '../../src/main/db/queries/songs'
import { tempDataDir } from '../helpers/temp'
import { addAnalysedSong } from '../helpers/songs'
import { failureOf } from '../helpers/failure'

let ctx: AppContext
let songId: number
let songS: number
const data = tempDataDir()
const inbox = tempDataDir('editorbot-inbox-')

beforeAll(async () => {
  ctx = createAppContext({ dataDir: data.dir })
  songId = await addAnalysedSong(ctx, inbox.dir, { bpm: 120, bars: 8 })
  songS = (songsQ.getSong(ctx.db, songId) as { durationS: number }).durationS
})
afterAll(async () => {
  await ctx.close()
  data.cleanup()
  inbox.cleanup()
})

describe('target durations of generated edits', () => {
  it('refuses a target beyond 2x or below 0.25x of the song with the allowed range in the message', () => {
    const far = failureOf(() => generateEdit(ctx.db, songId, 'rule', { seed: 1, targetDurationS: songS * 8 }))
    expect(far.kind).toBe('validation')
    expect(far.field).toBe('targetDurationS')
    expect(far.message).toContain(`${(songS * 0.25).toFixed(1)}–${(songS * 2).toFixed(1)} s`)
    expect(far.message).toContain('0.25x to 2x')
    expect(failureOf(() => generateEdit(ctx.db, songId, 'random', { targetDurationS: songS * 0.2 })).field).toBe(
      'targetDurationS'
    )
  })

  it('accepts the range ends and makes edits near them', () => {
    const long = generateEdit(ctx.db, songId, 'rule', { seed: 2, targetDurationS: songS * 2 })
    expect(long.outputDurationS).toBeGreaterThan(songS * 1.5)
    const short = generateEdit(ctx.db, songId, 'rule', { seed: 3, targetDurationS: songS * 0.25 })
    expect(short.outputDurationS).toBeLessThan(songS * 0.5)
  })
})

describe('render loudness', () => {
  it('measures each render once, returns it with the render and matches a fresh measurement of the WAV', async () => {
    const edit = generateEdit(ctx.db, songId, 'random', { seed: 7 })
    const first = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    expect(first.loudnessLufs).not.toBeNull()
    const wav = path.join(ctx.dataDir, first.renderPath)
    const audio = await decodeAudioFile(wav)
    const fresh = integratedLoudness(audio.channels, audio.sampleRate) as number
    // The render is measured before 16-bit quantisation: the two agree to well under 0.1 LU.
    expect(Math.abs((first.loudnessLufs as number) - fresh)).toBeLessThan(0.05)
    expect(first.loudnessLufs as number).toBeLessThan(0)
    expect(first.loudnessLufs as number).toBeGreaterThan(-40)
    const cached = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    expect(cached.loudnessLufs).toBe(first.loudnessLufs)
  })

  it('measures a render made before loudness was stored (no sidecar) when it is asked for', async () => {
    const edit = generateEdit(ctx.db, songId, 'rule', { seed: 9, targetDurationS: songS * 0.6 })
    const first = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    const wav = path.join(ctx.dataDir, first.renderPath)
    const sidecars = fs.readdirSync(path.dirname(wav)).filter((f) => f.startsWith(path.basename(wav) + '.'))
    expect(sidecars).toHaveLength(1)
    fs.rmSync(path.join(path.dirname(wav), sidecars[0] as string))
    const again = await renderEditToFile(ctx.db, ctx.dataDir, edit.id)
    expect(again.loudnessLufs).not.toBeNull()
    expect(Math.abs((again.loudnessLufs as number) - (first.loudnessLufs as number))).toBeLessThan(0.05)
  })
})
