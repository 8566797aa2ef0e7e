/**
 * `editorbot restore ARCHIVE --data-dir DIR`: brings a project archive back as a new data directory.
 * Nothing existing is ever overwritten: the target must be missing or empty, the archive is unpacked
 * into a hidden sibling folder, checked completely (every file's size and SHA-256 against the manifest,
 * the database's integrity, schema version and row counts), migrated to this app's schema, and only
 * then renamed into place. Anything wrong removes the sibling and leaves the target as it was.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { DATABASE_FILE, openDatabase } from '../../db/connection'
import { LATEST_SCHEMA_VERSION, schemaVersion } from '../../db/migrate'
import { inspectDatabaseFile } from '../../db/snapshot'
import { AppFailure } from '../../../shared/result'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  archiveHeaderSchema,
  archiveManifestSchema,
  type ArchiveHeader,
  type ArchiveManifest
} from './archive-format'
import { readTarGz, type EntrySink, type TarEntryHeader } from './tar'

export interface RestoreSummary {
  dataDir: string
  files: number
  bytes: number
  appVersion: string
  /** Schema version in the archive, and the one the restored database has now. */
  archiveSchemaVersion: number
  schemaVersion: number
  createdAt: string
}

const MAX_JSON_ENTRY = 64 * 1024 * 1024

/** A '/'-separated relative path with no way out of the folder it is unpacked into. */
function safeRelative(name: string): boolean {
  if (name === '' || name.startsWith('/') || name.includes('\\') || name.includes('\0')) return false
  return name.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
}

function collectJson(name: string, onEnd: (value: unknown) => void): EntrySink {
  const chunks: Buffer[] = []
  let size = 0
  return {
    write(chunk) {
      size += chunk.length
      if (size > MAX_JSON_ENTRY) throw new AppFailure('corrupt', `${name} in the archive is implausibly large`, name)
      chunks.push(Buffer.from(chunk))
    },
    end() {
      let value: unknown
      try {
        value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        throw new AppFailure('corrupt', `${name} in the archive is not valid JSON`, name)
      }
      onEnd(value)
    }
  }
}

const foreign = (why: string): AppFailure =>
  new AppFailure('unsupported', `not an EditorBot Studio project archive (${why})`, 'archive')

function parseHeader(value: unknown): ArchiveHeader {
  const format = (value as { format?: unknown } | null)?.format
  if (format !== ARCHIVE_FORMAT) throw foreign(`its ${HEADER_ENTRY} names format ${JSON.stringify(format)}`)
  const formatVersion = (value as { formatVersion?: unknown }).formatVersion
  if (typeof formatVersion === 'number' && formatVersion > ARCHIVE_FORMAT_VERSION)
    throw new AppFailure(
      'version',
      `the archive has format version ${formatVersion}, written by a newer EditorBot Studio; this app reads up to version ${ARCHIVE_FORMAT_VERSION}. Update the app.`,
      'archive'
    )
  const parsed = archiveHeaderSchema.safeParse(value)
  if (!parsed.success) throw new AppFailure('corrupt', `the archive's ${HEADER_ENTRY} is malformed`, 'archive')
  if (parsed.data.schemaVersion > LATEST_SCHEMA_VERSION)
    throw new AppFailure(
      'version',
      `the archive's database has schema version ${parsed.data.schemaVersion}, written by a newer EditorBot Studio (${parsed.data.appVersion}); this app knows up to version ${LATEST_SCHEMA_VERSION}. Update the app, then restore.`,
      'archive'
    )
  return parsed.data
}

/** Refuses a target that exists and is not an empty folder. */
function checkTarget(target: string): void {
  const stat = fs.statSync(target, { throwIfNoEntry: false })
  if (!stat) return
  if (!stat.isDirectory()) throw new AppFailure('conflict', `${target} exists and is not a folder`, 'data-dir')
  if (fs.readdirSync(target).length > 0)
    throw new AppFailure(
      'conflict',
      `${target} is not empty: restore only into a new or empty folder (nothing was changed)`,
      'data-dir'
    )
}

interface Extracted {
  header: ArchiveHeader
  manifest: ArchiveManifest
  files: Map<string, { size: number; sha256: string }>
}

