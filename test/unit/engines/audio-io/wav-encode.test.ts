import { describe, it, expect } from 'vitest'
import { encodeWav } from '../../../../src/main/engines/audio-io/wav-encode'

const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(...b.subarray(at, at + 4))

describe('the one WAV writer: headers', () => {
  it('float64, WAVE_FORMAT_EXTENSIBLE: fmt of 40 bytes, IEEE-float sub-format, fact chunk, RIFF size', () => {
    const b = encodeWav([new Float32Array([0.5, -0.25, 1])], 22050, 'float64', { extensible: true })
    const v = new DataView(b.buffer)
    expect([ascii(b, 0), ascii(b, 8), ascii(b, 12)]).toEqual(['RIFF', 'WAVE', 'fmt '])
    expect(v.getUint32(16, true)).toBe(40)
    expect(v.getUint16(20, true)).toBe(0xfffe)
    expect([v.getUint16(22, true), v.getUint32(24, true), v.getUint32(28, true), v.getUint16(32, true)]).toEqual([
      1,
      22050,
      22050 * 8,
      8
    ])
    expect([v.getUint16(34, true), v.getUint16(36, true), v.getUint16(38, true)]).toEqual([64, 22, 64])
    expect(v.getUint16(44, true)).toBe(3) // KSDATAFORMAT_SUBTYPE_IEEE_FLOAT
    expect(ascii(b, 60)).toBe('fact')
    expect(v.getUint32(68, true)).toBe(3)
    expect(ascii(b, 72)).toBe('data')
    expect(v.getUint32(76, true)).toBe(24)
    expect(v.getUint32(4, true)).toBe(b.length - 8)
    expect(v.getFloat64(80 + 8, true)).toBe(-0.25)
  })

  it('pcm8: unsigned samples around 128, odd data padded to an even RIFF body', () => {
    const b = encodeWav([new Float32Array([0, 1, -1])], 8000, 'pcm8')
    const v = new DataView(b.buffer)
    expect(v.getUint16(20, true)).toBe(1)
    expect(v.getUint32(16, true)).toBe(16)
    expect(ascii(b, 36)).toBe('data')
    expect(v.getUint32(40, true)).toBe(3)
    expect(Array.from(b.subarray(44, 47))).toEqual([128, 255, 0])
    expect(b.length).toBe(48)
    expect(v.getUint32(4, true)).toBe(40)
  })
})
