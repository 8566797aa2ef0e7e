import { afterEach, describe, expect, it } from 'vitest'
import fs from 'node:fs'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import Database from 'better-sqlite3'
import { createAppContext } from '../../src/main/app/context'
import { DATABASE_FILE, openDatabase } from '../../src/main/db/connection'
import { LATEST_SCHEMA_VERSION } from '../../src/main/db/migrate'
import { AppFailure } from '../../src/shared/result'
import { failureOf } from '../helpers/failure'
import { tempDataDir } from '../helpers/temp'
import { runCli, type CliRun } from '../helpers/cli'
import { addAnalysedSong, writeDemoWav } from '../helpers/songs'
import { createHandlers } from '../../src/main/api/handlers'
import { dispatch } from '../../src/main/api/dispatch'

const cleanups: (() => void)[] = []
afterEach(() => {
  for (const c of cleanups.splice(0)) c()
})
function temp(prefix?: string): string {
  const t = tempDataDir(prefix)
  cleanups.push(t.cleanup)
  return t.dir
}

/** A data directory holding one analysed song, closed cleanly (no -wal, no -shm left). */
async function libraryWithOneSong(): Promise<string> {
  const dir = temp()
  const ctx = createAppContext({ dataDir: dir, recoverJobs: false })
  await addAnalysedSong(ctx, temp('editorbot-inbox-'), { bars: 8 })
  await ctx.close()
  return dir
}

const WAY_OUT = /restore it from a backup.*choose another data directory/i

describe('a damaged database', () => {
  it('damaged only where a later request reads is named there too, and the rest still answers', async () => {
    const dir = await libraryWithOneSong()
    const file = path.join(dir, DATABASE_FILE)
    const raw = new Database(file, { readonly: true })
    const analysisPages = raw
      .prepare("SELECT pageno FROM dbstat WHERE name = 'song_analysis' AND pagetype = 'overflow'")
      .all() as { pageno: number }[]
    const pageSize = raw.pragma('page_size', { simple: true }) as number
    raw.close()
    expect(analysisPages.length).toBeGreaterThan(4)
    const bytes = fs.readFileSync(file)
    for (const { pageno } of analysisPages.slice(1, 4)) bytes.fill(0x5a, (pageno - 1) * pageSize, pageno * pageSize)
    fs.writeFileSync(file, bytes)

    const ctx = createAppContext({ dataDir: dir, recoverJobs: false })
    cleanups.unshift(() => void ctx.close())
    const handlers = createHandlers(ctx, { transport: 'cli' })
    const listed = await dispatch(handlers, 'songs.list', {})
    expect(listed.ok).toBe(true)
    const features = await dispatch(handlers, 'songs.features', { songId: 1 })
    expect(features.ok).toBe(false)
    if (features.ok) return
    expect(features.error.kind).toBe('corrupt')
    expect(features.error.message).toContain(file)
    expect(features.error.message).toMatch(WAY_OUT)
  })

  it('that is not SQLite at all is named, with what to do', () => {
    const dir = temp()
    fs.writeFileSync(path.join(dir, DATABASE_FILE), 'my shopping list\n'.repeat(300))
    const failure = failureOf(() => createAppContext({ dataDir: dir }))
    expect(failure.kind).toBe('corrupt')
    expect(failure.message).toContain(path.join(dir, DATABASE_FILE))
    expect(failure.message).toMatch(WAY_OUT)
  })

  it('that was truncated is refused before SQLite reads it', async () => {
    const dir = await libraryWithOneSong()
    const file = path.join(dir, DATABASE_FILE)
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2))
    const failure = failureOf(() => openDatabase(dir))
    expect(failure.kind).toBe('corrupt')
    expect(failure.message).toMatch(/editorbot\.sqlite is truncated \(\d+ bytes; its header declares \d+\)/)
    expect(failure.message).toMatch(WAY_OUT)
  })

  it('whose schema page is overwritten gives the file and the way out, not "database disk image is malformed"', async () => {
    const dir = await libraryWithOneSong()
    const file = path.join(dir, DATABASE_FILE)
    const bytes = fs.readFileSync(file)
    bytes.fill(0x5a, 100, 4096) // page 1 after the header: the schema table
    fs.writeFileSync(file, bytes)
    const failure = failureOf(() => createAppContext({ dataDir: dir }))
    expect(failure.kind).toBe('corrupt')
    expect(failure.message).toMatch(/^\/.*editorbot\.sqlite is damaged \(/)
    expect(failure.message).toMatch(WAY_OUT)
  })
})

