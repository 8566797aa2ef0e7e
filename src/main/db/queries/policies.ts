import type { Db } from '../connection'
import type { JobState, PolicySummary, TrainingRunSummary } from '../../../shared/domain'

/** Stored JSON written by this app; anything unreadable reads as empty rather than failing a list. */
function parseObject(s: string | null): Record<string, unknown> {
  if (s === null) return {}
  try {
    const v: unknown = JSON.parse(s)
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function parseNumbers(s: string | null): Record<string, number> {
  const out: Record<string, number> = {}
  for (const [k, v] of Object.entries(parseObject(s))) if (typeof v === 'number') out[k] = v
  return out
}

function parseSizes(s: string | null): number[] | null {
  if (s === null) return null
  try {
    const v: unknown = JSON.parse(s)
    return Array.isArray(v) && v.every((x) => Number.isInteger(x)) ? (v as number[]) : null
  } catch {
    return null
  }
}

interface PolicyRow {
  id: number
  name: string
  source: 'imported' | 'trained'
  parent_id: number | null
  parent_name: string | null
  reward_model_id: number | null
  reward_model_name: string | null
  run_id: number | null
  onnx_path: string
  sizes: string | null
  warm_start_note: string | null
  config: string
  created_at: string
}

const POLICY_SELECT = `
  SELECT p.*, pp.name AS parent_name, rm.name AS reward_model_name
  FROM policies p
  LEFT JOIN policies pp ON pp.id = p.parent_id
  LEFT JOIN reward_models rm ON rm.id = p.reward_model_id`

function toPolicy(r: PolicyRow): PolicySummary {
  return {
    id: r.id,
    name: r.name,
    source: r.source,
    parentId: r.parent_id,
    parentName: r.parent_name,
    rewardModelId: r.reward_model_id,
    rewardModelName: r.reward_model_name,
    runId: r.run_id,
    onnxPath: r.onnx_path,
    sizes: parseSizes(r.sizes),
    warmStartNote: r.warm_start_note,
    config: parseObject(r.config),
    createdAt: r.created_at
  }
}

export function insertPolicy(
  db: Db,
  p: {
    name: string
    source: 'imported' | 'trained'
    parentId: number | null
    rewardModelId: number | null
    runId: number | null
    onnxPath: string
    sizes: readonly number[] | null
    warmStartNote: string | null
    config: Record<string, unknown>
  }
): number {
  return Number(
    db
      .prepare(
        `INSERT INTO policies (name, source, parent_id, reward_model_id, run_id, onnx_path, sizes, warm_start_note, config)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        p.name,
        p.source,
        p.parentId,
        p.rewardModelId,
        p.runId,
        p.onnxPath,
        p.sizes === null ? null : JSON.stringify(p.sizes),
        p.warmStartNote,
        JSON.stringify(p.config)
      ).lastInsertRowid
  )
}

export function listPolicies(db: Db): PolicySummary[] {
  return (db.prepare(`${POLICY_SELECT} ORDER BY p.id`).all() as PolicyRow[]).map(toPolicy)
}

export function getPolicy(db: Db, id: number): PolicySummary | null {
  const r = db.prepare(`${POLICY_SELECT} WHERE p.id = ?`).get(id) as PolicyRow | undefined
  return r ? toPolicy(r) : null
}

export function getPolicyByName(db: Db, name: string): PolicySummary | null {
  const r = db.prepare(`${POLICY_SELECT} WHERE p.name = ?`).get(name) as PolicyRow | undefined
  return r ? toPolicy(r) : null
}

interface RunRow {
  id: number
  algorithm: 'ppo' | 'dpo'
  config: string
  parent_policy_id: number | null
  parent_policy_name: string | null
  reward_model_id: number | null
  reward_model_name: string | null
  rm_verdicts: number | null
  rm_verdicts_hash: string | null
  reward_weight: number | null
  job_id: number | null
  job_state: JobState | null
  job_progress: number | null
  metrics_path: string
  checkpoint_path: string | null
  best_checkpoint_path: string | null
  best_score: number | null
  best_update: number | null
  policy_id: number | null
  policy_name: string | null
  last_metrics: string
  created_at: string
  finished_at: string | null
}

const RUN_SELECT = `
  SELECT r.*, pp.name AS parent_policy_name, rm.name AS reward_model_name, rm.verdicts_hash AS rm_verdicts_hash,
    json_array_length(rm.verdict_ids) AS rm_verdicts, j.state AS job_state, j.progress AS job_progress,
    pol.name AS policy_name
  FROM training_runs r
  LEFT JOIN policies pp ON pp.id = r.parent_policy_id
  LEFT JOIN reward_models rm ON rm.id = r.reward_model_id
  LEFT JOIN jobs j ON j.id = r.job_id
  LEFT JOIN policies pol ON pol.id = r.policy_id`

function toRun(r: RunRow): TrainingRunSummary {
  return {
    id: r.id,
    algorithm: r.algorithm,
    config: parseObject(r.config),
    parentPolicyId: r.parent_policy_id,
    parentPolicyName: r.parent_policy_name,
    rewardModelId: r.reward_model_id,
    rewardModelName: r.reward_model_name,
    rewardModelVerdicts: r.rm_verdicts,
    rewardModelVerdictsHash: r.rm_verdicts_hash,
    rewardWeight: r.reward_weight,
    jobId: r.job_id,
    state: r.job_state,
    progress: r.job_progress ?? 0,
    metricsPath: r.metrics_path,
    checkpointPath: r.checkpoint_path,
    bestCheckpointPath: r.best_checkpoint_path,
    bestScore: r.best_score,
    bestUpdate: r.best_update,
    policyId: r.policy_id,
    policyName: r.policy_name,
    lastMetrics: parseNumbers(r.last_metrics),
    createdAt: r.created_at,
    finishedAt: r.finished_at
  }
}

export function insertRun(
  db: Db,
  r: {
    algorithm: 'ppo' | 'dpo'
    config: Record<string, unknown>
    parentPolicyId: number | null
    rewardModelId: number | null
    rewardWeight: number | null
  }
): number {
  const id = Number(
    db
      .prepare(
        `INSERT INTO training_runs (algorithm, config, parent_policy_id, reward_model_id, reward_weight, metrics_path)
         VALUES (?, ?, ?, ?, ?, '')`
      )
      .run(r.algorithm, JSON.stringify(r.config), r.parentPolicyId, r.rewardModelId, r.rewardWeight).lastInsertRowid
  )
  db.prepare('UPDATE training_runs SET metrics_path = ? WHERE id = ?').run(`runs/run-${id}/metrics.jsonl`, id)
  return id
}

export function setRunJob(db: Db, runId: number, jobId: number): void {
  db.prepare('UPDATE training_runs SET job_id = ? WHERE id = ?').run(jobId, runId)
}

export function updateRunProgress(
  db: Db,
  runId: number,
  p: {
    lastMetrics: Record<string, number>
    checkpointPath?: string
    best?: { path: string; score: number; update: number }
  }
): void {
  db.prepare(
    `UPDATE training_runs SET last_metrics = ?, checkpoint_path = COALESCE(?, checkpoint_path),
       best_checkpoint_path = COALESCE(?, best_checkpoint_path), best_score = COALESCE(?, best_score),
       best_update = COALESCE(?, best_update) WHERE id = ?`
  ).run(
    JSON.stringify(p.lastMetrics),
    p.checkpointPath ?? null,
    p.best?.path ?? null,
    p.best?.score ?? null,
    p.best?.update ?? null,
    runId
  )
}

export function finishRun(db: Db, runId: number, policyId: number): void {
  db.prepare(
    `UPDATE training_runs SET policy_id = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`
  ).run(policyId, runId)
}

export function listRuns(db: Db): TrainingRunSummary[] {
  return (db.prepare(`${RUN_SELECT} ORDER BY r.id DESC`).all() as RunRow[]).map(toRun)
}

export function getRun(db: Db, id: number): TrainingRunSummary | null {
  const r = db.prepare(`${RUN_SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined
  return r ? toRun(r) : null
}
