import { z } from 'zod'
import type { Db } from '../connection'
import type { RewardModelMetrics, RewardModelVersion } from '../../../shared/domain'
import { AppFailure } from '../../../shared/result'

interface RewardModelRow {
  id: number
  name: string
  source: 'imported' | 'trained'
  parent_id: number | null
  parent_name: string | null
  onnx_path: string
  member_paths: string
  architecture: string | null
  param_count: number | null
  warm_start_note: string | null
  config: string
  seed: number | null
  verdict_ids: string
  verdicts_hash: string | null
  validation: string
  metrics: string
  parent_metrics: string | null
  norm_mean: number
  norm_std: number
  norm_count: number
  job_id: number | null
  active: 0 | 1
  created_at: string
}

const calibrationBin = z.object({ predicted: z.number(), observed: z.number(), count: z.number() })
export const rewardMetricsSchema = z.object({
  pairs: z.number(),
  decisive: z.number(),
  ties: z.number(),
  accuracy: z.number().nullable(),
  tieDeviation: z.number().nullable(),
  logLoss: z.number().nullable(),
  ece: z.number().nullable(),
  denseAgreement: z.number().nullable(),
  calibration: z.array(calibrationBin)
})
const validationSchema = z.object({ songIds: z.array(z.number()), verdictIds: z.array(z.number()) })
const idsSchema = z.array(z.number().int())
const pathsSchema = z.array(z.string())
const objectSchema = z.record(z.string(), z.unknown())

/** Stored JSON is parsed, never cast: a damaged row fails naming the model and the column. */
function parseColumn<T>(schema: z.ZodType<T>, raw: string, name: string, column: string): T {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new AppFailure('corrupt', `reward model ${name}: column ${column} is not JSON`, column)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new AppFailure('corrupt', `reward model ${name}: column ${column} is malformed`, column)
  return parsed.data
}

function toVersion(r: RewardModelRow): RewardModelVersion & { verdictIds: number[] } {
  const metrics = parseColumn(objectSchema, r.metrics, r.name, 'metrics')
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    parentId: r.parent_id,
    parentName: r.parent_name,
    onnxPath: r.onnx_path,
    memberPaths: parseColumn(pathsSchema, r.member_paths, r.name, 'member_paths'),
    architecture: r.architecture === null ? null : parseColumn(objectSchema, r.architecture, r.name, 'architecture'),
    paramCount: r.param_count,
    warmStartNote: r.warm_start_note,
    config: parseColumn(objectSchema, r.config, r.name, 'config'),
    seed: r.seed,
    verdictIds: parseColumn(idsSchema, r.verdict_ids, r.name, 'verdict_ids'),
    verdictsUsed: 0,
    verdictsHash: r.verdicts_hash,
    validation: parseColumn(validationSchema, r.validation, r.name, 'validation'),
    metrics: Object.keys(metrics).length === 0 ? null : parseColumn(rewardMetricsSchema, r.metrics, r.name, 'metrics'),
    parentMetrics:
      r.parent_metrics === null ? null : parseColumn(rewardMetricsSchema, r.parent_metrics, r.name, 'parent_metrics'),
    norm: { mean: r.norm_mean, std: r.norm_std, count: r.norm_count },
    jobId: r.job_id,
    active: r.active === 1,
    createdAt: r.created_at
  }
}

/** A version with the exact verdict ids it was trained on (the list view leaves them out). */
export type StoredRewardModel = RewardModelVersion & { verdictIds: number[] }

const SELECT = `SELECT m.*, p.name AS parent_name FROM reward_models m LEFT JOIN reward_models p ON p.id = m.parent_id`

function withCount(v: StoredRewardModel): StoredRewardModel {
  return { ...v, verdictsUsed: v.verdictIds.length }
}

export function listRewardModels(db: Db): StoredRewardModel[] {
  return (db.prepare(`${SELECT} ORDER BY m.id`).all() as RewardModelRow[]).map((r) => withCount(toVersion(r)))
}

export function getRewardModelByName(db: Db, name: string): StoredRewardModel | undefined {
  const r = db.prepare(`${SELECT} WHERE m.name = ?`).get(name) as RewardModelRow | undefined
  return r && withCount(toVersion(r))
}

export function getRewardModel(db: Db, id: number): StoredRewardModel | undefined {
  const r = db.prepare(`${SELECT} WHERE m.id = ?`).get(id) as RewardModelRow | undefined
  return r && withCount(toVersion(r))
}

export function getActiveRewardModelRow(db: Db): StoredRewardModel | undefined {
  const r = db.prepare(`${SELECT} WHERE m.active = 1`).get() as RewardModelRow | undefined
  return r && withCount(toVersion(r))
}