/**
 * Runs the CLI as a user who cannot write the data directory: as root (which ignores file modes) the
 * command runs as 'nobody'; otherwise the folder is made read-only for this user.
 */
function cliWithoutWriteAccess(dir: string, ...args: string[]): CliRun {
  const asRoot = process.getuid?.() === 0
  // Readable by the other user (mkdtemp makes 0700 folders), writable by nobody but root.
  fs.chmodSync(dir, asRoot ? 0o755 : 0o555)
  for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), asRoot ? 0o755 : 0o555)
  cleanups.unshift(() => fs.chmodSync(dir, 0o755))
  return runCli(
    [...args, '--data-dir', dir],
    asRoot ? { uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } } : {}
  )
}

/**
 * As root the CLI runs as 'nobody', which must reach Node and this checkout: a clone under a private
 * (0700) folder is out of its reach, and then these cases cannot be run here at all.
 */
const nobodyCannotRunCli = ((): string | null => {
  if (process.getuid?.() !== 0) return null
  const probe = spawnSync(
    process.execPath,
    ['-e', 'require("fs").accessSync("bin/editorbot.mjs", require("fs").constants.R_OK)'],
    {
      uid: 65534,
      gid: 65534
    }
  )
  return probe.status === 0 ? null : `user nobody cannot run ${process.execPath} in ${process.cwd()}`
})()
if (nobodyCannotRunCli) console.warn(`read-only data directory cases skipped: ${nobodyCannotRunCli}`)

describe('a read-only data directory', () => {
  it.skipIf(nobodyCannotRunCli !== null)(
    'still answers `songs` and `status`, refuses `import` with a clear reason, and is left untouched',
    async () => {
      const dir = await libraryWithOneSong()
      const before = fs.readdirSync(dir).sort()
      const songs = cliWithoutWriteAccess(dir, 'songs', '--json')
      expect(songs.code, songs.stderr).toBe(0)
      expect((JSON.parse(songs.stdout) as { status: string }[]).map((s) => s.status)).toEqual(['ready'])
      const status = cliWithoutWriteAccess(dir, 'status', '--json')
      expect(status.code, status.stderr).toBe(0)
      expect(JSON.parse(status.stdout)).toMatchObject({ songs: 1, schemaVersion: LATEST_SCHEMA_VERSION })

      const song = writeDemoWav(temp('editorbot-inbox-'), 'new.wav', { seed: 3 })
      fs.chmodSync(path.dirname(song), 0o755)
      const imported = cliWithoutWriteAccess(dir, 'import', song)
      expect(imported.code).not.toBe(0)
      expect(imported.stderr).toMatch(/read-only.*choose another data directory/)
      expect(fs.readdirSync(dir).sort()).toEqual(before)
    }
  )

  it.skipIf(nobodyCannotRunCli !== null)(
    'refuses a database that would need a migration, instead of half-reading it',
    async () => {
      const dir = await libraryWithOneSong()
      const db = new Database(path.join(dir, DATABASE_FILE))
      db.pragma(`user_version = ${LATEST_SCHEMA_VERSION - 1}`)
      db.close()
      const songs = cliWithoutWriteAccess(dir, 'songs')
      expect(songs.code).not.toBe(0)
      expect(songs.stderr).toMatch(/needs upgrading to \d+, but it is read-only here/)
    }
  )

  it('opens read-only in-process too (db.readonly), where nothing can be written', async () => {
    const dir = await libraryWithOneSong()
    const db = openDatabase(dir, { readonly: true })
    expect(db.readonly).toBe(true)
    expect(() => db.prepare('DELETE FROM songs').run()).toThrow(/readonly/)
    db.close()
  })

  it('that cannot be created is named, with what to do', () => {
    const below = path.join(temp(), 'a-file')
    fs.writeFileSync(below, '')
    const failure = failureOf(() => createAppContext({ dataDir: path.join(below, 'data') }))
    expect(failure).toBeInstanceOf(AppFailure)
    expect(failure.message).toMatch(
      /^cannot create the data directory .*a-file\/data \(ENOTDIR\).*choose another data directory/i
    )
  })
})
