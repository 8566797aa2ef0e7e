/**
 * A small gzip-compressed POSIX ustar writer and reader for project archives, so any `tar xzf` can open
 * them and no archive package is needed. Only what the project archive uses: regular files, names up to
 * 255 bytes (ustar name + prefix), sizes past 8 GiB in the base-256 form GNU tar also reads. The reader
 * checks every header checksum and hands each entry's bytes to a sink as they arrive.
 */
import fs from 'node:fs'
import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import zlib from 'node:zlib'
import { AppFailure } from '../../../shared/result'

const BLOCK = 512
const MAX_OCTAL_SIZE = 0o77777777777
const READ_CHUNK = 1 << 20

/**
 * A tar entry to write: bytes in memory, or a file read through an open handle. A file that is gone by
 * the time it is opened is left out when `skipIfMissing` (caches may drop files while an archive is made).
 */
export type TarSource = { name: string; bytes: Buffer } | { name: string; file: string; skipIfMissing?: boolean }

function splitName(name: string): { prefix: string; base: string } {
  const bytes = Buffer.byteLength(name)
  if (bytes <= 100) return { prefix: '', base: name }
  // ustar keeps longer names as prefix + '/' + name, split at a slash.
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i)
    const base = name.slice(i + 1)
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100 && base !== '') return { prefix, base }
  }
  throw new AppFailure('unsupported', `path too long for the archive (255 bytes at most): ${name}`, name)
}

function writeOctal(h: Buffer, offset: number, width: number, value: number): void {
  h.write(value.toString(8).padStart(width - 1, '0') + '\0', offset, width, 'ascii')
}

export function tarHeader(name: string, size: number, mtimeS: number): Buffer {
  const h = Buffer.alloc(BLOCK)
  const { prefix, base } = splitName(name)
  h.write(base, 0, 100, 'utf8')
  writeOctal(h, 100, 8, 0o644)
  writeOctal(h, 108, 8, 0)
  writeOctal(h, 116, 8, 0)
  if (size <= MAX_OCTAL_SIZE) writeOctal(h, 124, 12, size)
  else {
    h[124] = 0x80
    h.writeBigUInt64BE(BigInt(size), 124 + 4)
  }
  writeOctal(h, 136, 12, Math.max(0, Math.floor(mtimeS)))
  h.fill(' ', 148, 156)
  h.write('0', 156, 1, 'ascii')
  h.write('ustar\0', 257, 6, 'ascii')
  h.write('00', 263, 2, 'ascii')
  h.write(prefix, 345, 155, 'utf8')
  let sum = 0
  for (const b of h) sum += b
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii')
  return h
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK)

export interface WrittenEntry {
  name: string
  size: number
}

export interface TarWriteHooks {
  /** Called when an entry's header is written (before its bytes). */
  onEntry?(entry: WrittenEntry): void
  /** Sees every entry's bytes in order (for hashing). */
  onData?(entry: WrittenEntry, chunk: Buffer): void
}

/**
 * Writes `entries` (an async iterable, so the caller can add a manifest last, once every file's hash is
 * known) as a .tar.gz at `outPath`. A file is read through one open handle up to the size it had when
 * opened: one replaced meanwhile (renders are written by rename) is archived as it was; one that shrinks
 * fails the export.
 */
export async function writeTarGz(
  outPath: string,
  entries: AsyncIterable<TarSource> | Iterable<TarSource>,
  hooks: TarWriteHooks = {}
): Promise<void> {
  async function* blocks(): AsyncGenerator<Buffer> {
    const now = Date.now() / 1000
    for await (const e of entries) {
      if ('bytes' in e) {
        const entry = { name: e.name, size: e.bytes.length }
        hooks.onEntry?.(entry)
        yield tarHeader(e.name, e.bytes.length, now)
        hooks.onData?.(entry, e.bytes)
        yield e.bytes
        yield padding(e.bytes.length)
        continue
      }
      let handle: fs.promises.FileHandle
      try {
        handle = await fs.promises.open(e.file, 'r')
      } catch (err) {
        if (e.skipIfMissing && (err as NodeJS.ErrnoException).code === 'ENOENT') continue
        throw err
      }
      try {
        const stat = await handle.stat()
        const entry = { name: e.name, size: stat.size }
        hooks.onEntry?.(entry)
        yield tarHeader(e.name, stat.size, stat.mtimeMs / 1000)
        let done = 0
        while (done < stat.size) {
          const buf = Buffer.allocUnsafe(Math.min(READ_CHUNK, stat.size - done))
          const { bytesRead } = await handle.read(buf, 0, buf.length, done)
          if (bytesRead === 0) throw new AppFailure('conflict', `${e.name} shrank while it was being archived`, e.name)
          const chunk = buf.subarray(0, bytesRead)
          hooks.onData?.(entry, chunk)
          yield chunk
          done += bytesRead
        }
        yield padding(stat.size)
      } finally {
        await handle.close()
      }
    }
    yield Buffer.alloc(2 * BLOCK)
  }
  // Level 1: audio dominates an archive and barely compresses at any level; the database compresses well anyway.
  await pipeline(Readable.from(blocks()), zlib.createGzip({ level: 1 }), fs.createWriteStream(outPath))
}

