import * as songsQ from '../../src/main/db/queries/songs'
import * as editsQ from '../../src/main/db/queries/edits'
import type { Db } from '../../src/main/db/connection'
import type { ListenRandom } from '../../src/main/services/listen'
import { requestSchemas, type ParsedInput } from '../../src/shared/api'
import { FEATURE_DIM, FEATURE_VERSION } from '../../src/shared/features'
import type { EditSegment, PairPresentation } from '../../src/shared/domain'

/** The listening tests' song: 16 beats of 0.5 s, analysed (stored rows only, no audio file needed). */
export const BEATS = 16
export const BEAT_S = 0.5

export function seedSong(db: Db, contentHash = 'song-hash-1'): number {
  const id = songsQ.insertSong(db, {
    contentHash,
    title: 'Test song',
    artist: null,
    album: null,
    originalName: 'test.wav',
    audioPath: 'songs/test.wav',
    format: 'wav',
    durationS: BEATS * BEAT_S,
    sampleRate: 44100,
    channels: 1
  })
  songsQ.saveAnalysis(db, id, {
    featureVersion: FEATURE_VERSION,
    featureDim: FEATURE_DIM,
    tempoBpm: 120,
    beatsPerBar: 4,
    beatTimes: Float64Array.from({ length: BEATS }, (_, i) => i * BEAT_S),
    barPosition: Int32Array.from({ length: BEATS }, (_, i) => i % 4),
    barIndex: Int32Array.from({ length: BEATS }, (_, i) => Math.floor(i / 4)),
    phraseStart: Uint8Array.from({ length: BEATS }, (_, i) => (i % 16 === 0 ? 1 : 0)),
    confidence: new Float32Array(BEATS).fill(1),
    features: new Float32Array(BEATS * FEATURE_DIM),
    waveform: new Float32Array(64)
  })
  songsQ.setSongStatus(db, id, 'ready')
  return id
}

/** An edit that keeps the beats listed (KEEP) and cuts the rest. */
export function seedEdit(db: Db, song: number, kept: number[], generator: string): number {
  const actions = Uint8Array.from({ length: BEATS }, (_, i) => (kept.includes(i) ? 0 : 1))
  const segments: EditSegment[] = kept.map((b, k) => ({
    srcStart: b * BEAT_S,
    srcEnd: (b + 1) * BEAT_S,
    outStart: k * BEAT_S,
    fadeIn: 0,
    gain: 'flat',
    beat: b,
    action: 0,
    cause: b
  }))
  return editsQ.insertEdit(db, {
    songId: song,
    actions,
    generator,
    policyId: null,
    policyVersion: null,
    seed: 7,
    targetDurationS: null,
    outputDurationS: kept.length * BEAT_S,
    segments,
    contentHash: `edit-${generator}-${kept.join('.')}`
  })
}

/** Four edits of the song with different beats kept. */
export function seedEdits(db: Db, song: number): number[] {
  return [
    seedEdit(db, song, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'rule'),
    seedEdit(db, song, [0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15], 'random'),
    seedEdit(db, song, [4, 5, 6, 7, 8, 9, 10, 11], 'identity'),
    seedEdit(db, song, [0, 1, 2, 3, 12, 13, 14, 15], 'manual')
  ]
}

/** A fixed sequence of "random" numbers so side assignment is known in each test. */
export const fixedRandom = (values: number[]): ListenRandom => {
  let i = 0
  return { next: () => values[i++ % values.length] as number }
}
export const noSwap = fixedRandom([0.9])

/** A valid submission for the pair as presented (heard long enough), with overrides. */
export function submitInput(
  p: PairPresentation,
  annotatorId: number,
  over: Partial<ParsedInput<'verdicts.submit'>> = {}
): ParsedInput<'verdicts.submit'> {
  return requestSchemas['verdicts.submit'].parse({
    pairId: p.pairId,
    annotatorId,
    verdict: 'a',
    strength: 2,
    shownAEditId: p.shownA.id,
    shownBEditId: p.shownB.id,
    listenedAMs: 4000,
    listenedBMs: 3500,
    switches: 3,
    decisionMs: 12_000,
    marks: [{ side: 'b', atS: 1.25 }],
    note: 'B stutters at the splice',
    ...over
  })
}
