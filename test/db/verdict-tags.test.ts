import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import * as pairsQ from '../../src/main/db/queries/pairs'
import * as annotatorsQ from '../../src/main/db/queries/annotators'
import * as verdictsQ from '../../src/main/db/queries/verdicts'
import { readSettings, writeSettings } from '../../src/main/db/queries/settings'
import { exportPreferences, nextPair, submitVerdict } from '../../src/main/services/listen'
import { noSwap, seedEdits, seedSong, submitInput } from '../helpers/listen-fixtures'
import { tempDataDir } from '../helpers/temp'
import { failureOf } from '../helpers/failure'

let ctx: AppContext
let annotatorId: number
let cleanup: () => void

beforeEach(() => {
  const t = tempDataDir()
  cleanup = t.cleanup
  ctx = createAppContext({ dataDir: t.dir })
  const song = seedSong(ctx.db)
  const [a, b] = seedEdits(ctx.db, song) as [number, number]
  pairsQ.insertPair(ctx.db, { songId: song, editAId: a, editBId: b, priority: 0 })
  annotatorId = annotatorsQ.insertAnnotator(ctx.db, 'tagger').id
})
afterEach(async () => {
  await ctx.close()
  cleanup()
})

/** One CSV line's cells (quoted cells may hold commas, as the marks' JSON does). */
function csvCells(line: string): string[] {
  const cells: string[] = []
  for (const m of line.matchAll(/("(?:[^"]|"")*"|[^,]*)(?:,|$)/g)) {
    if (m.index === line.length && cells.length > 0) break
    const c = m[1] as string
    cells.push(c.startsWith('"') ? c.slice(1, -1).replace(/""/g, '"') : c)
  }
  return cells
}

describe('reason tags on verdicts', () => {
  it('stores the chosen tags with the verdict and exports them (JSONL and CSV)', () => {
    const s = readSettings(ctx.db)
    const p = nextPair(ctx.db, annotatorId, s, noSwap)!
    const record = submitVerdict(
      ctx.db,
      submitInput(p, annotatorId, { tags: ['bad loop', 'too long', 'bad loop'] }),
      s,
      'test'
    )
    expect(record.tags).toEqual(['bad loop', 'too long'])
    expect(verdictsQ.getVerdict(ctx.db, record.id)?.tags).toEqual(['bad loop', 'too long'])
    const jsonl = path.join(ctx.dataDir, 'prefs.jsonl')
    exportPreferences(ctx.db, { format: 'jsonl', outPath: jsonl })
    const row = JSON.parse(fs.readFileSync(jsonl, 'utf8').trim().split('\n')[0] as string) as { tags: string[] }
    expect(row.tags).toEqual(['bad loop', 'too long'])
    const csv = path.join(ctx.dataDir, 'prefs.csv')
    exportPreferences(ctx.db, { format: 'csv', outPath: csv })
    const [header, first] = fs.readFileSync(csv, 'utf8').trim().split('\n') as [string, string]
    const col = header.split(',').indexOf('tags')
    expect(col).toBeGreaterThan(-1)
    expect(csvCells(first)[col]).toBe('bad loop|too long')
  })

  it("refuses a tag that is not one of the project's, naming the field", () => {
    writeSettings(ctx.db, { reasonTags: [{ key: 'q', label: 'click or glitch' }] })
    const s = readSettings(ctx.db)
    const p = nextPair(ctx.db, annotatorId, s, noSwap)!
    const f = failureOf(() => submitVerdict(ctx.db, submitInput(p, annotatorId, { tags: ['bad loop'] }), s, 'test'))
    expect(f.kind).toBe('validation')
    expect(f.field).toBe('tags.0')
    expect(f.message).toContain('click or glitch')
  })
})
