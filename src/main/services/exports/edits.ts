/**
 * Every edit as a WAV file (rendered through the render service, which reuses cached renders), with an
 * edits.jsonl index: id, song, generator, provenance, actions and the WAV's name.
 */
import fs from 'node:fs'
import path from 'node:path'
import * as editsQ from '../../db/queries/edits'
import { AppFailure } from '../../../shared/result'
import type { Exporter } from './types'

export const EDITS_INDEX = 'edits.jsonl'

const wavName = (id: number, generator: string): string =>
  `edit-${id}-${generator.replace(/[^A-Za-z0-9_-]+/g, '_')}.wav`

export const exportEditWavs: Exporter = async (ctx, { out }) => {
  const edits = editsQ.listEdits(ctx.db)
  if (edits.length === 0) throw new AppFailure('not_found', 'no edits yet: generate some first (generate)', 'what')
  fs.mkdirSync(out, { recursive: true })
  const files: string[] = []
  const index: string[] = []
  let bytes = 0
  for (const summary of edits) {
    const rendered = await ctx.renders.render(summary.id)
    const name = wavName(summary.id, summary.generator)
    const target = path.join(out, name)
    const tmp = `${target}.${process.pid}.tmp`
    fs.copyFileSync(path.join(ctx.dataDir, rendered.renderPath), tmp)
    fs.renameSync(tmp, target)
    bytes += fs.statSync(target).size
    files.push(name)
    const detail = editsQ.getEdit(ctx.db, summary.id)
    index.push(
      JSON.stringify({
        edit_id: summary.id,
        song_id: summary.songId,
        generator: summary.generator,
        policy_id: summary.policyId,
        policy_version: summary.policyVersion,
        seed: summary.seed,
        output_duration_s: rendered.durationS,
        content_hash: summary.contentHash,
        actions: detail?.actions ?? [],
        wav: name
      }) + '\n'
    )
  }
  fs.writeFileSync(path.join(out, EDITS_INDEX), index.join(''))
  files.push(EDITS_INDEX)
  bytes += fs.statSync(path.join(out, EDITS_INDEX)).size
  return { out, files, count: edits.length, bytes }
}
