import { ACTION_ID } from '../../../../src/shared/actions'
import { synthesizeSong, type SyntheticSongOptions } from '../../../../src/main/engines/edits'

export const A = ACTION_ID

/** 64 beats at 120 BPM (0.5 s), 4/4, phrases of 4 bars, 22.05 kHz stereo music-like audio. */
export function song(opts: SyntheticSongOptions = {}): ReturnType<typeof synthesizeSong> {
  return synthesizeSong({ beats: 64, bpm: 120, sampleRate: 22050, ...opts })
}

export function keepAll(n: number): number[] {
  return new Array<number>(n).fill(A.KEEP)
}

export function withActions(n: number, set: Record<number, number>): number[] {
  const a = keepAll(n)
  for (const [k, v] of Object.entries(set)) a[Number(k)] = v
  return a
}

export { failureOf } from '../../../helpers/failure'

/** Bit-exact equality of two float arrays (fast for long audio). */
export function sameSamples(a: Float32Array, b: Float32Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  )
}