/** Receives one entry's bytes in order; `end` runs after the last byte (may throw to stop reading). */
export interface EntrySink {
  write(chunk: Buffer): void
  end(): void
}

export interface TarEntryHeader {
  name: string
  size: number
  type: string
}

function readOctal(h: Buffer, offset: number, width: number): number {
  if ((h[offset]! & 0x80) !== 0) {
    let v = 0n
    for (let i = offset + 1; i < offset + width; i++) v = (v << 8n) | BigInt(h[i]!)
    return Number(v)
  }
  const text = h
    .toString('ascii', offset, offset + width)
    .replace(/\0.*$/s, '')
    .trim()
  if (!/^[0-7]*$/.test(text)) return NaN
  return text === '' ? 0 : parseInt(text, 8)
}

function cString(h: Buffer, offset: number, width: number): string {
  const end = h.indexOf(0, offset)
  return h.toString('utf8', offset, end < 0 || end > offset + width ? offset + width : end)
}

function parseHeader(h: Buffer): TarEntryHeader {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!
  if (readOctal(h, 148, 8) !== sum) throw new AppFailure('corrupt', 'a tar header checksum does not match')
  const size = readOctal(h, 124, 12)
  if (!Number.isFinite(size) || size < 0) throw new AppFailure('corrupt', 'a tar header has an invalid size')
  const prefix = h.toString('ascii', 257, 262) === 'ustar' ? cString(h, 345, 155) : ''
  const base = cString(h, 0, 100)
  return { name: prefix ? `${prefix}/${base}` : base, size, type: String.fromCharCode(h[156] || 0x30) }
}

/**
 * Streams a .tar.gz, calling `onEntry` for every header; its sink gets the entry's bytes. Throws
 * AppFailure('corrupt') for a file that is not gzip, a bad header, or an archive that ends early.
 */
export async function readTarGz(archivePath: string, onEntry: (h: TarEntryHeader) => EntrySink): Promise<void> {
  let pending: Buffer = Buffer.alloc(0)
  let current: { sink: EntrySink; left: number; pad: number } | null = null
  let ended = false
  const consume = (): void => {
    for (;;) {
      if (current) {
        if (current.left > 0) {
          if (pending.length === 0) return
          const n = Math.min(current.left, pending.length)
          current.sink.write(pending.subarray(0, n))
          pending = pending.subarray(n)
          current.left -= n
          if (current.left > 0) return
        }
        if (pending.length < current.pad) return
        pending = pending.subarray(current.pad)
        const sink = current.sink
        current = null
        sink.end()
        continue
      }
      if (ended) {
        pending = Buffer.alloc(0)
        return
      }
      if (pending.length < BLOCK) return
      const block = pending.subarray(0, BLOCK)
      pending = pending.subarray(BLOCK)
      if (block.every((b) => b === 0)) {
        ended = true
        continue
      }
      const header = parseHeader(block)
      current = { sink: onEntry(header), left: header.size, pad: padding(header.size).length }
    }
  }
  const parser = new Writable({
    write(chunk: Buffer, _enc, done) {
      try {
        pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
        consume()
        done()
      } catch (e) {
        done(e as Error)
      }
    }
  })
  try {
    await pipeline(fs.createReadStream(archivePath), zlib.createGunzip(), parser)
  } catch (e) {
    if (e instanceof AppFailure) throw e
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new AppFailure('not_found', `no such archive: ${archivePath}`, 'archive')
    if (code === 'Z_DATA_ERROR')
      throw new AppFailure('corrupt', `not a gzip-compressed archive or damaged (${(e as Error).message})`, 'archive')
    if (code === 'Z_BUF_ERROR' || /unexpected end/i.test((e as Error).message))
      throw new AppFailure('corrupt', 'the archive is truncated (it ends before its last entry)', 'archive')
    throw e
  }
  if (current !== null || !ended)
    throw new AppFailure('corrupt', 'the archive is truncated (no end-of-archive marker)', 'archive')
}
