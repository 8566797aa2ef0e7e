import type { Db } from '../connection'
import type { EditDetail, EditSegment, EditSummary, NewEdit } from '../../../shared/domain'
import { blobToUint8, toBlob } from '../blobs'

interface EditRow {
  id: number
  song_id: number
  actions: Buffer
  generator: string
  policy_id: number | null
  policy_version: number | null
  seed: number | null
  target_duration_s: number | null
  output_duration_s: number
  segments: string
  content_hash: string
  render_path: string | null
  created_at: string
}

function toSummary(r: EditRow): EditSummary {
  return {
    id: r.id,
    songId: r.song_id,
    generator: r.generator,
    policyId: r.policy_id,
    policyVersion: r.policy_version,
    seed: r.seed,
    targetDurationS: r.target_duration_s,
    outputDurationS: r.output_duration_s,
    contentHash: r.content_hash,
    createdAt: r.created_at,
    renderPath: r.render_path
  }
}

function toDetail(r: EditRow): EditDetail {
  return {
    ...toSummary(r),
    actions: Array.from(blobToUint8(r.actions)),
    segments: JSON.parse(r.segments) as EditSegment[]
  }
}

export function listEdits(db: Db, songId?: number): EditSummary[] {
  const rows =
    songId === undefined
      ? (db.prepare('SELECT * FROM edits ORDER BY id').all() as EditRow[])
      : (db.prepare('SELECT * FROM edits WHERE song_id = ? ORDER BY id').all(songId) as EditRow[])
  return rows.map(toSummary)
}

export function getEdit(db: Db, id: number): EditDetail | undefined {
  const row = db.prepare('SELECT * FROM edits WHERE id = ?').get(id) as EditRow | undefined
  return row && toDetail(row)
}

export function insertEdit(db: Db, e: NewEdit): number {
  const info = db
    .prepare(
      `INSERT INTO edits (song_id, actions, generator, policy_id, policy_version, seed, target_duration_s,
         output_duration_s, segments, content_hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    .run(
      e.songId,
      toBlob(e.actions),
      e.generator,
      e.policyId,
      e.policyVersion,
      e.seed,
      e.targetDurationS,
      e.outputDurationS,
      JSON.stringify(e.segments),
      e.contentHash
    )
  return Number(info.lastInsertRowid)
}

export function setEditRenderPath(db: Db, id: number, renderPath: string): void {
  db.prepare('UPDATE edits SET render_path = ? WHERE id = ?').run(renderPath, id)
}
