import { z } from 'zod'
import type { Db } from '../connection'
import { immediateTransaction } from '../transaction'
import {
  ITERATION_STAGES,
  type IterationAnnotatorCount,
  type IterationEvaluation,
  type IterationPair,
  type IterationPairRole,
  type IterationSettings,
  type IterationStage,
  type JobState
} from '../../../shared/domain'
import { AppFailure } from '../../../shared/result'

const idList = z.array(z.number().int().positive())
const roleSchema = z.enum(['versus', 'disagreement', 'sentinel'])
export const iterationSettingsSchema = z
  .object({
    algorithm: z.enum(['ppo', 'dpo']),
    config: z.enum(['tiny', 'default']),
    songIds: idList,
    pairs: z.number().int().min(1),
    pairsByRole: z.record(roleSchema, z.number().int().min(0)),
    seed: z.number().int().min(0),
    activateIfWorse: z.boolean(),
    includeSimulated: z.boolean(),
    reward: z.object({ parent: z.string().nullable(), epochs: z.number().int(), ensemble: z.number().int() }).strict(),
    policy: z.object({ parent: z.string().nullable(), steps: z.number().int(), rewardWeight: z.number() }).strict()
  })
  .strict()
const annotatorsSchema = z.array(
  z.object({ annotatorId: z.number(), name: z.string(), simulated: z.boolean(), verdicts: z.number() }).strict()
)
const scoresSchema = z
  .object({
    label: z.string(),
    dense: z.number(),
    learned: z.number().nullable(),
    hidden: z.number(),
    outputShare: z.number()
  })
  .strict()
const evaluationSchema = z.object({ songIds: idList, before: scoresSchema, after: scoresSchema }).strict()
const stageSecondsSchema = z.partialRecord(z.enum(ITERATION_STAGES), z.number())

