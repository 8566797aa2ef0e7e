/**
 * The policy registry: imported ONNX policies (signature checked before anything is stored) and the
 * versions training runs register; each is a file under the data directory's policies/ folder.
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as policiesQ from '../../db/queries/policies'
import { AppFailure } from '../../../shared/result'
import type { PolicySummary } from '../../../shared/domain'
import { readOnnx } from '../../engines/ml'
import { checkPolicySignature, extractPolicyWeights, importPolicyOnnx, type PolicyWeights } from '../../engines/ml/rlhf'
import { MODEL_NAME, writeModelFile } from '../reward-models/import'
import { dataDirOf } from '../reward-models/registry'

export const POLICIES_DIR = 'policies'

export function checkNewPolicyName(db: Db, name: string): void {
  if (!MODEL_NAME.test(name))
    throw new AppFailure(
      'validation',
      `policy name '${name}' must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`,
      'name'
    )
  if (policiesQ.getPolicyByName(db, name))
    throw new AppFailure('conflict', `a policy named '${name}' already exists`, 'name')
}

export function listPolicies(db: Db): PolicySummary[] {
  return policiesQ.listPolicies(db)
}

export function policyOrFail(db: Db, id: number, field = 'policyId'): PolicySummary {
  const p = policiesQ.getPolicy(db, id)
  if (!p) {
    const known = policiesQ.listPolicies(db).map((x) => `${x.id} (${x.name})`)
    throw new AppFailure(
      'not_found',
      `no policy with id ${id}${known.length ? ` (known: ${known.join(', ')})` : ' (none imported or trained yet)'}`,
      field
    )
  }
  return p
}

export function policyByNameOrFail(db: Db, name: string, field = 'parent'): PolicySummary {
  const p = policiesQ.getPolicyByName(db, name)
  if (!p) throw new AppFailure('not_found', `no policy named '${name}'`, field)
  return p
}

export function policyFile(db: Db, p: PolicySummary): string {
  return path.join(dataDirOf(db), p.onnxPath)
}

/** Imports a policy ONNX file: wrong signature -> AppFailure naming the mismatch, and nothing is stored. */
export function importPolicy(db: Db, dataDir: string, file: string, name: string): PolicySummary {
  checkNewPolicyName(db, name)
  const source = path.resolve(file)
  const imported = importPolicyOnnx(source)
  const relative = path.join(POLICIES_DIR, `${name}.onnx`)
  writeModelFile(dataDir, relative, fs.readFileSync(source))
  const id = policiesQ.insertPolicy(db, {
    name,
    source: 'imported',
    parentId: null,
    rewardModelId: null,
    runId: null,
    onnxPath: relative,
    sizes: imported.warmStart ? [...imported.warmStart.sizes] : null,
    warmStartNote: imported.warmStartNote,
    config: { file: path.basename(source), producer: imported.info.producer }
  })
  return policyOrFail(db, id)
}

/** The policy's weights in the app's network, for training to start from; refused when the file's network is another. */
export function loadPolicyWeights(db: Db, p: PolicySummary): PolicyWeights {
  const file = policyFile(db, p)
  const { model, info } = readOnnx(file)
  checkPolicySignature(info)
  const w = extractPolicyWeights(model)
  if (typeof w === 'string')
    throw new AppFailure('unsupported', `policy '${p.name}' cannot initialise training: ${w}`, 'parent')
  return w
}
