import { existsSync, readdirSync, statSync } from 'node:fs'
import { basename, join } from 'node:path'
import { decodeAudioFile } from '../src/main/engines/audio-io/decode'
import { analyzeAudio } from '../src/main/engines/analysis/analyze'
import { DEFAULT_REAL_MUSIC_DIRS } from './analysis'
import { buildEditDecisionList } from '../src/main/engines/edits/edl'
import { generateActions } from '../src/main/engines/edits/generate'
import { renderEdit } from '../src/main/engines/edits/render'
import { spliceClickMetric } from '../src/main/engines/edits/metrics'
import { songStructureOf } from '../src/main/engines/edits/types'

function realMusicFiles(paths: readonly string[], max: number): string[] {
  const files: string[] = []
  for (const p of paths) {
    if (!existsSync(p)) continue
    if (statSync(p).isFile()) files.push(p)
    else
      for (const name of readdirSync(p).sort())
        if (/\.(ogg|mp3|flac|wav)$/i.test(name) && statSync(join(p, name)).isFile()) files.push(join(p, name))
  }
  return files.slice(0, max)
}

/**
 * Splice quality on real recordings: random edits (many splices) rendered with the default equal-power
 * crossfades and with naive butt splices, scored by the splice click metric (1 / 0 dB = no worse than the
 * music itself around the joined points).
 */
export async function benchSplicesOnRealMusic(opts: {
  log: (line: string) => void
  paths?: readonly string[]
  maxFiles?: number
}): Promise<Record<string, unknown>> {
  const files = realMusicFiles(opts.paths?.length ? opts.paths : DEFAULT_REAL_MUSIC_DIRS, opts.maxFiles ?? 4)
  if (files.length === 0) {
    opts.log('splices on real music: no files (install wesnoth-1.16-music or pass files/folders)')
    return { files: 0 }
  }
  const rows: { file: string; splices: number; smooth: [number, number]; butt: [number, number] }[] = []
  for (const file of files) {
    const audio = await decodeAudioFile(file)
    const structure = songStructureOf(audio, analyzeAudio(audio))
    const edl = buildEditDecisionList(structure, generateActions(structure, 'random', { seed: 3 }))
    const smooth = spliceClickMetric(audio, edl, renderEdit(audio, edl))
    const butt = spliceClickMetric(audio, edl, renderEdit(audio, edl, { spliceFadeMs: 0 }))
    rows.push({
      file: basename(file),
      splices: smooth.splices,
      smooth: [smooth.meanDiscontinuity, smooth.meanHfExcessDb],
      butt: [butt.meanDiscontinuity, butt.meanHfExcessDb]
    })
    opts.log(
      `  ${basename(file).padEnd(32)} ${String(smooth.splices).padStart(3)} splices  step ratio ${smooth.meanDiscontinuity.toFixed(2)} vs butt ${butt.meanDiscontinuity.toFixed(2)}  HF excess ${smooth.meanHfExcessDb.toFixed(1)} dB vs butt ${butt.meanHfExcessDb.toFixed(1)} dB`
    )
  }
  return { files: rows.length, rows }
}
