/**
 * `export --what project`: the whole data directory as one archive (archive-format.ts), safe to take
 * while the app runs: the database is copied with SQLite's online backup, and every other file is read
 * through one open handle, so renders or models replaced meanwhile are archived as they were.
 */
import crypto from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { DATABASE_FILE } from '../../db/connection'
import { inspectDatabaseFile, snapshotDatabase } from '../../db/snapshot'
import { AppFailure } from '../../../shared/result'
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  HEADER_ENTRY,
  MANIFEST_ENTRY,
  excludedFromArchive,
  type ArchiveHeader,
  type ArchiveManifest,
  type ManifestFile
} from './archive-format'
import { writeTarGz, type TarSource } from './tar'
import type { Exporter } from './types'

/** Regular files under `root`, as sorted '/'-separated relative paths; symlinks are not followed. */
function listDataFiles(root: string, skip: (absolute: string) => boolean): string[] {
  const out: string[] = []
  const walk = (dir: string, rel: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const relative = rel ? `${rel}/${entry.name}` : entry.name
      const absolute = path.join(dir, entry.name)
      if (skip(absolute) || excludedFromArchive(relative)) continue
      if (entry.isDirectory()) walk(absolute, relative)
      else if (entry.isFile()) out.push(relative)
    }
  }
  walk(root, '')
  return out.sort()
}

export const exportProjectArchive: Exporter = async (ctx, { out }) => {
  if (fs.statSync(out, { throwIfNoEntry: false })?.isDirectory())
    throw new AppFailure('validation', `out: ${out} is a folder; give the archive's file name (project.tar.gz)`, 'out')
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const staging = fs.mkdtempSync(path.join(path.dirname(out), '.editorbot-export-'))
  const tmp = `${out}.${process.pid}.tmp`
  try {
    const snapshot = path.join(staging, DATABASE_FILE)
    await snapshotDatabase(ctx.db, snapshot)
    const report = inspectDatabaseFile(snapshot)
    const header: ArchiveHeader = {
      format: ARCHIVE_FORMAT,
      formatVersion: ARCHIVE_FORMAT_VERSION,
      appVersion: ctx.appVersion,
      schemaVersion: report.schemaVersion,
      createdAt: new Date().toISOString()
    }
    // The archive being written may itself lie in the data directory.
    const own = new Set([path.resolve(staging), path.resolve(tmp), path.resolve(out)])
    const dataFiles = listDataFiles(ctx.dataDir, (absolute) => own.has(path.resolve(absolute)))

    const hashes = new Map<string, { size: number; hash: crypto.Hash }>()
    const written: string[] = []
    async function* entries(): AsyncGenerator<TarSource> {
      yield { name: HEADER_ENTRY, bytes: Buffer.from(JSON.stringify(header, null, 2) + '\n') }
      yield { name: DATABASE_FILE, file: snapshot }
      for (const relative of dataFiles)
        yield { name: relative, file: path.join(ctx.dataDir, relative), skipIfMissing: true }
      const files: ManifestFile[] = written.map((name) => {
        const h = hashes.get(name)!
        return { path: name, size: h.size, sha256: h.hash.digest('hex') }
      })
      const manifest: ArchiveManifest = { ...header, database: DATABASE_FILE, tables: report.tables, files }
      yield { name: MANIFEST_ENTRY, bytes: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }
    }
    await writeTarGz(tmp, entries(), {
      onEntry: ({ name, size }) => {
        if (name === HEADER_ENTRY || name === MANIFEST_ENTRY) return
        hashes.set(name, { size, hash: crypto.createHash('sha256') })
        written.push(name)
      },
      onData: ({ name }, chunk) => hashes.get(name)?.hash.update(chunk)
    })
    fs.renameSync(tmp, out)
    return { out, files: [path.basename(out)], count: written.length, bytes: fs.statSync(out).size }
  } catch (e) {
    fs.rmSync(tmp, { force: true })
    throw e
  } finally {
    fs.rmSync(staging, { recursive: true, force: true })
  }
}
