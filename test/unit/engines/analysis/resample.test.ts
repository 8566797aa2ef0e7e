import { describe, expect, it } from 'vitest'
import { RealFFT, hannWindow } from '../../../../src/main/engines/analysis/fft.js'
import { resample } from '../../../../src/main/engines/analysis/resample.js'

function sine(freq: number, sampleRate: number, seconds: number): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds))
  for (let i = 0; i < out.length; i++) out[i] = Math.sin((2 * Math.PI * freq * i) / sampleRate)
  return out
}

/** RMS over the middle of the signal (away from the filter's edge transients). */
function middleRms(x: Float32Array): number {
  const start = Math.floor(x.length * 0.2)
  const end = Math.floor(x.length * 0.8)
  let s = 0
  for (let i = start; i < end; i++) s += x[i]! * x[i]!
  return Math.sqrt(s / (end - start))
}

describe('RealFFT', () => {
  it('matches a direct DFT', () => {
    const n = 64
    const fft = new RealFFT(n)
    const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + 0.3 * Math.cos(i * 1.9) + (i % 5) * 0.1)
    const re = new Float64Array(n / 2 + 1)
    const im = new Float64Array(n / 2 + 1)
    fft.forward(x, re, im)
    for (let k = 0; k <= n / 2; k++) {
      let r = 0
      let q = 0
      for (let t = 0; t < n; t++) {
        r += x[t]! * Math.cos((2 * Math.PI * k * t) / n)
        q -= x[t]! * Math.sin((2 * Math.PI * k * t) / n)
      }
      expect(re[k]).toBeCloseTo(r, 9)
      expect(im[k]).toBeCloseTo(q, 9)
    }
  })

  it('puts a windowed bin-centred tone in its bin', () => {
    const fft = new RealFFT(2048)
    const x = Float64Array.from({ length: 2048 }, (_, i) => Math.sin((2 * Math.PI * 100 * i) / 2048))
    const power = new Float64Array(1025)
    fft.powerSpectrum(x, power, hannWindow(2048))
    let best = 0
    for (let k = 1; k < 1025; k++) if (power[k]! > power[best]!) best = k
    expect(best).toBe(100)
  })

  it('matches a direct DFT at every size, radix-2-first and radix-4-only (n/2 = 4^k) alike', () => {
    for (const n of [4, 8, 32, 128, 512, 2048]) {
      const fft = new RealFFT(n)
      const x = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.61) + 0.2 * ((i * 7) % 3) - 0.1)
      const re = new Float64Array(n / 2 + 1)
      const im = new Float64Array(n / 2 + 1)
      const power = new Float64Array(n / 2 + 1)
      fft.forward(x, re, im)
      fft.powerSpectrum(x, power)
      for (const k of [0, 1, n / 4, n / 2 - 1, n / 2]) {
        let r = 0
        let q = 0
        for (let t = 0; t < n; t++) {
          r += x[t]! * Math.cos((2 * Math.PI * k * t) / n)
          q -= x[t]! * Math.sin((2 * Math.PI * k * t) / n)
        }
        expect(re[k]).toBeCloseTo(r, 8)
        expect(im[k]).toBeCloseTo(q, 8)
        expect(power[k]).toBeCloseTo(r * r + q * q, 6)
      }
    }
  })

  it('reads frames straight from the signal, with zeros beyond either end', () => {
    const signal = Float32Array.from({ length: 5000 }, (_, i) => Math.sin(i * 0.05) * Math.cos(i * 0.0031))
    for (const n of [256, 2048]) {
      const fft = new RealFFT(n)
      const window = hannWindow(n)
      const expected = new Float64Array(n / 2 + 1)
      const actual = new Float64Array(n / 2 + 1)
      for (const offset of [-n / 2, 0, 1234, 5000 - n, 5000 - n / 2]) {
        const frame = Float64Array.from({ length: n }, (_, i) => signal[offset + i] ?? 0)
        fft.powerSpectrum(frame, expected, window)
        fft.powerSpectrumAt(signal, offset, actual, window)
        for (let k = 0; k <= n / 2; k++) expect(actual[k]).toBeCloseTo(expected[k]!, 6)
      }
    }
  })

  it('rejects sizes that are not powers of two', () => {
    expect(() => new RealFFT(1000)).toThrow(RangeError)
  })
})

describe('resample', () => {
  it('keeps the length ratio and passes a tone below the new Nyquist', () => {
    const y = resample(sine(1000, 44100, 1), 44100, 22050)
    expect(y.length).toBe(22050)
    expect(middleRms(y)).toBeGreaterThan(0.69) // a unit sine has RMS 0.707
    expect(middleRms(y)).toBeLessThan(0.72)
  })

  it('attenuates content above the new Nyquist instead of aliasing it (44.1 kHz -> 22.05 kHz)', () => {
    // 15 kHz would alias to 7.05 kHz with naive decimation.
    const y = resample(sine(15000, 44100, 1), 44100, 22050)
    expect(20 * Math.log10(middleRms(y) / 0.707)).toBeLessThan(-50)
  })

  it('2:1 half-band decimation: flat pass band to 9 kHz, more than 55 dB down from 13 kHz', () => {
    for (const freq of [100, 4000, 9000]) {
      const y = resample(sine(freq, 44100, 0.5), 44100, 22050)
      expect(Math.abs(20 * Math.log10(middleRms(y) / Math.SQRT1_2))).toBeLessThan(0.1)
    }
    for (const freq of [13000, 17000, 21000]) {
      const y = resample(sine(freq, 44100, 0.5), 44100, 22050)
      expect(20 * Math.log10(middleRms(y) / Math.SQRT1_2)).toBeLessThan(-55)
    }
    const dc = resample(new Float32Array(1000).fill(0.5), 44100, 22050)
    expect(dc[250]).toBeCloseTo(0.5, 6)
  })

  it('attenuates above the new Nyquist for a non-integer ratio (48 kHz -> 22.05 kHz)', () => {
    const y = resample(sine(13000, 48000, 1), 48000, 22050)
    expect(y.length).toBe(22050)
    expect(20 * Math.log10(middleRms(y) / 0.707)).toBeLessThan(-50)
    const pass = resample(sine(440, 48000, 1), 48000, 22050)
    expect(middleRms(pass)).toBeGreaterThan(0.69)
  })

  it('upsamples without changing a low tone or a constant', () => {
    const y = resample(sine(300, 8000, 0.5), 8000, 22050)
    expect(y.length).toBe(Math.round(0.5 * 22050))
    expect(middleRms(y)).toBeCloseTo(0.707, 2)
    const dc = resample(new Float32Array(4000).fill(0.25), 16000, 22050)
    expect(dc[dc.length >> 1]).toBeCloseTo(0.25, 4)
  })

  it('returns a copy at equal rates and rejects bad rates', () => {
    const x = sine(100, 22050, 0.1)
    const y = resample(x, 22050, 22050)
    expect(y).not.toBe(x)
    expect(Array.from(y)).toEqual(Array.from(x))
    expect(() => resample(x, 0, 22050)).toThrow(RangeError)
    expect(() => resample(x, 44100.5, 22050)).toThrow(RangeError)
  })
})
