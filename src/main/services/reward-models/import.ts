/**
 * Importing a reward model file: the signature is checked before anything is stored; the file is
 * copied under the data directory; where its weights follow the app's transformer it can warm-start
 * training (checked numerically against onnxruntime); its normalisation stats come from the library.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as rmQ from '../../db/queries/reward-models'
import { AppFailure } from '../../../shared/result'
import type { RewardModelVersion } from '../../../shared/domain'
import { checkRewardSignature, importRewardOnnx, paramCount, readOnnx, rewardParamSpecs } from '../../engines/ml'
import { REWARD_MODELS_DIR, rewardModelOrFail } from './registry'
import { SequenceTable } from './dataset'
import { normalisationStats } from './evaluate'
import { withRequestedFile, type StagedUploads } from '../songs/uploads'

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

export function checkNewName(db: Db, name: string): void {
  if (!MODEL_NAME.test(name))
    throw new AppFailure(
      'validation',
      `model name '${name}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      'name'
    )
  if (rmQ.getRewardModelByName(db, name))
    throw new AppFailure('conflict', `a reward model named '${name}' already exists`, 'name')
}

/** Writes bytes to the data directory atomically (a .partial file renamed into place). */
export function writeModelFile(dataDir: string, relative: string, bytes: Uint8Array): void {
  const abs = path.join(dataDir, relative)
  fs.mkdirSync(path.dirname(abs), { recursive: true })
  fs.writeFileSync(`${abs}.partial`, bytes)
  fs.renameSync(`${abs}.partial`, abs)
}

export function importRewardModel(db: Db, dataDir: string, file: string, name: string): RewardModelVersion {
  checkNewName(db, name)
  const source = path.resolve(file)
  // Signature first: a wrong file fails here, naming the mismatch, and nothing is stored.
  const { info } = readOnnx(source)
  checkRewardSignature(info)
  const imported = importRewardOnnx(source)
  imported.session.dispose()
  const ws = imported.warmStart
  const relative = path.join(REWARD_MODELS_DIR, `${name}.onnx`)
  writeModelFile(dataDir, relative, fs.readFileSync(source))
  try {
    const norm = normalisationStats(db, path.join(dataDir, relative), new SequenceTable(db), ws?.config.maxBeats)
    db.transaction(() => {
      rmQ.insertRewardModel(db, {
        name,
        source: 'imported',
        parentId: null,
        onnxPath: relative,
        memberPaths: [relative],
        architecture: ws ? { ...ws.config } : null,
        paramCount: ws ? paramCount(rewardParamSpecs(ws.config)) : null,
        warmStartNote: ws ? null : (imported.warmStartReason ?? 'weights do not follow the app architecture'),
        config: { file: path.basename(source), producer: info.producer, opset: info.opset },
        seed: null,
        verdictIds: [],
        verdictsHash: null,
        validation: { songIds: [], verdictIds: [] },
        metrics: null,
        parentMetrics: null,
        norm,
        jobId: null
      })
      const created = rmQ.getRewardModelByName(db, name)!
      if (!rmQ.getActiveRewardModelRow(db)) rmQ.setActiveRewardModel(db, created.id)
    })()
  } catch (e) {
    fs.rmSync(path.join(dataDir, relative), { force: true })
    throw e
  }
  const { verdictIds: _ids, ...version } = rewardModelOrFail(db, name)
  return version
}

/**
 * The import request as transports make it: a path on this machine's disk, or in serve mode only a
 * file uploaded to this server (taken from the staged uploads and removed once imported).
 */
export function importRewardModelRequest(
  db: Db,
  dataDir: string,
  file: string,
  name: string,
  uploads?: StagedUploads
): RewardModelVersion {
  return withRequestedFile(file, uploads, (onDisk) => importRewardModel(db, dataDir, onDisk, name))
}
