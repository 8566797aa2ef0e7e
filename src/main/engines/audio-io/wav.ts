import { AppFailure } from '../../../shared/result.js'

/** RIFF/WAVE reader: PCM 8/16/24/32-bit integer, IEEE float 32/64-bit, WAVE_FORMAT_EXTENSIBLE. */

const WAVE_FORMAT_PCM = 0x0001
const WAVE_FORMAT_IEEE_FLOAT = 0x0003
const WAVE_FORMAT_EXTENSIBLE = 0xfffe

const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3'
}

export interface WavData {
  sampleRate: number
  channels: Float32Array[]
}

function fourCC(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(bytes[offset]!, bytes[offset + 1]!, bytes[offset + 2]!, bytes[offset + 3]!)
}

function isChunkId(bytes: Uint8Array, offset: number): boolean {
  if (offset + 4 > bytes.length) return false
  for (let i = 0; i < 4; i++) {
    const c = bytes[offset + i]!
    if (c < 0x20 || c > 0x7e) return false
  }
  return true
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && fourCC(bytes, 0) === 'RIFF' && fourCC(bytes, 8) === 'WAVE'
}

interface WavFormat {
  formatTag: number
  channelCount: number
  sampleRate: number
  blockAlign: number
  bitsPerSample: number
}

function parseFormat(view: DataView, offset: number, size: number, name: string): WavFormat {
  if (size < 16) throw new AppFailure('corrupt', `${name}: WAV 'fmt ' chunk is ${size} bytes, needs at least 16`)
  let formatTag = view.getUint16(offset, true)
  const channelCount = view.getUint16(offset + 2, true)
  const sampleRate = view.getUint32(offset + 4, true)
  const blockAlign = view.getUint16(offset + 12, true)
  const bitsPerSample = view.getUint16(offset + 14, true)
  if (formatTag === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40)
      throw new AppFailure('corrupt', `${name}: WAVE_FORMAT_EXTENSIBLE 'fmt ' chunk is ${size} bytes, needs 40`)
    // The first two bytes of the SubFormat GUID carry the ordinary format tag.
    formatTag = view.getUint16(offset + 24, true)
  }
  if (formatTag !== WAVE_FORMAT_PCM && formatTag !== WAVE_FORMAT_IEEE_FLOAT) {
    const label = FORMAT_NAMES[formatTag] ?? `format tag 0x${formatTag.toString(16).padStart(4, '0')}`
    throw new AppFailure(
      'unsupported',
      `${name}: unsupported WAV codec (${label}); only PCM integer and IEEE float are supported`
    )
  }
  if (channelCount < 1 || channelCount > 64)
    throw new AppFailure('corrupt', `${name}: WAV header claims ${channelCount} channels`)
  if (sampleRate < 1000 || sampleRate > 1_536_000)
    throw new AppFailure('corrupt', `${name}: WAV header claims a sample rate of ${sampleRate} Hz`)
  const validBits =
    formatTag === WAVE_FORMAT_PCM ? [8, 16, 24, 32].includes(bitsPerSample) : [32, 64].includes(bitsPerSample)
  if (!validBits) {
    const kind = formatTag === WAVE_FORMAT_PCM ? 'integer PCM' : 'float'
    throw new AppFailure('unsupported', `${name}: unsupported WAV sample size: ${bitsPerSample}-bit ${kind}`)
  }
  const bytesPerSample = bitsPerSample / 8
  if (blockAlign < channelCount * bytesPerSample) {
    throw new AppFailure(
      'corrupt',
      `${name}: WAV block align ${blockAlign} is too small for ${channelCount} x ${bitsPerSample}-bit samples`
    )
  }
  return { formatTag, channelCount, sampleRate, blockAlign, bitsPerSample }
}

