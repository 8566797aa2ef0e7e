/**
 * Reward models and policies as ONNX: every version in the registry, one folder per version name, with
 * an index (models.jsonl / policies.jsonl) of the registry rows (lineage, metrics, files).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { AppContext } from '../../app/context'
import { listRewardModelVersions } from '../reward-models'
import * as policiesQ from '../../db/queries/policies'
import { AppFailure } from '../../../shared/result'
import type { Exporter } from './types'

export const MODELS_INDEX = 'models.jsonl'
export const POLICIES_INDEX = 'policies.jsonl'

interface RegistryItem {
  name: string
  /** Files relative to the data directory. */
  files: string[]
  row: object
}

function copyRegistry(ctx: AppContext, out: string, items: readonly RegistryItem[], indexName: string) {
  fs.mkdirSync(out, { recursive: true })
  const files: string[] = []
  const index: string[] = []
  let bytes = 0
  for (const item of items) {
    const copied = item.files.map((member) => {
      const name = path.posix.join(item.name.replace(/[^A-Za-z0-9._-]+/g, '_'), path.basename(member))
      const target = path.join(out, name)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      const tmp = `${target}.${process.pid}.tmp`
      fs.copyFileSync(path.join(ctx.dataDir, member), tmp)
      fs.renameSync(tmp, target)
      bytes += fs.statSync(target).size
      files.push(name)
      return name
    })
    index.push(JSON.stringify({ ...item.row, files: copied }) + '\n')
  }
  fs.writeFileSync(path.join(out, indexName), index.join(''))
  files.push(indexName)
  bytes += fs.statSync(path.join(out, indexName)).size
  return { out, files, count: items.length, bytes }
}

export const exportRewardModels: Exporter = async (ctx, { out }) => {
  const versions = listRewardModelVersions(ctx.db)
  if (versions.length === 0)
    throw new AppFailure('not_found', 'no reward models yet: import one or train one first', 'what')
  const items = versions.map((v) => ({
    name: v.name,
    files: v.memberPaths.length > 0 ? v.memberPaths : [v.onnxPath],
    row: v
  }))
  return copyRegistry(ctx, out, items, MODELS_INDEX)
}

export const exportPolicies: Exporter = async (ctx, { out }) => {
  const policies = policiesQ.listPolicies(ctx.db)
  if (policies.length === 0) throw new AppFailure('not_found', 'no policies yet: import one or train one first', 'what')
  return copyRegistry(
    ctx,
    out,
    policies.map((p) => ({ name: p.name, files: [p.onnxPath], row: p })),
    POLICIES_INDEX
  )
}
