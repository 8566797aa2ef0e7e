/**
 * The reward-model registry as other services and workers read it: versions, the active one, and
 * their files under the data directory.
 */
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as rmQ from '../../db/queries/reward-models'
import { AppFailure } from '../../../shared/result'
import type { RewardModelVersion } from '../../../shared/domain'

export const REWARD_MODELS_DIR = 'reward-models'

/** What a consumer of the learned reward (policy training, pair ranking) needs from the active version. */
export interface ActiveRewardModel {
  id: number
  name: string
  /** ONNX file relative to the data directory. */
  onnxPath: string
  /** The same file, absolute (the data directory is the database file's folder). */
  onnxFile: string
  /** Every ensemble member, absolute, onnxFile first. */
  memberFiles: string[]
  /** Reward mean/std over the reference set: normalised = (raw - mean) / std. */
  norm: { mean: number; std: number }
}

/** The data directory of an open database (the database file lives at its top). */
export function dataDirOf(db: Db): string {
  return path.dirname(path.resolve(db.name))
}

export function toActive(db: Db, v: RewardModelVersion): ActiveRewardModel {
  const dir = dataDirOf(db)
  const members = v.memberPaths.length > 0 ? v.memberPaths : [v.onnxPath]
  return {
    id: v.id,
    name: v.name,
    onnxPath: v.onnxPath,
    onnxFile: path.join(dir, v.onnxPath),
    memberFiles: members.map((p) => path.join(dir, p)),
    norm: { mean: v.norm.mean, std: v.norm.std > 0 ? v.norm.std : 1 }
  }
}

/** The active reward-model version, or null when none is active yet. */
export function getActiveRewardModel(db: Db): ActiveRewardModel | null {
  const v = rmQ.getActiveRewardModelRow(db)
  return v ? toActive(db, v) : null
}

/** The longest sequence a version takes: its position table where the architecture is known. */
export function maxBeatsOf(v: RewardModelVersion): number | undefined {
  const m = v.architecture?.maxBeats
  return typeof m === 'number' && Number.isInteger(m) && m > 0 ? m : undefined
}

export function rewardModelOrFail(db: Db, name: string, field = 'model'): rmQ.StoredRewardModel {
  const v = rmQ.getRewardModelByName(db, name)
  if (!v) {
    const known = rmQ.listRewardModels(db).map((m) => m.name)
    throw new AppFailure(
      'not_found',
      `no reward model named '${name}'${known.length ? ` (known: ${known.join(', ')})` : ' (none imported or trained yet)'}`,
      field
    )
  }
  return v
}

/** The list view: every version without its (long) verdict id list. */
export function listRewardModelVersions(db: Db): RewardModelVersion[] {
  return rmQ.listRewardModels(db).map(({ verdictIds: _ids, ...v }) => v)
}
