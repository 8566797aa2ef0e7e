/**
 * `editorbot export --what preferences`: every active (not undone) verdict, one row each, in TRL's
 * preference layout (`prompt` names the song's features file, `chosen`/`rejected` are the two action
 * arrays where the verdict has a winner, `margin` from its strength) plus both edits' provenance and the
 * listening telemetry. Each song's features go beside the file (features/song-<id>.npy; docs/scale.md).
 */
import fs from 'node:fs'
import path from 'node:path'
import type { Db } from '../../db/connection'
import * as verdictsQ from '../../db/queries/verdicts'
import * as pairsQ from '../../db/queries/pairs'
import * as editsQ from '../../db/queries/edits'
import * as songsQ from '../../db/queries/songs'
import * as annotatorsQ from '../../db/queries/annotators'
import { AppFailure } from '../../../shared/result'
import type { EditDetail, ProblemMark, VerdictRecord } from '../../../shared/domain'
import { featuresFileName, writeFeaturesFiles } from '../exports/features-files'

export interface ExportedEdit {
  edit_id: number
  generator: string
  policy_id: number | null
  policy_version: number | null
  seed: number | null
  output_duration_s: number
  content_hash: string
  actions: number[]
}

export interface PreferenceRow {
  /** `song:<id> features:<path>`: the song and its features file, relative to the export's folder. */
  prompt: string
  /** The preferred edit's action per beat; null for tie, both_bad and skip. */
  chosen: number[] | null
  rejected: number[] | null
  /**
   * TRL/OpenRLHF margin: MUCH_BETTER_MARGIN for "much better" (strength 2), 0 for "better"; null without
   * a winner.
   */
  margin: number | null
  features_file: string
  /** Layout version of the song's features (docs/features.md); null before analysis. */
  feature_version: number | null
  verdict_id: number
  pair_id: number
  repeat_of_pair_id: number | null
  song_id: number
  song_title: string
  song_content_hash: string
  annotator_id: number
  annotator: string
  verdict: VerdictRecord['verdict']
  strength: 1 | 2 | null
  /** Present when the verdict prefers one edit (a or b). */
  chosen_edit: ExportedEdit | null
  rejected_edit: ExportedEdit | null
  shown_a: ExportedEdit
  shown_b: ExportedEdit
  listened_a_ms: number
  listened_b_ms: number
  /** Listened time over the side's length (can exceed 1 after replays). */
  heard_fraction_a: number
  heard_fraction_b: number
  switches: number
  decision_ms: number
  marks: ProblemMark[]
  note: string | null
  /** Quick reason tags chosen with the verdict. */
  tags: string[]
  created_at: string
  app_version: string
}

/** The margin the app's own reward training gives a strength-2 verdict (strengthMargin in reward-training.ts). */
export const MUCH_BETTER_MARGIN = 0.5

const exported = (e: EditDetail): ExportedEdit => ({
  edit_id: e.id,
  generator: e.generator,
  policy_id: e.policyId,
  policy_version: e.policyVersion,
  seed: e.seed,
  output_duration_s: e.outputDurationS,
  content_hash: e.contentHash,
  actions: e.actions
})

export function preferenceRows(db: Db): PreferenceRow[] {
  const edits = new Map<number, EditDetail>()
  const edit = (id: number): EditDetail => {
    let e = edits.get(id)
    if (!e) {
      e = editsQ.getEdit(db, id)
      if (!e) throw new AppFailure('corrupt', `a verdict refers to missing edit ${id}`)
      edits.set(id, e)
    }
    return e
  }
  const names = new Map(annotatorsQ.listAnnotators(db).map((a) => [a.id, a.name]))
  return verdictsQ.listVerdicts(db).map((v): PreferenceRow => {
    const pair = pairsQ.getPair(db, v.pairId)
    if (!pair) throw new AppFailure('corrupt', `verdict ${v.id} refers to missing pair ${v.pairId}`)
    const song = songsQ.getSong(db, pair.songId)
    const a = edit(v.shownAEditId)
    const b = edit(v.shownBEditId)
    const ratio = (ms: number, e: EditDetail): number => (e.outputDurationS > 0 ? ms / 1000 / e.outputDurationS : 0)
    const chosen = v.chosenEditId === null ? null : edit(v.chosenEditId)
    const rejected = v.rejectedEditId === null ? null : edit(v.rejectedEditId)
    const winner = chosen !== null && rejected !== null
    const featuresFile = featuresFileName(pair.songId)
    return {
      prompt: `song:${pair.songId} features:${featuresFile}`,
      chosen: winner ? chosen.actions : null,
      rejected: winner ? rejected.actions : null,
      margin: winner ? (v.strength === 2 ? MUCH_BETTER_MARGIN : 0) : null,
      features_file: featuresFile,
      feature_version: song?.featureVersion ?? null,
      verdict_id: v.id,
      pair_id: v.pairId,
      repeat_of_pair_id: pair.repeatOfPairId,
      song_id: pair.songId,
      song_title: song?.title ?? '',
      song_content_hash: songsQ.songContentHash(db, pair.songId) ?? '',
      annotator_id: v.annotatorId,
      annotator: names.get(v.annotatorId) ?? '',
      verdict: v.verdict,
      strength: v.strength,
      chosen_edit: chosen && exported(chosen),
      rejected_edit: rejected && exported(rejected),
      shown_a: exported(a),
      shown_b: exported(b),
      listened_a_ms: v.listenedAMs,
      listened_b_ms: v.listenedBMs,
      heard_fraction_a: ratio(v.listenedAMs, a),
      heard_fraction_b: ratio(v.listenedBMs, b),
      switches: v.switches,
      decision_ms: v.decisionMs,
      marks: v.marks,
      note: v.note,
      tags: v.tags,
      created_at: v.createdAt,
      app_version: v.appVersion
    }
  })
}

