import { describe, expect, it } from 'vitest'
import { benchRender, encodeWav } from '../../../../src/main/engines/edits'
import { failureOf } from './helpers'

function parseWav(buf: Uint8Array) {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  const tag = (at: number): string => String.fromCharCode(...buf.subarray(at, at + 4))
  expect(tag(0)).toBe('RIFF')
  expect(tag(8)).toBe('WAVE')
  expect(view.getUint32(4, true)).toBe(buf.length - 8)
  const chunks = new Map<string, { at: number; size: number }>()
  let at = 12
  while (at + 8 <= buf.length) {
    const size = view.getUint32(at + 4, true)
    chunks.set(tag(at), { at: at + 8, size })
    at += 8 + size + (size & 1)
  }
  const fmt = chunks.get('fmt ')!
  const data = chunks.get('data')!
  return {
    format: view.getUint16(fmt.at, true),
    channels: view.getUint16(fmt.at + 2, true),
    rate: view.getUint32(fmt.at + 4, true),
    byteRate: view.getUint32(fmt.at + 8, true),
    align: view.getUint16(fmt.at + 12, true),
    bits: view.getUint16(fmt.at + 14, true),
    subFormat: fmt.size >= 40 ? view.getUint16(fmt.at + 24, true) : null,
    fact: chunks.get('fact') ? view.getUint32(chunks.get('fact')!.at, true) : null,
    data,
    view
  }
}

describe('encodeWav', () => {
  const left = Float32Array.from({ length: 1001 }, (_, i) => Math.sin(i / 10) * 0.9)
  const right = Float32Array.from({ length: 1001 }, (_, i) => (i % 50) / 50 - 0.5)
  right[3] = 1.5 // clipped
  right[4] = -1.5

  it('pcm16: interleaved 16-bit PCM, clipped, correct header', () => {
    const w = parseWav(encodeWav([left, right], 44100, 'pcm16'))
    expect(w).toMatchObject({ format: 1, channels: 2, rate: 44100, byteRate: 44100 * 4, align: 4, bits: 16 })
    expect(w.data.size).toBe(1001 * 4)
    for (const i of [0, 10, 500, 1000]) {
      expect(w.view.getInt16(w.data.at + i * 4, true) / 32767).toBeCloseTo(left[i]!, 4)
      if (i > 4) expect(w.view.getInt16(w.data.at + i * 4 + 2, true) / 32767).toBeCloseTo(right[i]!, 4)
    }
    expect(w.view.getInt16(w.data.at + 3 * 4 + 2, true)).toBe(32767)
    expect(w.view.getInt16(w.data.at + 4 * 4 + 2, true)).toBe(-32768)
  })

  it('pcm24 and float32 (with fact chunk), padded to an even size', () => {
    const p24 = parseWav(encodeWav([left], 48000, 'pcm24'))
    expect(p24).toMatchObject({ format: 1, channels: 1, bits: 24, align: 3 })
    const b =
      (p24.view.getUint8(p24.data.at + 30) |
        (p24.view.getUint8(p24.data.at + 31) << 8) |
        (p24.view.getInt8(p24.data.at + 32) << 16)) /
      8388607
    expect(b).toBeCloseTo(left[10]!, 6)
    const f = parseWav(encodeWav([left, right], 22050, 'float32'))
    expect(f).toMatchObject({ format: 3, bits: 32, fact: 1001 })
    expect(f.view.getFloat32(f.data.at + 8 * 10, true)).toBe(left[10])
    expect(encodeWav([left], 44100, 'pcm24').length % 2).toBe(0)
  })

  it('more than two channels use WAVE_FORMAT_EXTENSIBLE', () => {
    const w = parseWav(encodeWav([left, right, left, right, left, right], 44100, 'pcm16'))
    expect(w).toMatchObject({ format: 0xfffe, channels: 6, subFormat: 1, align: 12 })
  })

  it('rejects bad input with the field named', () => {
    expect(failureOf(() => encodeWav([], 44100)).field).toBe('channels')
    expect(failureOf(() => encodeWav([left, new Float32Array(3)], 44100)).field).toBe('channels[1]')
    expect(failureOf(() => encodeWav([left], 0)).field).toBe('sampleRate')
    expect(failureOf(() => encodeWav([left], 44100, 'mp3' as 'pcm16')).field).toBe('format')
  })
})

describe('benchRender', () => {
  it('reports x-realtime for a short synthetic song', async () => {
    const lines: string[] = []
    const r = await benchRender({ log: (l) => lines.push(l), durationS: 20, sampleRate: 22050, repeats: 1 })
    expect(typeof r.xRealtime).toBe('number')
    expect(r.xRealtime as number).toBeGreaterThan(50)
    expect(lines.some((l) => /x realtime/.test(l))).toBe(true)
  })
})