async function extract(archive: string, into: string): Promise<Extracted> {
  // Filled in by the entry callbacks (an object, so the checks below see what they assigned).
  const got: { header: ArchiveHeader | null; manifest: ArchiveManifest | null } = { header: null, manifest: null }
  let entries = 0
  const files = new Map<string, { size: number; sha256: string }>()
  await readTarGz(archive, (h: TarEntryHeader): EntrySink => {
    entries++
    if (entries === 1) {
      if (h.name !== HEADER_ENTRY) throw foreign(`its first entry is '${h.name}', not ${HEADER_ENTRY}`)
      return collectJson(h.name, (v) => (got.header = parseHeader(v)))
    }
    if (got.manifest !== null)
      throw new AppFailure('corrupt', `the archive has entries after its manifest ('${h.name}')`)
    if (h.name === MANIFEST_ENTRY)
      return collectJson(h.name, (v) => {
        const parsed = archiveManifestSchema.safeParse(v)
        if (!parsed.success) throw new AppFailure('corrupt', `the archive's ${MANIFEST_ENTRY} is malformed`, 'archive')
        got.manifest = parsed.data
      })
    if (h.type !== '0') throw new AppFailure('unsupported', `the archive holds '${h.name}', which is not a plain file`)
    if (!safeRelative(h.name) || h.name === HEADER_ENTRY)
      throw new AppFailure('corrupt', `the archive holds an unsafe path '${h.name}'`)
    if (files.has(h.name)) throw new AppFailure('corrupt', `the archive holds '${h.name}' twice`)
    const target = path.join(into, ...h.name.split('/'))
    fs.mkdirSync(path.dirname(target), { recursive: true })
    // 'wx': a path the archive names twice, or through a folder/file clash, can never replace a file.
    const fd = fs.openSync(target, 'wx')
    const hash = crypto.createHash('sha256')
    let size = 0
    return {
      write(chunk) {
        hash.update(chunk)
        size += chunk.length
        fs.writeSync(fd, chunk)
      },
      end() {
        fs.closeSync(fd)
        files.set(h.name, { size, sha256: hash.digest('hex') })
      }
    }
  })
  if (got.header === null) throw foreign('it is empty')
  if (got.manifest === null)
    throw new AppFailure('corrupt', 'the archive is truncated: its manifest is missing', 'archive')
  return { header: got.header, manifest: got.manifest, files }
}

function verify({ header, manifest, files }: Extracted): void {
  for (const key of ['format', 'formatVersion', 'appVersion', 'schemaVersion', 'createdAt'] as const)
    if (manifest[key] !== header[key])
      throw new AppFailure('corrupt', `the archive's manifest and ${HEADER_ENTRY} disagree on ${key}`, 'archive')
  const listed = new Set(manifest.files.map((f) => f.path))
  for (const f of manifest.files) {
    const got = files.get(f.path)
    if (!got) throw new AppFailure('corrupt', `the archive is damaged: ${f.path} is listed but missing`, f.path)
    if (got.size !== f.size || got.sha256 !== f.sha256)
      throw new AppFailure(
        'corrupt',
        `the archive is damaged: ${f.path} does not match its SHA-256 in the manifest`,
        f.path
      )
  }
  for (const name of files.keys())
    if (!listed.has(name))
      throw new AppFailure('corrupt', `the archive holds ${name}, which its manifest does not list`)
  if (!listed.has(DATABASE_FILE)) throw new AppFailure('corrupt', `the archive holds no ${DATABASE_FILE}`, 'archive')
}

function verifyDatabase(dir: string, manifest: ArchiveManifest): void {
  let report: ReturnType<typeof inspectDatabaseFile>
  try {
    report = inspectDatabaseFile(path.join(dir, DATABASE_FILE))
  } catch (e) {
    throw new AppFailure('corrupt', `the archive's database cannot be opened: ${(e as Error).message}`, 'archive')
  }
  if (report.integrity !== 'ok')
    throw new AppFailure('corrupt', `the archive's database fails SQLite's integrity check: ${report.integrity}`)
  if (report.schemaVersion !== manifest.schemaVersion)
    throw new AppFailure(
      'corrupt',
      `the archive's database has schema ${report.schemaVersion}, its manifest says ${manifest.schemaVersion}`
    )
  const names = new Set([...Object.keys(report.tables), ...Object.keys(manifest.tables)])
  for (const name of names)
    if (report.tables[name] !== manifest.tables[name])
      throw new AppFailure(
        'corrupt',
        `the archive's database has ${report.tables[name] ?? 'no'} rows in ${name}, its manifest says ${manifest.tables[name] ?? 'none'}`
      )
}

export async function restoreProject(archive: string, dataDir: string): Promise<RestoreSummary> {
  const source = path.resolve(archive)
  const target = path.resolve(dataDir)
  if (!fs.statSync(source, { throwIfNoEntry: false })?.isFile())
    throw new AppFailure('not_found', `no such archive: ${source}`, 'archive')
  checkTarget(target)
  fs.mkdirSync(path.dirname(target), { recursive: true })
  const staging = fs.mkdtempSync(path.join(path.dirname(target), `.${path.basename(target)}.restore-`))
  try {
    const extracted = await extract(source, staging)
    verify(extracted)
    verifyDatabase(staging, extracted.manifest)
    // Opening migrates an older schema to this app's (and the version guard refuses a newer one).
    const db = openDatabase(staging)
    const migratedTo = schemaVersion(db)
    db.close()
    checkTarget(target)
    moveIntoPlace(staging, target)
    const { header, manifest } = extracted
    return {
      dataDir: target,
      files: manifest.files.length,
      bytes: manifest.files.reduce((sum, f) => sum + f.size, 0),
      appVersion: header.appVersion,
      archiveSchemaVersion: header.schemaVersion,
      schemaVersion: migratedTo,
      createdAt: header.createdAt
    }
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true })
    throw e
  }
}

/** rename(2) replaces an empty folder atomically on POSIX; Windows needs the empty folder removed first. */
function moveIntoPlace(staging: string, target: string): void {
  try {
    fs.renameSync(staging, target)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const emptyDir =
      fs.statSync(target, { throwIfNoEntry: false })?.isDirectory() && fs.readdirSync(target).length === 0
    if (!emptyDir || (code !== 'EPERM' && code !== 'EEXIST' && code !== 'ENOTEMPTY')) throw e
    fs.rmdirSync(target)
    fs.renameSync(staging, target)
  }
}
