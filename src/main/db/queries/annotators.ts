import type { Db } from '../connection'
import type { Annotator } from '../../../shared/domain'

interface AnnotatorRow {
  id: number
  name: string
  created_at: string
}
const toAnnotator = (r: AnnotatorRow): Annotator => ({ id: r.id, name: r.name, createdAt: r.created_at })

export function listAnnotators(db: Db): Annotator[] {
  return (db.prepare('SELECT * FROM annotators ORDER BY name').all() as AnnotatorRow[]).map(toAnnotator)
}

export function getAnnotator(db: Db, id: number): Annotator | undefined {
  const r = db.prepare('SELECT * FROM annotators WHERE id = ?').get(id) as AnnotatorRow | undefined
  return r && toAnnotator(r)
}

export function findAnnotatorByName(db: Db, name: string): Annotator | undefined {
  const r = db.prepare('SELECT * FROM annotators WHERE name = ?').get(name) as AnnotatorRow | undefined
  return r && toAnnotator(r)
}

export function insertAnnotator(db: Db, name: string): Annotator {
  const info = db.prepare('INSERT INTO annotators (name) VALUES (?)').run(name)
  return getAnnotator(db, Number(info.lastInsertRowid)) as Annotator
}
