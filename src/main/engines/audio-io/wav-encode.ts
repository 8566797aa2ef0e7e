import { AppFailure } from '../../../shared/result'

/** Sample encodings the writer knows; renders use pcm16/pcm24/float32, the rest serve decoder tests. */
export type WavEncoding = 'pcm8' | 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64'
const BYTES: Record<WavEncoding, number> = { pcm8: 1, pcm16: 2, pcm24: 3, pcm32: 4, float32: 4, float64: 8 }

const KSDATAFORMAT_PCM = [
  0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
]
const KSDATAFORMAT_FLOAT = [
  0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71
]

/**
 * Encodes planar channels as a RIFF/WAVE file: the one WAV writer. pcm8 (unsigned)/16/24/32: integer
 * PCM (format tag 1), samples clipped to [-1, 1] and rounded (no dither); float32/float64: IEEE float
 * (tag 3, cbSize 0) with a `fact` chunk. More than two channels, or `extensible`, use
 * WAVE_FORMAT_EXTENSIBLE with the matching sub-format. Little-endian throughout.
 */
export function encodeWav(
  channels: Float32Array[],
  sampleRate: number,
  format: WavEncoding = 'pcm16',
  opts: { extensible?: boolean } = {}
): Uint8Array {
  if (channels.length === 0) throw new AppFailure('validation', 'no channels to encode', 'channels')
  if (!Number.isInteger(sampleRate) || sampleRate <= 0)
    throw new AppFailure('validation', `sample rate must be a positive integer, got ${sampleRate}`, 'sampleRate')
  if (!Object.hasOwn(BYTES, format))
    throw new AppFailure('validation', `unknown WAV format '${String(format)}'`, 'format')
  const frames = (channels[0] as Float32Array).length
  for (const [c, ch] of channels.entries())
    if (ch.length !== frames)
      throw new AppFailure(
        'validation',
        `channel ${c} has ${ch.length} samples, channel 0 has ${frames}`,
        `channels[${c}]`
      )
  const nch = channels.length
  const bytesPer = BYTES[format]
  const isFloat = format === 'float32' || format === 'float64'
  const extensible = nch > 2 || opts.extensible === true
  const fmtSize = extensible ? 40 : isFloat ? 18 : 16
  const factSize = isFloat ? 12 : 0
  const dataBytes = frames * nch * bytesPer
  const headerBytes = 12 + 8 + fmtSize + factSize + 8
  const padded = dataBytes + (dataBytes & 1)
  if (headerBytes - 8 + padded > 0xffffffff)
    throw new AppFailure('validation', 'audio too long for a WAV file (4 GiB limit)', 'channels')
  const buf = new Uint8Array(headerBytes + padded)
  const view = new DataView(buf.buffer)
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i)
  }
  ascii(0, 'RIFF')
  view.setUint32(4, headerBytes - 8 + padded, true)
  ascii(8, 'WAVE')
  ascii(12, 'fmt ')
  view.setUint32(16, fmtSize, true)
  view.setUint16(20, extensible ? 0xfffe : isFloat ? 3 : 1, true)
  view.setUint16(22, nch, true)
  view.setUint32(24, sampleRate, true)
  view.setUint32(28, sampleRate * nch * bytesPer, true)
  view.setUint16(32, nch * bytesPer, true)
  view.setUint16(34, bytesPer * 8, true)
  let at = 36
  if (extensible) {
    view.setUint16(at, 22, true)
    view.setUint16(at + 2, bytesPer * 8, true)
    view.setUint32(at + 4, 0, true) // channel mask: unspecified
    buf.set(isFloat ? KSDATAFORMAT_FLOAT : KSDATAFORMAT_PCM, at + 8)
    at += 24
  } else if (isFloat) {
    view.setUint16(at, 0, true)
    at += 2
  }
  if (isFloat) {
    ascii(at, 'fact')
    view.setUint32(at + 4, 4, true)
    view.setUint32(at + 8, frames, true)
    at += 12
  }
  ascii(at, 'data')
  view.setUint32(at + 4, dataBytes, true)
  at += 8
  for (let c = 0; c < nch; c++) {
    const ch = channels[c] as Float32Array
    const stride = nch * bytesPer
    let pos = at + c * bytesPer
    if (format === 'pcm8') {
      for (let i = 0; i < frames; i++, pos += stride) {
        const v = ch[i] as number
        buf[pos] = v >= 1 ? 255 : v <= -1 ? 0 : Math.round(v * 127) + 128
      }
    } else if (format === 'pcm16') {
      for (let i = 0; i < frames; i++, pos += stride) {
        const v = ch[i] as number
        const x = v >= 1 ? 32767 : v <= -1 ? -32768 : Math.round(v * 32767) || 0
        view.setInt16(pos, x, true)
      }
    } else if (format === 'pcm24') {
      for (let i = 0; i < frames; i++, pos += stride) {
        const v = ch[i] as number
        const x = v >= 1 ? 8388607 : v <= -1 ? -8388608 : Math.round(v * 8388607) || 0
        buf[pos] = x & 0xff
        buf[pos + 1] = (x >> 8) & 0xff
        buf[pos + 2] = (x >> 16) & 0xff
      }
    } else if (format === 'pcm32') {
      for (let i = 0; i < frames; i++, pos += stride) {
        const v = ch[i] as number
        view.setInt32(pos, v >= 1 ? 2147483647 : v <= -1 ? -2147483648 : Math.round(v * 2147483647) || 0, true)
      }
    } else if (format === 'float32') {
      for (let i = 0; i < frames; i++, pos += stride) view.setFloat32(pos, ch[i] as number, true)
    } else {
      for (let i = 0; i < frames; i++, pos += stride) view.setFloat64(pos, ch[i] as number, true)
    }
  }
  return buf
}
