import fs from 'node:fs'
import path from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { runExport, restoreProject } from '../../src/main/services/exports'
import { readTarGz, writeTarGz, type TarSource } from '../../src/main/services/exports/tar'
import { HEADER_ENTRY, MANIFEST_ENTRY } from '../../src/main/services/exports/archive-format'
import { generateEdit, createPair } from '../../src/main/services/edits/edit-service'
import { submitVerdict } from '../../src/main/services/listen'
import * as annotatorsQ from '../../src/main/db/queries/annotators'
import { readSettings } from '../../src/main/db/queries/settings'
import { LATEST_SCHEMA_VERSION } from '../../src/main/db/migrate'
import { AppFailure } from '../../src/shared/result'
import { addAnalysedSong } from '../helpers/songs'
import { tempDataDir } from '../helpers/temp'
import { runCli, type CliRun } from '../helpers/cli'

const source = tempDataDir('editorbot-backup-src-')
const work = tempDataDir('editorbot-backup-work-')
let ctx: AppContext
let archive: string

/** Every table's rows in a canonical order (some tables have no rowid), straight from a database file. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true })
  try {
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      .all() as { name: string }[]
    return Object.fromEntries(
      tables.map(({ name }) => [
        name,
        db
          .prepare(`SELECT * FROM "${name}"`)
          .all()
          .map((row) => ({
            row,
            key: JSON.stringify(row, (_k, v: unknown) => (Buffer.isBuffer(v) ? v.toString('hex') : v))
          }))
          .sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0))
          .map(({ row }) => row)
      ])
    )
  } finally {
    db.close()
  }
}

/** Relative paths and bytes of every file under `dir`, database files left out. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  for (const rel of fs.readdirSync(dir, { recursive: true }) as string[]) {
    const abs = path.join(dir, rel)
    if (fs.statSync(abs).isFile() && !path.basename(rel).startsWith('editorbot.sqlite'))
      out.set(rel.split(path.sep).join('/'), fs.readFileSync(abs))
  }
  return out
}

async function entriesOf(file: string): Promise<{ name: string; bytes: Buffer }[]> {
  const entries: { name: string; bytes: Buffer }[] = []
  await readTarGz(file, (h) => {
    const chunks: Buffer[] = []
    return {
      write: (c) => void chunks.push(Buffer.from(c)),
      end: () => void entries.push({ name: h.name, bytes: Buffer.concat(chunks) })
    }
  })
  return entries
}

/** Writes a copy of the archive with one entry changed by `edit` (or dropped when it returns null). */
async function repack(name: string, edit: (e: { name: string; bytes: Buffer }) => Buffer | null): Promise<string> {
  const out = path.join(work.dir, `${name}.tar.gz`)
  const entries: TarSource[] = []
  for (const e of await entriesOf(archive)) {
    const bytes = edit(e)
    if (bytes !== null) entries.push({ name: e.name, bytes })
  }
  await writeTarGz(out, entries)
  return out
}

async function refusal(file: string, target: string): Promise<AppFailure> {
  const e = await restoreProject(file, target).then(
    () => null,
    (x: unknown) => x
  )
  expect(e).toBeInstanceOf(AppFailure)
  return e as AppFailure
}

/** Nothing was created at the target and no unpacking folder was left beside it. */
function expectUntouched(target: string): void {
  expect(fs.existsSync(target)).toBe(false)
  expect(fs.readdirSync(path.dirname(target)).filter((n) => n.includes('.restore-'))).toEqual([])
}

