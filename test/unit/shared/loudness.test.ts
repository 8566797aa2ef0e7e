import { describe, expect, it } from 'vitest'
import { integratedLoudness } from '../../../src/shared/loudness'

/** A sine at `dbfs` peak level for each [seconds, dBFS] section, one channel. */
function sineSections(fs: number, hz: number, sections: readonly [number, number][]): Float32Array {
  const n = sections.reduce((s, [sec]) => s + Math.round(sec * fs), 0)
  const x = new Float32Array(n)
  let i = 0
  for (const [sec, dbfs] of sections) {
    const amp = 10 ** (dbfs / 20)
    const end = i + Math.round(sec * fs)
    for (; i < end; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / fs)
  }
  return x
}

const stereo = (x: Float32Array): Float32Array[] => [x, x]

describe('integrated loudness (ITU-R BS.1770-4 / EBU R128)', () => {
  // EBU Tech 3341 minimum requirements, cases 1-4 (stereo 1 kHz sine, tolerance +-0.1 LU).
  it('EBU 3341 case 1: stereo 1 kHz at -23 dBFS reads -23.0 LUFS', () => {
    const l = integratedLoudness(stereo(sineSections(48000, 1000, [[20, -23]])), 48000)
    expect(l).not.toBeNull()
    expect(Math.abs((l as number) + 23)).toBeLessThan(0.1)
  })

  it('EBU 3341 case 2: stereo 1 kHz at -33 dBFS reads -33.0 LUFS', () => {
    const l = integratedLoudness(stereo(sineSections(48000, 1000, [[20, -33]])), 48000) as number
    expect(Math.abs(l + 33)).toBeLessThan(0.1)
  })

  it('EBU 3341 case 3: the relative gate drops the quiet -36 dBFS passages (reads -23.0)', () => {
    const x = sineSections(48000, 1000, [
      [10, -36],
      [60, -23],
      [10, -36]
    ])
    expect(Math.abs((integratedLoudness(stereo(x), 48000) as number) + 23)).toBeLessThan(0.1)
  })

  it('EBU 3341 case 4: the absolute gate drops -72 dBFS, the relative gate -36 dBFS (reads -23.0)', () => {
    const x = sineSections(48000, 1000, [
      [10, -72],
      [10, -36],
      [60, -23],
      [10, -36],
      [10, -72]
    ])
    expect(Math.abs((integratedLoudness(stereo(x), 48000) as number) + 23)).toBeLessThan(0.1)
  })

  it('BS.1770 calibration: a 0 dBFS 997 Hz sine on one channel reads -3.01 LKFS', () => {
    const l = integratedLoudness([sineSections(48000, 997, [[5, 0]])], 48000) as number
    expect(Math.abs(l + 3.01)).toBeLessThan(0.05)
  })

  it('mono 1 kHz at -20 dBFS reads -23.0 LUFS at 44.1 kHz and 22.05 kHz (filters designed per rate)', () => {
    for (const fs of [44100, 22050]) {
      const l = integratedLoudness([sineSections(fs, 1000, [[10, -20]])], fs) as number
      expect(Math.abs(l + 23)).toBeLessThan(0.1)
    }
  })

  it('K-weighting: low frequencies count less, the presence region more', () => {
    const at = (hz: number): number => integratedLoudness([sineSections(48000, hz, [[5, -20]])], 48000) as number
    // The 38 Hz high-pass takes a 30 Hz tone down by several dB; the shelf lifts 4 kHz by about 4 dB.
    expect(at(30)).toBeLessThan(at(1000) - 3)
    expect(at(4000) - at(1000)).toBeGreaterThan(3)
    expect(at(4000) - at(1000)).toBeLessThan(4.5)
  })

  it('6 dB more level reads 6 LU louder', () => {
    const quiet = integratedLoudness(stereo(sineSections(48000, 440, [[5, -26]])), 48000) as number
    const loud = integratedLoudness(stereo(sineSections(48000, 440, [[5, -20]])), 48000) as number
    expect(Math.abs(loud - quiet - 6)).toBeLessThan(0.05)
  })

  it('silence, and audio shorter than one 400 ms block, have no loudness', () => {
    expect(integratedLoudness([new Float32Array(48000 * 3)], 48000)).toBeNull()
    expect(integratedLoudness([sineSections(48000, 1000, [[0.3, -20]])], 48000)).toBeNull()
    expect(integratedLoudness([], 48000)).toBeNull()
  })
})