export interface NewRewardModel {
  name: string
  source: 'imported' | 'trained'
  parentId: number | null
  onnxPath: string
  memberPaths: string[]
  architecture: Record<string, unknown> | null
  paramCount: number | null
  warmStartNote: string | null
  config: Record<string, unknown>
  seed: number | null
  verdictIds: number[]
  verdictsHash: string | null
  validation: { songIds: number[]; verdictIds: number[] }
  metrics: RewardModelMetrics | null
  parentMetrics: RewardModelMetrics | null
  norm: { mean: number; std: number; count: number }
  jobId: number | null
}

export function insertRewardModel(db: Db, m: NewRewardModel): number {
  const info = db
    .prepare(
      `INSERT INTO reward_models (name, source, parent_id, onnx_path, member_paths, architecture, param_count,
         warm_start_note, config, seed, verdict_ids, verdicts_hash, validation, metrics, parent_metrics,
         norm_mean, norm_std, norm_count, job_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    .run(
      m.name,
      m.source,
      m.parentId,
      m.onnxPath,
      JSON.stringify(m.memberPaths),
      m.architecture === null ? null : JSON.stringify(m.architecture),
      m.paramCount,
      m.warmStartNote,
      JSON.stringify(m.config),
      m.seed,
      JSON.stringify(m.verdictIds),
      m.verdictsHash,
      JSON.stringify(m.validation),
      JSON.stringify(m.metrics ?? {}),
      m.parentMetrics === null ? null : JSON.stringify(m.parentMetrics),
      m.norm.mean,
      m.norm.std,
      m.norm.count,
      m.jobId
    )
  return Number(info.lastInsertRowid)
}

export function setRewardModelNorm(db: Db, id: number, norm: { mean: number; std: number; count: number }): void {
  db.prepare('UPDATE reward_models SET norm_mean = ?, norm_std = ?, norm_count = ? WHERE id = ?').run(
    norm.mean,
    norm.std,
    norm.count,
    id
  )
}

/** Makes one version active (and every other inactive) in one transaction. */
export function setActiveRewardModel(db: Db, id: number): void {
  db.transaction(() => {
    db.prepare('UPDATE reward_models SET active = 0 WHERE active = 1').run()
    db.prepare('UPDATE reward_models SET active = 1 WHERE id = ?').run(id)
  })()
}

/** Highest N among names of the form vN (0 when there is none). */
export function highestVersionNumber(db: Db): number {
  const names = (db.prepare('SELECT name FROM reward_models').all() as { name: string }[]).map((r) => r.name)
  let best = 0
  for (const n of names) {
    const m = /^v(\d+)$/.exec(n)
    if (m) best = Math.max(best, Number(m[1]))
  }
  return best
}

// ---- simulated annotators ----

export function findOrCreateSimulatedAnnotator(db: Db, name: string): { id: number; name: string } {
  db.prepare('INSERT INTO annotators (name, simulated) VALUES (?, 1) ON CONFLICT(name) DO NOTHING').run(name)
  const r = db.prepare('SELECT id, name, simulated FROM annotators WHERE name = ?').get(name) as {
    id: number
    name: string
    simulated: number
  }
  if (r.simulated !== 1)
    throw new AppFailure('conflict', `annotator '${name}' exists and is a real annotator, not a simulated one`, 'name')
  return { id: r.id, name: r.name }
}

export function simulatedAnnotatorIds(db: Db): Set<number> {
  return new Set(
    (db.prepare('SELECT id FROM annotators WHERE simulated = 1').all() as { id: number }[]).map((r) => r.id)
  )
}

// ---- ranking the pair queue by ensemble disagreement ----

export function queuedPairEdits(db: Db): { id: number; editAId: number; editBId: number }[] {
  return db
    .prepare(`SELECT id, edit_a_id AS editAId, edit_b_id AS editBId FROM pairs WHERE status = 'queued' ORDER BY id`)
    .all() as { id: number; editAId: number; editBId: number }[]
}

export function setPairPriorities(db: Db, priorities: readonly { pairId: number; priority: number }[]): void {
  const set = db.prepare('UPDATE pairs SET priority = ? WHERE id = ?')
  db.transaction(() => {
    for (const p of priorities) set.run(p.priority, p.pairId)
  })()
}

/** The stored JSON result of a job (parsed by the caller with its own schema). */
export function jobResultJson(db: Db, jobId: number): { kind: string; result: string | null } | undefined {
  return db.prepare('SELECT kind, result FROM jobs WHERE id = ?').get(jobId) as
    { kind: string; result: string | null } | undefined
}