beforeAll(async () => {
  ctx = createAppContext({ dataDir: source.dir })
  const songs = [
    await addAnalysedSong(ctx, work.dir, { seed: 1, bars: 4 }),
    await addAnalysedSong(ctx, work.dir, { seed: 2, bars: 4 })
  ]
  const ann = annotatorsQ.insertAnnotator(ctx.db, 'ann')
  for (const songId of songs) {
    const a = generateEdit(ctx.db, songId, 'rule', { seed: 1 })
    const b = generateEdit(ctx.db, songId, 'random', { seed: 2 })
    const pair = createPair(ctx.db, a.id, b.id)
    submitVerdict(
      ctx.db,
      {
        pairId: pair.id,
        annotatorId: ann.id,
        verdict: 'a',
        strength: 1,
        shownAEditId: a.id,
        shownBEditId: b.id,
        listenedAMs: 4000,
        listenedBMs: 5000,
        switches: 3,
        decisionMs: 9000,
        marks: [{ side: 'b', atS: 1.5 }],
        note: 'snare, "late"'
      },
      { ...readSettings(ctx.db), mustListenS: 0 },
      ctx.appVersion
    )
    await ctx.renders.render(a.id)
  }
  // A model file like the registry keeps, plus things an archive must leave out.
  fs.mkdirSync(path.join(source.dir, 'reward-models'), { recursive: true })
  fs.copyFileSync('test/fixtures/models/tiny_reward.onnx', path.join(source.dir, 'reward-models', 'v1.onnx'))
  fs.mkdirSync(path.join(source.dir, 'uploads', 'u1'), { recursive: true })
  fs.writeFileSync(path.join(source.dir, 'uploads', 'u1', 'staged.wav'), 'staged')
  fs.mkdirSync(path.join(source.dir, 'exports'), { recursive: true })
  fs.writeFileSync(path.join(source.dir, 'exports', 'old.jsonl'), '{}\n')

  archive = path.join(work.dir, 'project.tar.gz')
  // Another connection keeps writing while the snapshot is taken, as the app would.
  const writer = new Database(path.join(source.dir, 'editorbot.sqlite'))
  writer.pragma('busy_timeout = 5000')
  let writes = 0
  const timer = setInterval(() => {
    writer.prepare("INSERT INTO settings (key, value) VALUES (?, '1')").run(`during-export-${writes++}`)
  }, 1)
  try {
    const summary = await runExport(
      ctx,
      { what: 'project', format: 'jsonl', out: archive },
      { confineToDataDir: false }
    )
    expect(summary).toMatchObject({ what: 'project', out: archive, files: ['project.tar.gz'] })
  } finally {
    clearInterval(timer)
    writer.close()
  }
})

afterAll(async () => {
  await ctx.close()
  source.cleanup()
  work.cleanup()
})

