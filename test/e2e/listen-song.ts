/** The generated song both A/B screen end-to-end tests import. */
const SR = 22050
export const BPM = 120
const BEAT_S = 60 / BPM
const BEATS = 48 // 24 s, 12 bars of 4/4

/** A small generated song with a clear beat: kick on every beat, snare on 2 and 4, hats, bass and chords. */
export function synthSong(): Buffer {
  const n = Math.round(BEATS * BEAT_S * SR)
  const x = new Float32Array(n)
  let seed = 12345
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff
    return seed / 0x3fffffff - 1
  }
  const roots = [55, 55, 73.42, 65.41, 55, 49, 73.42, 82.41, 55, 55, 73.42, 65.41]
  for (let b = 0; b < BEATS; b++) {
    const t0 = Math.round(b * BEAT_S * SR)
    const bar = Math.floor(b / 4)
    const root = roots[bar % roots.length] as number
    for (let i = 0; i < Math.round(BEAT_S * SR) && t0 + i < n; i++) {
      const t = i / SR
      let v = 0
      // kick: falling sine, fast decay
      v += 0.9 * Math.sin(2 * Math.PI * (50 + 90 * Math.exp(-t * 30)) * t) * Math.exp(-t * 9)
      // snare on beats 2 and 4
      if (b % 2 === 1) v += 0.35 * noise() * Math.exp(-t * 18)
      // hats on eighths
      const te = t % (BEAT_S / 2)
      v += 0.08 * noise() * Math.exp(-te * 60)
      // bass and a chord pad following the bar's root
      v += 0.22 * Math.sin(2 * Math.PI * root * t + b)
      v +=
        0.05 *
        (Math.sin(2 * Math.PI * root * 4 * t) +
          Math.sin(2 * Math.PI * root * 5 * t) +
          Math.sin(2 * Math.PI * root * 6 * t))
      x[t0 + i] = v * 0.6
    }
  }
  const data = Buffer.alloc(n * 2)
  for (let i = 0; i < n; i++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, x[i] as number)) * 32767), i * 2)
  const header = Buffer.alloc(44)
  header.write('RIFF', 0)
  header.writeUInt32LE(36 + data.length, 4)
  header.write('WAVE', 8)
  header.write('fmt ', 12)
  header.writeUInt32LE(16, 16)
  header.writeUInt16LE(1, 20)
  header.writeUInt16LE(1, 22)
  header.writeUInt32LE(SR, 24)
  header.writeUInt32LE(SR * 2, 28)
  header.writeUInt16LE(2, 32)
  header.writeUInt16LE(16, 34)
  header.write('data', 36)
  header.writeUInt32LE(data.length, 40)
  return Buffer.concat([header, data])
}