export function parseWav(bytes: Uint8Array, name: string): WavData {
  if (!isWav(bytes)) throw new AppFailure('corrupt', `${name}: not a RIFF/WAVE file`)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let format: WavFormat | null = null
  let dataOffset = -1
  let dataSize = 0
  let offset = 12
  while (offset + 8 <= bytes.length) {
    const id = fourCC(bytes, offset)
    const declared = view.getUint32(offset + 4, true)
    const body = offset + 8
    const available = bytes.length - body
    if (id === 'fmt ') {
      if (declared > available) throw new AppFailure('corrupt', `${name}: truncated WAV 'fmt ' chunk`)
      format = parseFormat(view, body, declared, name)
    } else if (id === 'data') {
      dataOffset = body
      // Streaming writers leave 0 or 0xFFFFFFFF when the length was unknown: take the rest of the file.
      if (declared === 0xffffffff || (declared === 0 && available > 0)) dataSize = available
      else if (declared > available) {
        throw new AppFailure(
          'corrupt',
          `${name}: truncated WAV: data chunk declares ${declared} bytes but only ${available} are present`
        )
      } else dataSize = declared
      if (format !== null) break
    }
    if (declared > available) break
    let next = body + declared + (declared & 1)
    // Some writers omit the pad byte after odd-sized chunks: accept the unpadded position if that is where a chunk id is.
    if ((declared & 1) === 1 && !isChunkId(bytes, next) && isChunkId(bytes, next - 1)) next -= 1
    offset = next
  }
  if (format === null) throw new AppFailure('corrupt', `${name}: WAV file has no 'fmt ' chunk`)
  if (dataOffset < 0) throw new AppFailure('corrupt', `${name}: WAV file has no 'data' chunk`)
  const frameCount = Math.floor(dataSize / format.blockAlign)
  if (frameCount === 0) throw new AppFailure('corrupt', `${name}: WAV file contains no audio samples`)
  return { sampleRate: format.sampleRate, channels: readSamples(view, dataOffset, frameCount, format) }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * 16-bit PCM and 32-bit float data read through a typed-array view of the file bytes (when the
 * data is aligned, as it almost always is): one multiply per sample, no DataView call.
 */
function readAligned(view: DataView, dataOffset: number, frameCount: number, format: WavFormat): Float32Array[] | null {
  const { channelCount, bitsPerSample, formatTag } = format
  const start = view.byteOffset + dataOffset
  const int16 = formatTag !== WAVE_FORMAT_IEEE_FLOAT && bitsPerSample === 16
  const float32 = formatTag === WAVE_FORMAT_IEEE_FLOAT && bitsPerSample === 32
  if (!LITTLE_ENDIAN_HOST || !(int16 || float32) || format.blockAlign !== channelCount * (bitsPerSample / 8))
    return null
  if (start % (bitsPerSample / 8) !== 0) return null
  const total = frameCount * channelCount
  const channels: Float32Array[] = []
  for (let c = 0; c < channelCount; c++) channels.push(new Float32Array(frameCount))
  if (int16) {
    const samples = new Int16Array(view.buffer, start, total)
    const scale = 1 / 32768
    for (let c = 0; c < channelCount; c++) {
      const out = channels[c]!
      for (let i = 0, p = c; i < frameCount; i++, p += channelCount) out[i] = samples[p]! * scale
    }
  } else {
    const samples = new Float32Array(view.buffer, start, total)
    for (let c = 0; c < channelCount; c++) {
      const out = channels[c]!
      for (let i = 0, p = c; i < frameCount; i++, p += channelCount) {
        const v = samples[p]!
        // Float WAVs can legally hold NaN/Inf; keep the analysis finite.
        out[i] = v - v === 0 ? v : 0
      }
    }
  }
  return channels
}

function readSamples(view: DataView, dataOffset: number, frameCount: number, format: WavFormat): Float32Array[] {
  const fast = readAligned(view, dataOffset, frameCount, format)
  if (fast !== null) return fast
  const { channelCount, blockAlign, bitsPerSample, formatTag } = format
  const channels: Float32Array[] = []
  for (let c = 0; c < channelCount; c++) channels.push(new Float32Array(frameCount))
  const bytesPerSample = bitsPerSample / 8
  for (let c = 0; c < channelCount; c++) {
    const out = channels[c]!
    let p = dataOffset + c * bytesPerSample
    if (formatTag === WAVE_FORMAT_IEEE_FLOAT) {
      if (bitsPerSample === 32) for (let i = 0; i < frameCount; i++, p += blockAlign) out[i] = view.getFloat32(p, true)
      else for (let i = 0; i < frameCount; i++, p += blockAlign) out[i] = view.getFloat64(p, true)
      // Float WAVs can legally hold NaN/Inf; keep the analysis finite.
      for (let i = 0; i < frameCount; i++) if (!Number.isFinite(out[i]!)) out[i] = 0
    } else if (bitsPerSample === 8) {
      for (let i = 0; i < frameCount; i++, p += blockAlign) out[i] = (view.getUint8(p) - 128) / 128
    } else if (bitsPerSample === 16) {
      for (let i = 0; i < frameCount; i++, p += blockAlign) out[i] = view.getInt16(p, true) / 32768
    } else if (bitsPerSample === 24) {
      for (let i = 0; i < frameCount; i++, p += blockAlign) {
        const v = view.getUint8(p) | (view.getUint8(p + 1) << 8) | (view.getInt8(p + 2) << 16)
        out[i] = v / 8388608
      }
    } else {
      for (let i = 0; i < frameCount; i++, p += blockAlign) out[i] = view.getInt32(p, true) / 2147483648
    }
  }
  return channels
}