const CSV_COLUMNS = [
  'verdict_id',
  'pair_id',
  'repeat_of_pair_id',
  'song_id',
  'song_title',
  'song_content_hash',
  'annotator_id',
  'annotator',
  'verdict',
  'strength',
  'chosen_edit_id',
  'rejected_edit_id',
  'chosen_actions',
  'rejected_actions',
  'margin',
  'prompt',
  'features_file',
  'shown_a_edit_id',
  'shown_a_generator',
  'shown_a_actions',
  'shown_b_edit_id',
  'shown_b_generator',
  'shown_b_actions',
  'listened_a_ms',
  'listened_b_ms',
  'heard_fraction_a',
  'heard_fraction_b',
  'switches',
  'decision_ms',
  'marks',
  'note',
  'tags',
  'created_at',
  'app_version'
] as const

function csvCell(v: string | number | null): string {
  if (v === null) return ''
  const s = String(v)
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

/** Actions as space-separated ids: one CSV cell, no quoting needed. */
const actionsCell = (actions: readonly number[] | null | undefined): string | null =>
  actions ? actions.join(' ') : null

function csvRow(r: PreferenceRow): string {
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number | null> = {
    prompt: r.prompt,
    features_file: r.features_file,
    margin: r.margin,
    verdict_id: r.verdict_id,
    pair_id: r.pair_id,
    repeat_of_pair_id: r.repeat_of_pair_id,
    song_id: r.song_id,
    song_title: r.song_title,
    song_content_hash: r.song_content_hash,
    annotator_id: r.annotator_id,
    annotator: r.annotator,
    verdict: r.verdict,
    strength: r.strength,
    chosen_edit_id: r.chosen_edit?.edit_id ?? null,
    rejected_edit_id: r.rejected_edit?.edit_id ?? null,
    chosen_actions: actionsCell(r.chosen),
    rejected_actions: actionsCell(r.rejected),
    shown_a_edit_id: r.shown_a.edit_id,
    shown_a_generator: r.shown_a.generator,
    shown_a_actions: actionsCell(r.shown_a.actions),
    shown_b_edit_id: r.shown_b.edit_id,
    shown_b_generator: r.shown_b.generator,
    shown_b_actions: actionsCell(r.shown_b.actions),
    listened_a_ms: r.listened_a_ms,
    listened_b_ms: r.listened_b_ms,
    heard_fraction_a: r.heard_fraction_a,
    heard_fraction_b: r.heard_fraction_b,
    switches: r.switches,
    decision_ms: r.decision_ms,
    marks: JSON.stringify(r.marks),
    note: r.note,
    // Tag labels never contain '|' in practice; it keeps the cell readable without nested quoting.
    tags: r.tags.join('|'),
    created_at: r.created_at,
    app_version: r.app_version
  }
  return CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')
}

/**
 * Writes every active verdict to `outPath` as JSON lines or CSV (header row first), and each judged
 * song's features beside it. Files are written to a temporary name and renamed, so a failed export
 * never leaves half a file.
 */
export function exportPreferences(
  db: Db,
  opts: { format: 'jsonl' | 'csv'; outPath: string }
): { rows: number; featuresFiles: string[] } {
  const rows = preferenceRows(db)
  const text =
    opts.format === 'jsonl'
      ? rows.map((r) => JSON.stringify(r) + '\n').join('')
      : [CSV_COLUMNS.join(','), ...rows.map(csvRow)].join('\n') + '\n'
  const out = path.resolve(opts.outPath)
  fs.mkdirSync(path.dirname(out), { recursive: true })
  const tmp = `${out}.${process.pid}.tmp`
  const features = writeFeaturesFiles(db, path.dirname(out), new Set(rows.map((r) => r.song_id)))
  fs.writeFileSync(tmp, text)
  fs.renameSync(tmp, out)
  return { rows: rows.length, featuresFiles: [...features.values()].map((f) => f.file) }
}
