/** Pure playhead arithmetic of the A/B player (no Tone.js, testable in Node). */

export interface Loop {
  startS: number
  endS: number
}

/** Position in a voice's buffer after `elapsed` seconds from `offset`, following its loop. */
export function voicePosition(offset: number, elapsed: number, loop: Loop | null): number {
  const pos = offset + Math.max(0, elapsed)
  if (!loop || pos < loop.endS) return pos
  const len = loop.endS - loop.startS
  return len > 0 ? loop.startS + ((pos - loop.startS) % len) : loop.startS
}
