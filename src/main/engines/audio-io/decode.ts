import { readFile } from 'node:fs/promises'
import { extname } from 'node:path'
import { AppFailure } from '../../../shared/result.js'
import { isWav, parseWav } from './wav.js'

export interface DecodedAudio {
  sampleRate: number
  channels: Float32Array[]
  durationS: number
  format: 'wav' | 'mp3' | 'flac' | 'ogg'
}

type Format = DecodedAudio['format']

const AUDIO_EXTENSIONS = new Set(['.wav', '.wave', '.mp3', '.flac', '.ogg', '.oga'])

/** Formats we recognise by signature but do not decode: named in the error so the user knows why. */
function foreignFormat(bytes: Uint8Array): string | null {
  const ascii = (offset: number, length: number): string =>
    bytes.length >= offset + length ? String.fromCharCode(...bytes.subarray(offset, offset + length)) : ''
  if (ascii(4, 4) === 'ftyp') return 'MPEG-4/AAC (M4A)'
  if (ascii(0, 4) === 'FORM' && (ascii(8, 4) === 'AIFF' || ascii(8, 4) === 'AIFC')) return 'AIFF'
  if (ascii(0, 4) === 'RIFF') return `RIFF ${ascii(8, 4).trim() || 'container'} (not WAVE)`
  if (ascii(0, 4) === 'RIFX') return 'big-endian RIFX WAV'
  if (ascii(0, 4) === 'RF64') return 'RF64 (64-bit WAV)'
  if (ascii(0, 4) === 'MThd') return 'MIDI'
  if (ascii(0, 4) === 'wvpk') return 'WavPack'
  if (ascii(0, 4) === 'MAC ') return "Monkey's Audio"
  if (bytes.length >= 4 && bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3)
    return 'Matroska/WebM'
  if (bytes.length >= 2 && bytes[0] === 0xff && (bytes[1]! & 0xf6) === 0xf0) return 'AAC (ADTS)'
  return null
}

// ---------------------------------------------------------------------------------------------
// MPEG audio frame walking: validates the signature and detects a cut-off last frame.

