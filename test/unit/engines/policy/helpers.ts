import { FEATURE_DIM } from '../../../../src/shared/features'
import type { SongStructure } from '../../../../src/main/engines/edits'
import { mulberry32 } from '../../../../src/shared/random'
import { REL_RMS_INDEX } from '../../../../src/main/engines/policy'

/**
 * A hand-made song: `beats` beats of `ibiS` seconds (or per-beat lengths), 4/4, phrases of
 * `phraseBars` bars, features = section vector (A before `sectionAt`, B after) + small noise, with
 * rel_rms set per beat (`loudness`).
 */
export function handSong(
  opts: {
    beats?: number
    ibiS?: number | ((i: number) => number)
    phraseBars?: number
    sectionAt?: number
    loudness?: (i: number) => number
  } = {}
): SongStructure {
  const n = opts.beats ?? 64
  const ibi = typeof opts.ibiS === 'function' ? opts.ibiS : () => (opts.ibiS as number | undefined) ?? 0.5
  const phraseBeats = 4 * (opts.phraseBars ?? 4)
  const sectionAt = opts.sectionAt ?? n
  const rnd = mulberry32(7)
  const beatTimes: number[] = []
  let t = 0.1
  for (let i = 0; i < n; i++) {
    beatTimes.push(t)
    t += ibi(i)
  }
  const features = new Float32Array(n * FEATURE_DIM)
  for (let i = 0; i < n; i++) {
    const section = i < sectionAt ? 0 : 1
    for (let d = 0; d < FEATURE_DIM; d++) {
      const base = d % 2 === section ? 1 : -1
      features[i * FEATURE_DIM + d] = base + 0.05 * (rnd() - 0.5)
    }
    features[i * FEATURE_DIM + REL_RMS_INDEX] = opts.loudness ? opts.loudness(i) : 1
  }
  return {
    sampleRate: 8000,
    durationS: t + 0.5,
    beatTimes,
    barPosition: beatTimes.map((_, i) => i % 4),
    barIndex: beatTimes.map((_, i) => Math.floor(i / 4)),
    phraseStart: beatTimes.map((_, i) => (i % phraseBeats === 0 ? 1 : 0)),
    beatsPerBar: 4,
    features
  }
}
