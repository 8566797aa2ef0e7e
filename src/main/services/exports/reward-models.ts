/**
 * Every reward-model version's ONNX file(s) from the registry, one folder per version name, with a
 * models.jsonl of the registry rows (lineage, metrics, normalisation, files).
 */
import fs from 'node:fs'
import path from 'node:path'
import { listRewardModelVersions } from '../reward-models'
import { AppFailure } from '../../../shared/result'
import type { Exporter } from './types'

export const MODELS_INDEX = 'models.jsonl'

export const exportRewardModels: Exporter = async (ctx, { out }) => {
  const versions = listRewardModelVersions(ctx.db)
  if (versions.length === 0)
    throw new AppFailure('not_found', 'no reward models yet: import one or train one first', 'what')
  fs.mkdirSync(out, { recursive: true })
  const files: string[] = []
  const index: string[] = []
  let bytes = 0
  for (const v of versions) {
    const members = v.memberPaths.length > 0 ? v.memberPaths : [v.onnxPath]
    const copied = members.map((member) => {
      const name = path.posix.join(v.name.replace(/[^A-Za-z0-9._-]+/g, '_'), path.basename(member))
      const target = path.join(out, name)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      const tmp = `${target}.${process.pid}.tmp`
      fs.copyFileSync(path.join(ctx.dataDir, member), tmp)
      fs.renameSync(tmp, target)
      bytes += fs.statSync(target).size
      files.push(name)
      return name
    })
    index.push(JSON.stringify({ ...v, files: copied }) + '\n')
  }
  fs.writeFileSync(path.join(out, MODELS_INDEX), index.join(''))
  files.push(MODELS_INDEX)
  bytes += fs.statSync(path.join(out, MODELS_INDEX)).size
  return { out, files, count: versions.length, bytes }
}