const BITRATES_KBPS: Record<string, number[]> = {
  '1-1': [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  '1-2': [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  '1-3': [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  '2-1': [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  '2-2': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  '2-3': [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
}
const SAMPLE_RATES: Record<number, number[]> = {
  3: [44100, 48000, 32000],
  2: [22050, 24000, 16000],
  0: [11025, 12000, 8000]
}

/** Length in bytes of the MPEG audio frame whose header starts at `offset`, or 0 when no valid header is there. */
function mpegFrameLength(bytes: Uint8Array, offset: number): number {
  if (offset + 4 > bytes.length) return 0
  const b1 = bytes[offset + 1]!
  const b2 = bytes[offset + 2]!
  if (bytes[offset] !== 0xff || (b1 & 0xe0) !== 0xe0) return 0
  const versionBits = (b1 >> 3) & 3
  const layerBits = (b1 >> 1) & 3
  const bitrateIndex = b2 >> 4
  const rateIndex = (b2 >> 2) & 3
  if (versionBits === 1 || layerBits === 0 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) return 0
  const layer = 4 - layerBits
  const mpeg1 = versionBits === 3
  const bitrate = BITRATES_KBPS[`${mpeg1 ? 1 : 2}-${layer}`]![bitrateIndex]! * 1000
  const sampleRate = SAMPLE_RATES[versionBits]![rateIndex]!
  const padding = (b2 >> 1) & 1
  if (layer === 1) return (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
  const factor = layer === 3 && !mpeg1 ? 72 : 144
  return Math.floor((factor * bitrate) / sampleRate) + padding
}

function id3v2Size(bytes: Uint8Array, offset: number): number {
  if (offset + 10 > bytes.length || bytes[offset] !== 0x49 || bytes[offset + 1] !== 0x44 || bytes[offset + 2] !== 0x33)
    return 0
  const size =
    ((bytes[offset + 6]! & 0x7f) << 21) |
    ((bytes[offset + 7]! & 0x7f) << 14) |
    ((bytes[offset + 8]! & 0x7f) << 7) |
    (bytes[offset + 9]! & 0x7f)
  const footer = (bytes[offset + 5]! & 0x10) !== 0 ? 10 : 0
  return 10 + size + footer
}

function skipId3(bytes: Uint8Array): number {
  let offset = 0
  for (let size = id3v2Size(bytes, offset); size > 0; size = id3v2Size(bytes, offset)) offset += size
  return offset
}

/** Offset of the first of two consecutive valid MPEG frames (searched a little past the tags), or -1. */
function findMpegStart(bytes: Uint8Array, from: number): number {
  const limit = Math.min(bytes.length - 4, from + 8192)
  for (let offset = from; offset <= limit; offset++) {
    const length = mpegFrameLength(bytes, offset)
    if (length === 0) continue
    const next = offset + length
    if (next === bytes.length || mpegFrameLength(bytes, next) > 0) return offset
  }
  return -1
}

function checkMpegComplete(bytes: Uint8Array, start: number, name: string): void {
  let offset = start
  let frames = 0
  while (offset + 4 <= bytes.length) {
    const length = mpegFrameLength(bytes, offset)
    if (length === 0) break // trailing tag (ID3v1, APE) or junk
    if (offset + length > bytes.length) {
      throw new AppFailure(
        'corrupt',
        `${name}: truncated MP3: frame ${frames + 1} needs ${length} bytes but only ${bytes.length - offset} remain`
      )
    }
    offset += length
    frames++
  }
  if (frames === 0) throw new AppFailure('corrupt', `${name}: MP3 file contains no complete MPEG audio frame`)
}

// ---------------------------------------------------------------------------------------------
// Ogg / FLAC signatures

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  if (offset + length > bytes.length) return ''
  return String.fromCharCode(...bytes.subarray(offset, offset + length))
}

function oggCodec(bytes: Uint8Array): string {
  const segments = bytes[26] ?? 0
  const packet = 27 + segments
  if (ascii(bytes, packet, 7) === '\u0001vorbis') return 'vorbis'
  if (ascii(bytes, packet, 8) === 'OpusHead') return 'Opus'
  if (ascii(bytes, packet, 5) === '\u007fFLAC') return 'FLAC'
  if (ascii(bytes, packet, 8) === 'Speex   ') return 'Speex'
  if (ascii(bytes, packet, 7) === '\u0080theora') return 'Theora'
  return 'unknown'
}

/** An Ogg stream cut short loses its end-of-stream page, or ends inside a page. */
function checkOggComplete(bytes: Uint8Array, name: string): void {
  const searchFrom = Math.max(0, bytes.length - 70_000)
  for (let offset = bytes.length - 27; offset >= searchFrom; offset--) {
    if (bytes[offset] !== 0x4f || ascii(bytes, offset, 4) !== 'OggS') continue
    const segmentCount = bytes[offset + 26]!
    let bodyLength = 0
    for (let s = 0; s < segmentCount; s++) bodyLength += bytes[offset + 27 + s] ?? 0
    const end = offset + 27 + segmentCount + bodyLength
    if (end > bytes.length) throw new AppFailure('corrupt', `${name}: truncated Ogg file: the last page is cut off`)
    if ((bytes[offset + 5]! & 0x04) === 0)
      throw new AppFailure('corrupt', `${name}: truncated Ogg file: no end-of-stream page`)
    return
  }
  throw new AppFailure('corrupt', `${name}: Ogg file has no readable page near its end`)
}

/** Total sample count from FLAC STREAMINFO (0 = unknown), or -1 when the header is malformed. */
function flacTotalSamples(bytes: Uint8Array, start: number): number {
  const block = start + 4
  if (block + 4 + 34 > bytes.length || (bytes[block]! & 0x7f) !== 0) return -1
  const body = block + 4
  const high = bytes[body + 13]! & 0x0f
  const low =
    ((bytes[body + 14]! << 24) >>> 0) + (bytes[body + 15]! << 16) + (bytes[body + 16]! << 8) + bytes[body + 17]!
  return high * 2 ** 32 + low
}

// ---------------------------------------------------------------------------------------------

interface Sniffed {
  format: Format
  offset: number
}

function sniff(bytes: Uint8Array, name: string): Sniffed {
  if (bytes.length === 0) throw new AppFailure('corrupt', `${name}: file is empty (0 bytes)`)
  if (isWav(bytes)) return { format: 'wav', offset: 0 }
  const afterTags = skipId3(bytes)
  if (ascii(bytes, afterTags, 4) === 'fLaC') return { format: 'flac', offset: afterTags }
  if (ascii(bytes, 0, 4) === 'OggS') {
    const codec = oggCodec(bytes)
    if (codec === 'vorbis') return { format: 'ogg', offset: 0 }
    throw new AppFailure('unsupported', `${name}: unsupported Ogg codec (${codec}); only Ogg Vorbis is supported`)
  }
  const mpegStart = findMpegStart(bytes, afterTags)
  if (mpegStart >= 0) return { format: 'mp3', offset: mpegStart }
  const foreign = foreignFormat(bytes)
  if (foreign !== null)
    throw new AppFailure(
      'unsupported',
      `${name}: unsupported audio format (${foreign}); supported are WAV, MP3, FLAC and Ogg Vorbis`
    )
  if (afterTags > 0) throw new AppFailure('corrupt', `${name}: ID3 tag found but no MPEG audio frames follow it`)
  if (bytes.length < 64 && ['.wav', '.mp3', '.flac', '.ogg'].includes(extname(name).toLowerCase())) {
    throw new AppFailure('corrupt', `${name}: file is too short (${bytes.length} bytes) to hold audio`)
  }
  const extension = extname(name).toLowerCase()
  if (AUDIO_EXTENSIONS.has(extension)) {
    const looksLikeText = bytes
      .subarray(0, 512)
      .every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127) || b >= 128)
    const what = looksLikeText ? 'it contains text' : 'no WAV, MP3, FLAC or Ogg signature found'
    throw new AppFailure('corrupt', `${name}: not a valid ${extension.slice(1).toUpperCase()} file (${what})`)
  }
  throw new AppFailure('unsupported', `${name}: unsupported format (no WAV, MP3, FLAC or Ogg Vorbis signature found)`)
}

function finish(
  name: string,
  format: Format,
  sampleRate: number,
  channels: Float32Array[],
  finite = false
): DecodedAudio {
  const length = channels[0]?.length ?? 0
  if (channels.length === 0 || length === 0 || sampleRate <= 0) {
    throw new AppFailure('corrupt', `${name}: decoded no audio samples from the ${format.toUpperCase()} data`)
  }
  // The WAV reader already maps NaN/Infinity to 0; decoder output is checked here.
  if (!finite) {
    for (const channel of channels) {
      for (let i = 0; i < channel.length; i++) if (!Number.isFinite(channel[i]!)) channel[i] = 0
    }
  }
  return { sampleRate, channels, durationS: length / sampleRate, format }
}

function trimChannels(channelData: Float32Array[], samples: number): Float32Array[] {
  return channelData.map((c) => (c.length === samples ? c : c.subarray(0, samples)))
}

async function decodeMp3(bytes: Uint8Array, start: number, name: string): Promise<DecodedAudio> {
  checkMpegComplete(bytes, start, name)
  const { MPEGDecoder } = await import('mpg123-decoder')
  const decoder = new MPEGDecoder()
  await decoder.ready
  try {
    const result = decoder.decode(bytes)
    if (result.samplesDecoded === 0) {
      const reason = result.errors[0]?.message ?? 'no frames decoded'
      throw new AppFailure('corrupt', `${name}: MP3 decode failed (${reason})`)
    }
    return finish(name, 'mp3', result.sampleRate, trimChannels(result.channelData, result.samplesDecoded))
  } finally {
    decoder.free()
  }
}

async function decodeFlac(bytes: Uint8Array, start: number, name: string): Promise<DecodedAudio> {
  const expected = flacTotalSamples(bytes, start)
  if (expected < 0) throw new AppFailure('corrupt', `${name}: FLAC file has no valid STREAMINFO block`)
  const { FLACDecoder } = await import('@wasm-audio-decoders/flac')
  const decoder = new FLACDecoder()
  await decoder.ready
  try {
    const result = await decoder.decodeFile(start === 0 ? bytes : bytes.subarray(start))
    if (result.samplesDecoded === 0) {
      const reason = result.errors[0]?.message ?? 'no frames decoded'
      throw new AppFailure('corrupt', `${name}: FLAC decode failed (${reason})`)
    }
    if (expected > 0 && result.samplesDecoded < expected) {
      throw new AppFailure(
        'corrupt',
        `${name}: truncated FLAC: STREAMINFO declares ${expected} samples but only ${result.samplesDecoded} decoded`
      )
    }
    return finish(name, 'flac', result.sampleRate, trimChannels(result.channelData, result.samplesDecoded))
  } finally {
    decoder.free()
  }
}

async function decodeOgg(bytes: Uint8Array, name: string): Promise<DecodedAudio> {
  checkOggComplete(bytes, name)
  const { OggVorbisDecoder } = await import('@wasm-audio-decoders/ogg-vorbis')
  const decoder = new OggVorbisDecoder()
  await decoder.ready
  try {
    const result = await decoder.decodeFile(bytes)
    if (result.samplesDecoded === 0) {
      const reason = result.errors[0]?.message ?? 'no audio packets decoded'
      throw new AppFailure('corrupt', `${name}: Ogg Vorbis decode failed (${reason})`)
    }
    return finish(name, 'ogg', result.sampleRate, trimChannels(result.channelData, result.samplesDecoded))
  } finally {
    decoder.free()
  }
}

/**
 * Decode an in-memory audio file. The format comes from the file's signature, never its extension;
 * `fileName` only names the file in error messages (and tells "text renamed to .wav" from an
 * unknown format). Throws AppFailure('unsupported' | 'corrupt') with the file name and the reason.
 */
export async function decodeAudioBuffer(bytes: Uint8Array, fileName: string): Promise<DecodedAudio> {
  const { format, offset } = sniff(bytes, fileName)
  try {
    switch (format) {
      case 'wav': {
        const wav = parseWav(bytes, fileName)
        return finish(fileName, 'wav', wav.sampleRate, wav.channels, true)
      }
      case 'mp3':
        return await decodeMp3(bytes, offset, fileName)
      case 'flac':
        return await decodeFlac(bytes, offset, fileName)
      case 'ogg':
        return await decodeOgg(bytes, fileName)
    }
  } catch (e) {
    if (e instanceof AppFailure) throw e
    const reason = e instanceof Error ? e.message : String(e)
    throw new AppFailure('corrupt', `${fileName}: ${format.toUpperCase()} decode failed (${reason})`)
  }
}

export async function decodeAudioFile(filePath: string): Promise<DecodedAudio> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(filePath)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new AppFailure('not_found', `${filePath}: file not found`, filePath)
    throw new AppFailure('corrupt', `${filePath}: cannot read file (${code ?? String(e)})`, filePath)
  }
  return decodeAudioBuffer(bytes, filePath)
}

/**
 * Duration the container header declares (WAV data size, FLAC STREAMINFO, the last Ogg granule, an MP3's
 * Xing/VBRI header or its constant bit rate), read without decoding a sample, so a file far over the length
 * limit is refused before it is decoded whole. Null when the header does not tell.
 */
export async function declaredDurationS(filePath: string): Promise<number | null> {
  try {
    const { parseFile } = await import('music-metadata')
    const { format } = await parseFile(filePath, { duration: false, skipCovers: true, skipPostHeaders: true })
    const duration = format.duration
    return typeof duration === 'number' && Number.isFinite(duration) && duration > 0 ? duration : null
  } catch {
    return null
  }
}

/** Title/artist/album tags; null where a tag is absent or the file has no readable tags. */
export async function readMetadata(
  filePath: string
): Promise<{ title: string | null; artist: string | null; album: string | null }> {
  try {
    const { parseFile } = await import('music-metadata')
    const metadata = await parseFile(filePath, { duration: false, skipCovers: true })
    const clean = (v: string | undefined): string | null => (v !== undefined && v.trim() !== '' ? v.trim() : null)
    return {
      title: clean(metadata.common.title),
      artist: clean(metadata.common.artist),
      album: clean(metadata.common.album)
    }
  } catch {
    return { title: null, artist: null, album: null }
  }
}