/** Stored JSON is parsed, never cast: a damaged column fails naming the iteration and the column. */
function parseColumn<T>(schema: z.ZodType<T>, raw: string, id: number, column: string): T {
  let value: unknown
  try {
    value = JSON.parse(raw)
  } catch {
    throw new AppFailure('corrupt', `iteration ${id}: column ${column} is not JSON`, column)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw new AppFailure('corrupt', `iteration ${id}: column ${column} is malformed`, column)
  return parsed.data
}

interface IterationRow {
  id: number
  number: number
  job_id: number | null
  job_state: JobState | null
  job_error: string | null
  settings: string
  stage: IterationStage
  verdicts_hash: string
  verdict_count: number
  annotators: string
  parent_reward_model_id: number | null
  reward_model_id: number | null
  reward_activated: 0 | 1 | null
  reward_activation_note: string | null
  parent_policy_id: number | null
  run_id: number | null
  policy_id: number | null
  evaluation: string | null
  stage_seconds: string
  created_at: string
  finished_at: string | null
}

export interface StoredIteration {
  id: number
  number: number
  jobId: number | null
  jobState: JobState | null
  jobError: string | null
  settings: IterationSettings
  stage: IterationStage
  verdictsHash: string
  verdictCount: number
  annotators: IterationAnnotatorCount[]
  parentRewardModelId: number | null
  rewardModelId: number | null
  rewardActivated: boolean | null
  rewardActivationNote: string | null
  parentPolicyId: number | null
  runId: number | null
  policyId: number | null
  evaluation: IterationEvaluation | null
  stageSeconds: Partial<Record<IterationStage, number>>
  createdAt: string
  finishedAt: string | null
}

const SELECT = `
  SELECT i.*, j.state AS job_state, j.error AS job_error,
    (SELECT COUNT(*) FROM iteration_verdicts v WHERE v.iteration_id = i.id) AS verdict_count
  FROM iterations i LEFT JOIN jobs j ON j.id = i.job_id`

function toIteration(r: IterationRow): StoredIteration {
  return {
    id: r.id,
    number: r.number,
    jobId: r.job_id,
    jobState: r.job_state,
    jobError: r.job_error,
    settings: parseColumn(iterationSettingsSchema, r.settings, r.id, 'settings'),
    stage: r.stage,
    verdictsHash: r.verdicts_hash,
    verdictCount: r.verdict_count,
    annotators: parseColumn(annotatorsSchema, r.annotators, r.id, 'annotators'),
    parentRewardModelId: r.parent_reward_model_id,
    rewardModelId: r.reward_model_id,
    rewardActivated: r.reward_activated === null ? null : r.reward_activated === 1,
    rewardActivationNote: r.reward_activation_note,
    parentPolicyId: r.parent_policy_id,
    runId: r.run_id,
    policyId: r.policy_id,
    evaluation: r.evaluation === null ? null : parseColumn(evaluationSchema, r.evaluation, r.id, 'evaluation'),
    stageSeconds: parseColumn(stageSecondsSchema, r.stage_seconds, r.id, 'stage_seconds'),
    createdAt: r.created_at,
    finishedAt: r.finished_at
  }
}

export function listIterations(db: Db): StoredIteration[] {
  return (db.prepare(`${SELECT} ORDER BY i.number`).all() as IterationRow[]).map(toIteration)
}

export function getIteration(db: Db, id: number): StoredIteration | undefined {
  const r = db.prepare(`${SELECT} WHERE i.id = ?`).get(id) as IterationRow | undefined
  return r && toIteration(r)
}

export function nextIterationNumber(db: Db): number {
  const r = db.prepare('SELECT MAX(number) AS n FROM iterations').get() as { n: number | null }
  return (r.n ?? 0) + 1
}

export function insertIteration(
  db: Db,
  it: {
    number: number
    settings: IterationSettings
    verdictIds: readonly number[]
    verdictsHash: string
    annotators: IterationAnnotatorCount[]
    parentRewardModelId: number | null
    parentPolicyId: number | null
  }
): number {
  return immediateTransaction(db, () => {
    const id = Number(
      db
        .prepare(
          `INSERT INTO iterations (number, settings, verdicts_hash, annotators, parent_reward_model_id, parent_policy_id)
           VALUES (?, ?, ?, ?, ?, ?)`
        )
        .run(
          it.number,
          JSON.stringify(it.settings),
          it.verdictsHash,
          JSON.stringify(it.annotators),
          it.parentRewardModelId,
          it.parentPolicyId
        ).lastInsertRowid
    )
    const add = db.prepare('INSERT INTO iteration_verdicts (iteration_id, verdict_id) VALUES (?, ?)')
    for (const v of it.verdictIds) add.run(id, v)
    return id
  })
}

export function setIterationJob(db: Db, id: number, jobId: number): void {
  db.prepare('UPDATE iterations SET job_id = ? WHERE id = ?').run(jobId, id)
}

export function iterationVerdictIds(db: Db, id: number): number[] {
  return (
    db.prepare('SELECT verdict_id FROM iteration_verdicts WHERE iteration_id = ? ORDER BY verdict_id').all(id) as {
      verdict_id: number
    }[]
  ).map((r) => r.verdict_id)
}

/** What a finished stage produced, written together with the next stage so a resume never redoes it. */
export interface StageOutputs {
  rewardModelId?: number
  rewardActivated?: boolean
  rewardActivationNote?: string | null
  runId?: number
  policyId?: number
  evaluation?: IterationEvaluation
}

export function advanceIteration(
  db: Db,
  id: number,
  finished: IterationStage,
  next: IterationStage,
  seconds: number,
  out: StageOutputs = {}
): void {
  const current = getIteration(db, id)
  if (!current) throw new AppFailure('not_found', `no iteration with id ${id}`, 'iterationId')
  const stageSeconds = { ...current.stageSeconds, [finished]: seconds }
  db.prepare(
    `UPDATE iterations SET stage = ?, stage_seconds = ?,
       reward_model_id = COALESCE(?, reward_model_id),
       reward_activated = COALESCE(?, reward_activated),
       reward_activation_note = CASE WHEN ? THEN ? ELSE reward_activation_note END,
       run_id = COALESCE(?, run_id), policy_id = COALESCE(?, policy_id),
       evaluation = COALESCE(?, evaluation),
       finished_at = CASE WHEN ? = 'done' THEN strftime('%Y-%m-%dT%H:%M:%fZ','now') ELSE finished_at END
     WHERE id = ?`
  ).run(
    next,
    JSON.stringify(stageSeconds),
    out.rewardModelId ?? null,
    out.rewardActivated === undefined ? null : out.rewardActivated ? 1 : 0,
    out.rewardActivationNote !== undefined ? 1 : 0,
    out.rewardActivationNote ?? null,
    out.runId ?? null,
    out.policyId ?? null,
    out.evaluation === undefined ? null : JSON.stringify(out.evaluation),
    next,
    id
  )
}

/** A run created by the policy stage, recorded before it trains so a resume continues that run. */
export function setIterationRun(db: Db, id: number, runId: number): void {
  db.prepare('UPDATE iterations SET run_id = ? WHERE id = ?').run(runId, id)
}

export function insertIterationEdit(
  db: Db,
  e: { iterationId: number; songId: number; editId: number; previousEditId: number; previousLabel: string }
): void {
  db.prepare(
    `INSERT INTO iteration_edits (iteration_id, song_id, edit_id, previous_edit_id, previous_label) VALUES (?, ?, ?, ?, ?)`
  ).run(e.iterationId, e.songId, e.editId, e.previousEditId, e.previousLabel)
}

export function iterationEdits(
  db: Db,
  iterationId: number
): { songId: number; songTitle: string; editId: number; previousEditId: number; previousLabel: string }[] {
  return db
    .prepare(
      `SELECT e.song_id AS songId, s.title AS songTitle, e.edit_id AS editId, e.previous_edit_id AS previousEditId,
         e.previous_label AS previousLabel
       FROM iteration_edits e JOIN songs s ON s.id = e.song_id WHERE e.iteration_id = ? ORDER BY e.song_id`
    )
    .all(iterationId) as {
    songId: number
    songTitle: string
    editId: number
    previousEditId: number
    previousLabel: string
  }[]
}

export function insertIterationPair(
  db: Db,
  p: {
    iterationId: number
    pairId: number
    role: IterationPairRole
    expectedEditId: number | null
    disagreement: number | null
  }
): void {
  db.prepare(
    `INSERT INTO iteration_pairs (pair_id, iteration_id, role, expected_edit_id, disagreement) VALUES (?, ?, ?, ?, ?)`
  ).run(p.pairId, p.iterationId, p.role, p.expectedEditId, p.disagreement)
}

export function iterationPairs(db: Db, iterationId: number): IterationPair[] {
  return db
    .prepare(
      `SELECT ip.pair_id AS pairId, ip.role, p.song_id AS songId, p.status, p.edit_a_id AS editAId,
         p.edit_b_id AS editBId, ip.expected_edit_id AS expectedEditId, ip.disagreement
       FROM iteration_pairs ip JOIN pairs p ON p.id = ip.pair_id WHERE ip.iteration_id = ? ORDER BY ip.pair_id`
    )
    .all(iterationId) as IterationPair[]
}

export function pairCounts(db: Db, iterationId: number): Record<IterationPairRole, number> {
  const counts: Record<IterationPairRole, number> = { versus: 0, disagreement: 0, sentinel: 0 }
  const rows = db
    .prepare('SELECT role, COUNT(*) AS n FROM iteration_pairs WHERE iteration_id = ? GROUP BY role')
    .all(iterationId) as { role: IterationPairRole; n: number }[]
  for (const r of rows) counts[r.role] = r.n
  return counts
}

/** Current verdicts on this iteration's sentinel pairs: how many chose the expected edit. */
export function sentinelAgreement(db: Db, iterationId: number): { judged: number; agreed: number } {
  const r = db
    .prepare(
      `SELECT COUNT(*) AS judged, COALESCE(SUM(v.chosen_edit_id = ip.expected_edit_id), 0) AS agreed
       FROM iteration_pairs ip JOIN verdicts v ON v.pair_id = ip.pair_id
       WHERE ip.iteration_id = ? AND ip.role = 'sentinel' AND v.superseded_at IS NULL
         AND v.verdict IN ('a', 'b', 'tie', 'both_bad')`
    )
    .get(iterationId) as { judged: number; agreed: number }
  return r
}

export function iterationOfPair(
  db: Db,
  pairId: number
): { id: number; number: number; role: IterationPairRole } | undefined {
  return db
    .prepare(
      `SELECT i.id, i.number, ip.role FROM iteration_pairs ip JOIN iterations i ON i.id = ip.iteration_id
       WHERE ip.pair_id = ?`
    )
    .get(pairId) as { id: number; number: number; role: IterationPairRole } | undefined
}

export function iterationOfPolicy(db: Db, policyId: number): { id: number; number: number } | undefined {
  return db.prepare('SELECT id, number FROM iterations WHERE policy_id = ?').get(policyId) as
    { id: number; number: number } | undefined
}

export function iterationsOfVerdict(db: Db, verdictId: number): StoredIteration[] {
  return (
    db
      .prepare(
        `${SELECT} WHERE i.id IN (SELECT iteration_id FROM iteration_verdicts WHERE verdict_id = ?) ORDER BY i.number`
      )
      .all(verdictId) as IterationRow[]
  ).map(toIteration)
}

export function pairIdsOfIteration(db: Db, iterationId: number): number[] {
  return (
    db.prepare('SELECT pair_id FROM iteration_pairs WHERE iteration_id = ? ORDER BY pair_id').all(iterationId) as {
      pair_id: number
    }[]
  ).map((r) => r.pair_id)
}

/** An iteration whose job is still queued or running (only one runs at a time). */
export function activeIteration(db: Db): { id: number; number: number } | undefined {
  return db
    .prepare(
      `SELECT i.id, i.number FROM iterations i JOIN jobs j ON j.id = i.job_id
       WHERE j.state IN ('queued', 'running') LIMIT 1`
    )
    .get() as { id: number; number: number } | undefined
}
