import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { AppFailure } from '../../../../src/shared/result.js'
import { decodeAudioBuffer, decodeAudioFile, readMetadata } from '../../../../src/main/engines/audio-io/decode.js'
import { encodeWav } from '../../../../src/main/engines/audio-io/wav-encode'

const FIXTURES = join(import.meta.dirname, '../../../fixtures/audio')

function sine(freq: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds))
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / sampleRate)
  return out
}

/** Frequency from the count of upward zero crossings. */
function dominantFrequency(x: Float32Array, sampleRate: number): number {
  let crossings = 0
  for (let i = 1; i < x.length; i++) if (x[i - 1]! < 0 && x[i]! >= 0) crossings++
  return (crossings * sampleRate) / x.length
}

async function expectFailure(promise: Promise<unknown>, kind: string, ...fragments: string[]): Promise<void> {
  const error: unknown = await promise.then(
    () => null,
    (e: unknown) => e
  )
  expect(error).toBeInstanceOf(AppFailure)
  const failure = error as AppFailure
  expect(failure.kind).toBe(kind)
  for (const fragment of fragments) expect(failure.message).toContain(fragment)
}

describe('WAV decoding', () => {
  const left = sine(440, 8000, 0.25, 0.5)
  const right = sine(660, 8000, 0.25, -0.25)
  const cases = [
    ['pcm8', 1 / 64],
    ['pcm16', 1e-4],
    ['pcm24', 1e-6],
    ['pcm32', 1e-8],
    ['float32', 1e-7],
    ['float64', 1e-7]
  ] as const
  for (const [encoding, tolerance] of cases) {
    it(`reads ${encoding} stereo samples back`, async () => {
      const bytes = encodeWav([left, right], 8000, encoding)
      const audio = await decodeAudioBuffer(bytes, `test-${encoding}.wav`)
      expect(audio.format).toBe('wav')
      expect(audio.sampleRate).toBe(8000)
      expect(audio.channels).toHaveLength(2)
      expect(audio.durationS).toBeCloseTo(0.25, 6)
      for (let i = 0; i < left.length; i += 97) {
        expect(Math.abs(audio.channels[0]![i]! - left[i]!)).toBeLessThanOrEqual(tolerance)
        expect(Math.abs(audio.channels[1]![i]! - right[i]!)).toBeLessThanOrEqual(tolerance)
      }
    })
  }

  it('reads WAVE_FORMAT_EXTENSIBLE (24-bit and float)', async () => {
    for (const encoding of ['pcm24', 'float32'] as const) {
      const audio = await decodeAudioBuffer(encodeWav([left], 8000, encoding, { extensible: true }), 'ext.wav')
      expect(audio.channels[0]![100]).toBeCloseTo(left[100]!, 4)
    }
  })

  it('skips unknown chunks, including odd-sized ones with their pad byte', async () => {
    const plain = encodeWav([left], 8000, 'pcm16')
    const extra = new Uint8Array([0x4c, 0x49, 0x53, 0x54, 3, 0, 0, 0, 1, 2, 3, 0]) // 'LIST', 3 bytes + pad
    const bytes = new Uint8Array(plain.length + extra.length)
    bytes.set(plain.subarray(0, 12))
    bytes.set(extra, 12)
    bytes.set(plain.subarray(12), 12 + extra.length)
    const audio = await decodeAudioBuffer(bytes, 'chunks.wav')
    expect(audio.channels[0]!.length).toBe(left.length)
  })

  it('detects the format from the bytes, not the extension', async () => {
    const audio = await decodeAudioBuffer(encodeWav([left], 8000, 'pcm16'), 'misnamed.mp3')
    expect(audio.format).toBe('wav')
  })
})