describe('project archive and restore', () => {
  it('restores the database rows and the files exactly, leaving out uploads and earlier exports', async () => {
    const target = path.join(work.dir, 'restored')
    const restored = await restoreProject(archive, target)
    expect(restored).toMatchObject({
      dataDir: target,
      appVersion: ctx.appVersion,
      schemaVersion: LATEST_SCHEMA_VERSION
    })

    const original = dump(path.join(source.dir, 'editorbot.sqlite'))
    const copy = dump(path.join(target, 'editorbot.sqlite'))
    // Rows written during the export may or may not be in the snapshot; everything else must match exactly.
    const during = (rows: unknown[]): unknown[] =>
      rows.filter((r) => !String((r as { key: string }).key).startsWith('during-export-'))
    expect(during(copy.settings ?? [])).toEqual(during(original.settings ?? []))
    for (const table of Object.keys(original).filter((t) => t !== 'settings'))
      expect(copy[table], table).toEqual(original[table])
    expect(Object.keys(copy).sort()).toEqual(Object.keys(original).sort())
    expect((original.verdicts ?? []).length).toBe(2)

    const sourceFiles = filesOf(source.dir)
    const restoredFiles = filesOf(target)
    for (const left of ['uploads/u1/staged.wav', 'exports/old.jsonl']) {
      expect(sourceFiles.has(left)).toBe(true)
      expect(restoredFiles.has(left)).toBe(false)
      sourceFiles.delete(left)
    }
    expect([...restoredFiles.keys()].sort()).toEqual([...sourceFiles.keys()].sort())
    for (const [rel, bytes] of sourceFiles) expect(restoredFiles.get(rel)?.equals(bytes), rel).toBe(true)
    expect([...restoredFiles.keys()].some((f) => f.startsWith('renders/'))).toBe(true)
    expect([...restoredFiles.keys()].some((f) => f.startsWith('songs/'))).toBe(true)
    expect(restoredFiles.has('reward-models/v1.onnx')).toBe(true)

    // The restored project works: its preferences export is the original's.
    const other = createAppContext({ dataDir: target })
    try {
      const a = path.join(work.dir, 'prefs-a', 'p.jsonl')
      const b = path.join(work.dir, 'prefs-b', 'p.jsonl')
      await runExport(ctx, { what: 'preferences', format: 'jsonl', out: a }, { confineToDataDir: false })
      await runExport(other, { what: 'preferences', format: 'jsonl', out: b }, { confineToDataDir: false })
      expect(fs.readFileSync(b, 'utf8')).toBe(fs.readFileSync(a, 'utf8'))
    } finally {
      await other.close()
    }
  })

  it('refuses a damaged archive (a changed byte, a file that no longer matches its hash, truncation)', async () => {
    const bytes = fs.readFileSync(archive)
    const flipped = path.join(work.dir, 'flipped.tar.gz')
    const damaged = Buffer.from(bytes)
    damaged[Math.floor(damaged.length / 2)]! ^= 0xff
    fs.writeFileSync(flipped, damaged)
    const target = path.join(work.dir, 'never')
    expect((await refusal(flipped, target)).kind).toBe('corrupt')
    expectUntouched(target)

    const tampered = await repack('tampered', (e) =>
      e.name.startsWith('songs/')
        ? Buffer.concat([e.bytes.subarray(0, 100), Buffer.from('x'), e.bytes.subarray(101)])
        : e.bytes
    )
    const hashMismatch = await refusal(tampered, target)
    expect(hashMismatch.message).toMatch(/songs\/.*does not match its SHA-256/)
    expectUntouched(target)

    const truncated = path.join(work.dir, 'truncated.tar.gz')
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)))
    expect((await refusal(truncated, target)).message).toMatch(/truncated/)
    expectUntouched(target)

    const noManifest = await repack('no-manifest', (e) => (e.name === MANIFEST_ENTRY ? null : e.bytes))
    expect((await refusal(noManifest, target)).message).toMatch(/manifest is missing/)
    expectUntouched(target)
  })

  it('refuses a foreign archive and one from a newer schema', async () => {
    const target = path.join(work.dir, 'never')
    const notGzip = path.join(work.dir, 'notes.txt')
    fs.writeFileSync(notGzip, 'just some text, not an archive\n'.repeat(50))
    expect((await refusal(notGzip, target)).message).toMatch(/not a gzip-compressed archive/)

    const otherTar = path.join(work.dir, 'other.tar.gz')
    await writeTarGz(otherTar, [{ name: 'README.md', bytes: Buffer.from('# something else\n') }])
    const foreign = await refusal(otherTar, target)
    expect(foreign.kind).toBe('unsupported')
    expect(foreign.message).toMatch(/not an EditorBot Studio project archive/)

    const newer = await repack('newer', (e) => {
      if (e.name !== HEADER_ENTRY && e.name !== MANIFEST_ENTRY) return e.bytes
      const json = JSON.parse(e.bytes.toString('utf8')) as { schemaVersion: number }
      return Buffer.from(JSON.stringify({ ...json, schemaVersion: LATEST_SCHEMA_VERSION + 1 }))
    })
    const version = await refusal(newer, target)
    expect(version.kind).toBe('version')
    expect(version.message).toMatch(new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1}.*newer`))
    expectUntouched(target)
  })

  it('never overwrites: a non-empty target is refused untouched, an empty folder is filled', async () => {
    const busy = path.join(work.dir, 'busy')
    fs.mkdirSync(busy)
    fs.writeFileSync(path.join(busy, 'keep.txt'), 'mine')
    const e = await refusal(archive, busy)
    expect(e.kind).toBe('conflict')
    expect(fs.readdirSync(busy)).toEqual(['keep.txt'])
    expect(fs.readFileSync(path.join(busy, 'keep.txt'), 'utf8')).toBe('mine')

    const empty = path.join(work.dir, 'empty')
    fs.mkdirSync(empty)
    await restoreProject(archive, empty)
    expect(fs.existsSync(path.join(empty, 'editorbot.sqlite'))).toBe(true)
  })

  it('runs from the CLI: export --what project, restore, and a one-line refusal', () => {
    const cli = (...args: string[]): CliRun => runCli(args)
    const file = path.join(work.dir, 'cli.tar.gz')
    const exported = cli('export', '--what', 'project', '--out', file, '--data-dir', source.dir, '--json')
    expect(exported.code, exported.stderr).toBe(0)
    expect(JSON.parse(exported.stdout)).toMatchObject({ what: 'project', out: file })
    const target = path.join(work.dir, 'cli-restored')
    const restored = cli('restore', file, '--data-dir', target, '--json')
    expect(restored.code, restored.stderr).toBe(0)
    expect(JSON.parse(restored.stdout)).toMatchObject({ dataDir: target, schemaVersion: LATEST_SCHEMA_VERSION })
    const again = cli('restore', file, '--data-dir', target)
    expect(again.code).not.toBe(0)
    expect(again.stderr.trim().split('\n')).toHaveLength(1)
    expect(again.stderr).toMatch(/is not empty/)
  })
})