describe('compressed formats (tiny sox-made fixtures of a 440 Hz tone)', () => {
  for (const [file, format] of [
    ['tone.mp3', 'mp3'],
    ['tone.flac', 'flac'],
    ['tone.ogg', 'ogg']
  ] as const) {
    it(`decodes ${file}`, async () => {
      const audio = await decodeAudioFile(join(FIXTURES, file))
      expect(audio.format).toBe(format)
      expect(audio.sampleRate).toBe(22050)
      expect(audio.durationS).toBeGreaterThan(0.95)
      expect(audio.durationS).toBeLessThan(1.2)
      const middle = audio.channels[0]!.subarray(2205, 19845)
      expect(dominantFrequency(middle, 22050)).toBeGreaterThan(430)
      expect(dominantFrequency(middle, 22050)).toBeLessThan(450)
    })
  }

  it('reads tags through music-metadata, null where absent', async () => {
    expect(await readMetadata(join(FIXTURES, 'tone.ogg'))).toEqual({
      title: 'Test Tone',
      artist: 'EditorBot',
      album: null
    })
    expect(await readMetadata(join(FIXTURES, 'tone.flac'))).toEqual({ title: 'Flac Tone', artist: null, album: null })
    expect(await readMetadata(join(FIXTURES, 'missing.ogg'))).toEqual({ title: null, artist: null, album: null })
  })
})

describe('bad files give an AppFailure naming the file and the reason', () => {
  const wav = encodeWav([sine(440, 8000, 0.5)], 8000, 'pcm16')

  it('zero bytes', async () => {
    await expectFailure(decodeAudioBuffer(new Uint8Array(0), 'empty.wav'), 'corrupt', 'empty.wav', 'empty')
  })

  it('truncated WAV', async () => {
    await expectFailure(
      decodeAudioBuffer(wav.subarray(0, wav.length - 1000), 'cut.wav'),
      'corrupt',
      'cut.wav',
      'truncated'
    )
  })

  it('text renamed to .wav', async () => {
    const text = new TextEncoder().encode('This is a shopping list, not audio.\nMilk\nEggs\n'.repeat(4))
    await expectFailure(decodeAudioBuffer(text, 'notes.wav'), 'corrupt', 'notes.wav', 'text')
  })

  it('unknown content with a non-audio extension is unsupported', async () => {
    await expectFailure(decodeAudioBuffer(new Uint8Array(200).fill(7), 'data.bin'), 'unsupported', 'data.bin')
  })

  it('recognised but unsupported container (M4A)', async () => {
    const m4a = new Uint8Array(64)
    m4a.set(new TextEncoder().encode('ftypM4A '), 4)
    await expectFailure(decodeAudioBuffer(m4a, 'song.m4a'), 'unsupported', 'song.m4a', 'M4A')
  })

  it('unsupported WAV codec (ADPCM)', async () => {
    const adpcm = wav.slice()
    new DataView(adpcm.buffer).setUint16(20, 0x0002, true)
    await expectFailure(decodeAudioBuffer(adpcm, 'adpcm.wav'), 'unsupported', 'adpcm.wav', 'ADPCM')
  })

  it('WAV without a data chunk', async () => {
    await expectFailure(decodeAudioBuffer(wav.subarray(0, 36), 'header-only.wav'), 'corrupt', 'header-only.wav', 'data')
  })

  it('truncated Ogg, FLAC and MP3', async () => {
    for (const [file, reason] of [
      ['tone.ogg', 'truncated'],
      ['tone.flac', 'truncated'],
      ['tone.mp3', 'truncated']
    ] as const) {
      const bytes = readFileSync(join(FIXTURES, file))
      const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6) + 1)
      await expectFailure(decodeAudioBuffer(cut, `cut-${file}`), 'corrupt', `cut-${file}`, reason)
    }
  })

  it('Ogg with a codec other than Vorbis', async () => {
    const bytes = readFileSync(join(FIXTURES, 'tone.ogg')).slice()
    const packet = 27 + bytes[26]!
    bytes.set(new TextEncoder().encode('OpusHead'), packet)
    await expectFailure(decodeAudioBuffer(bytes, 'voice.ogg'), 'unsupported', 'voice.ogg', 'Opus')
  })

  it('missing file is not_found, and decodeAudioFile names the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'editorbot-decode-'))
    await expectFailure(decodeAudioFile(join(dir, 'nope.wav')), 'not_found', 'nope.wav')
    const textPath = join(dir, 'readme.flac')
    writeFileSync(textPath, 'hello world, definitely not FLAC audio data at all')
    await expectFailure(decodeAudioFile(textPath), 'corrupt', textPath)
  })
})
