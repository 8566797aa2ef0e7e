import fs from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAppContext, type AppContext } from '../../src/main/app/context'
import { runExport } from '../../src/main/services/exports'
import { createHandlers } from '../../src/main/api/handlers'
import { dispatch } from '../../src/main/api/dispatch'
import { createPair, generateEdit } from '../../src/main/services/edits/edit-service'
import { submitVerdict } from '../../src/main/services/listen'
import * as annotatorsQ from '../../src/main/db/queries/annotators'
import * as songsQ from '../../src/main/db/queries/songs'
import * as editsQ from '../../src/main/db/queries/edits'
import { insertRewardModel } from '../../src/main/db/queries/reward-models'
import { insertPolicy, insertRun, getRun } from '../../src/main/db/queries/policies'
import { readSettings } from '../../src/main/db/queries/settings'
import { FEATURE_DIM } from '../../src/shared/features'
import type { ExportKind } from '../../src/shared/api'
import { AppFailure } from '../../src/shared/result'
import { addAnalysedSong } from '../helpers/songs'
import { tempDataDir } from '../helpers/temp'

const data = tempDataDir('editorbot-exports-')
const work = tempDataDir('editorbot-exports-work-')
let ctx: AppContext
let songId: number

const exportTo = (what: ExportKind, out: string, format: 'jsonl' | 'csv' = 'jsonl') =>
  runExport(ctx, { what, format, out }, { confineToDataDir: false })

async function failure(p: Promise<unknown>): Promise<AppFailure> {
  const e = await p.then(
    () => null,
    (x: unknown) => x
  )
  expect(e).toBeInstanceOf(AppFailure)
  return e as AppFailure
}

/** Reads a NumPy .npy file (format 1.0, '<f4') the way numpy.load does. */
function readNpy(file: string): { shape: number[]; data: Float32Array } {
  const bytes = fs.readFileSync(file)
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY')
  const headerLength = bytes.readUInt16LE(8)
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1')
  expect((10 + headerLength) % 64).toBe(0)
  expect(header).toContain("'descr': '<f4'")
  expect(header).toContain("'fortran_order': False")
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]!
    .split(',')
    .filter((s) => s.trim() !== '')
    .map(Number)
  const body = bytes.subarray(10 + headerLength)
  const values = new Float32Array(body.length / 4)
  for (let i = 0; i < values.length; i++) values[i] = body.readFloatLE(i * 4)
  return { shape, data: values }
}

beforeAll(async () => {
  ctx = createAppContext({ dataDir: data.dir })
  songId = await addAnalysedSong(ctx, work.dir, { seed: 4, bars: 4 })
  const a = generateEdit(ctx.db, songId, 'rule', { seed: 1 })
  const b = generateEdit(ctx.db, songId, 'random', { seed: 2 })
  const c = generateEdit(ctx.db, songId, 'random', { seed: 5 })
  const ann = annotatorsQ.insertAnnotator(ctx.db, 'ann')
  const settings = { ...readSettings(ctx.db), mustListenS: 0 }
  for (const [x, y, verdict, strength] of [
    [a, b, 'b', 2],
    [a, c, 'tie', null]
  ] as const) {
    const pair = createPair(ctx.db, x.id, y.id)
    submitVerdict(
      ctx.db,
      {
        pairId: pair.id,
        annotatorId: ann.id,
        verdict,
        strength,
        shownAEditId: x.id,
        shownBEditId: y.id,
        listenedAMs: 1000,
        listenedBMs: 1000,
        switches: 0,
        decisionMs: 2000,
        marks: [],
        note: null
      },
      settings,
      ctx.appVersion
    )
  }
})

afterAll(async () => {
  await ctx.close()
  data.cleanup()
  work.cleanup()
})

describe('exports', () => {
  it('writes preferences in TRL layout with the song features beside them as .npy', async () => {
    const out = path.join(work.dir, 'prefs', 'prefs.jsonl')
    const summary = await exportTo('preferences', out)
    expect(summary).toMatchObject({
      what: 'preferences',
      count: 2,
      files: ['prefs.jsonl', `features/song-${songId}.npy`]
    })
    const rows = fs
      .readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const edits = editsQ.listEdits(ctx.db, songId).map((e) => editsQ.getEdit(ctx.db, e.id)!)
    expect(rows[0]).toMatchObject({
      prompt: `song:${songId} features:features/song-${songId}.npy`,
      chosen: edits[1]!.actions,
      rejected: edits[0]!.actions,
      margin: 0.5,
      features_file: `features/song-${songId}.npy`,
      verdict: 'b'
    })
    expect(rows[1]).toMatchObject({ verdict: 'tie', chosen: null, rejected: null, margin: null })

    const npy = readNpy(path.join(path.dirname(out), rows[0]!.features_file as string))
    const analysis = songsQ.loadAnalysis(ctx.db, songId)!
    expect(npy.shape).toEqual([(rows[0]!.chosen as number[]).length, FEATURE_DIM])
    expect(npy.data).toEqual(analysis.features)

    const csv = path.join(work.dir, 'prefs', 'prefs.csv')
    await exportTo('preferences', csv, 'csv')
    const [head, first] = fs.readFileSync(csv, 'utf8').split('\n')
    const cols = head!.split(',')
    const cells = first!.split(',')
    expect(cells[cols.indexOf('chosen_actions')]).toBe(edits[1]!.actions.join(' '))
    expect(cells[cols.indexOf('margin')]).toBe('0.5')
    expect(cells[cols.indexOf('features_file')]).toBe(`features/song-${songId}.npy`)
  })

  it('writes every edit as a WAV with an index', async () => {
    const out = path.join(work.dir, 'wavs')
    const summary = await exportTo('edits', out)
    const edits = editsQ.listEdits(ctx.db)
    expect(summary.count).toBe(edits.length)
    const index = fs
      .readFileSync(path.join(out, 'edits.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { edit_id: number; wav: string; actions: number[] })
    expect(index.map((r) => r.edit_id)).toEqual(edits.map((e) => e.id))
    for (const row of index) {
      const wav = fs.readFileSync(path.join(out, row.wav))
      expect(wav.subarray(0, 4).toString('latin1')).toBe('RIFF')
      expect(wav.subarray(8, 12).toString('latin1')).toBe('WAVE')
      expect(row.actions).toEqual(editsQ.getEdit(ctx.db, row.edit_id)!.actions)
    }
  })

  it('writes reward models and policies from their registries, and says when there are none', async () => {
    expect((await failure(exportTo('models', path.join(work.dir, 'none')))).message).toMatch(/no reward models yet/)
    expect((await failure(exportTo('policies', path.join(work.dir, 'none')))).message).toMatch(/no policies yet/)
    expect(fs.existsSync(path.join(work.dir, 'none'))).toBe(false)

    const onnx = fs.readFileSync('test/fixtures/models/tiny_reward.onnx')
    fs.mkdirSync(path.join(data.dir, 'reward-models'), { recursive: true })
    fs.writeFileSync(path.join(data.dir, 'reward-models', 'rm-v1.onnx'), onnx)
    insertRewardModel(ctx.db, {
      name: 'v1',
      source: 'imported',
      parentId: null,
      onnxPath: 'reward-models/rm-v1.onnx',
      memberPaths: ['reward-models/rm-v1.onnx'],
      architecture: null,
      paramCount: null,
      warmStartNote: null,
      config: {},
      seed: null,
      verdictIds: [],
      verdictsHash: null,
      validation: { songIds: [], verdictIds: [] },
      metrics: null,
      parentMetrics: null,
      norm: { mean: 0, std: 1, count: 0 },
      jobId: null
    })
    const models = await exportTo('models', path.join(work.dir, 'models'))
    expect(models).toMatchObject({ count: 1, files: ['v1/rm-v1.onnx', 'models.jsonl'] })
    expect(fs.readFileSync(path.join(work.dir, 'models', 'v1', 'rm-v1.onnx')).equals(onnx)).toBe(true)
    const row = JSON.parse(fs.readFileSync(path.join(work.dir, 'models', 'models.jsonl'), 'utf8')) as { name: string }
    expect(row.name).toBe('v1')

    fs.mkdirSync(path.join(data.dir, 'policies'), { recursive: true })
    fs.writeFileSync(path.join(data.dir, 'policies', 'p1.onnx'), Buffer.from('policy bytes'))
    insertPolicy(ctx.db, {
      name: 'p1',
      source: 'imported',
      parentId: null,
      rewardModelId: null,
      runId: null,
      onnxPath: 'policies/p1.onnx',
      sizes: null,
      warmStartNote: null,
      config: {}
    })
    const policies = await exportTo('policies', path.join(work.dir, 'policies'))
    expect(policies).toMatchObject({ count: 1, files: ['p1/p1.onnx', 'policies.jsonl'] })
    expect(fs.readFileSync(path.join(work.dir, 'policies', 'p1', 'p1.onnx'), 'utf8')).toBe('policy bytes')
  })

  it('writes run metrics as JSONL and CSV, each row led by its run', async () => {
    expect((await failure(exportTo('metrics', path.join(work.dir, 'm.jsonl')))).message).toMatch(/no training runs yet/)
    const runs = (['ppo', 'dpo'] as const).map((algorithm) =>
      getRun(
        ctx.db,
        insertRun(ctx.db, { algorithm, config: {}, parentPolicyId: null, rewardModelId: null, rewardWeight: null })
      )!
    )
    const lines = [
      [
        { update: 1, reward: 0.5, kl: 0.01 },
        { update: 2, reward: 0.75, kl: null }
      ],
      [{ step: 1, loss: 0.69 }]
    ]
    runs.forEach((run, i) => {
      fs.mkdirSync(path.dirname(path.join(data.dir, run.metricsPath)), { recursive: true })
      fs.writeFileSync(path.join(data.dir, run.metricsPath), lines[i]!.map((l) => JSON.stringify(l) + '\n').join(''))
    })
    const jsonl = path.join(work.dir, 'metrics', 'runs.jsonl')
    expect(await exportTo('metrics', jsonl)).toMatchObject({ count: 3 })
    const rows = fs
      .readFileSync(jsonl, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows).toEqual([
      { run_id: runs[0]!.id, algorithm: 'ppo', update: 1, reward: 0.5, kl: 0.01 },
      { run_id: runs[0]!.id, algorithm: 'ppo', update: 2, reward: 0.75, kl: null },
      { run_id: runs[1]!.id, algorithm: 'dpo', step: 1, loss: 0.69 }
    ])
    const csv = path.join(work.dir, 'metrics', 'runs.csv')
    await exportTo('metrics', csv, 'csv')
    expect(fs.readFileSync(csv, 'utf8').trim().split('\n')).toEqual([
      'run_id,algorithm,update,reward,kl,step,loss',
      `${runs[0]!.id},ppo,1,0.5,0.01,,`,
      `${runs[0]!.id},ppo,2,0.75,,,`,
      `${runs[1]!.id},dpo,,,,1,0.69`
    ])

    fs.appendFileSync(path.join(data.dir, runs[1]!.metricsPath), 'not json\n')
    expect((await failure(exportTo('metrics', jsonl))).kind).toBe('corrupt')
  })

  it('goes through the contract: fields validated, serve mode confined to the exports folder', async () => {
    const http = createHandlers(ctx, { transport: 'http' })
    const bad = await dispatch(http, 'exports.write', { what: 'everything', out: 'exports/x' })
    expect(bad).toMatchObject({ ok: false, error: { kind: 'validation', field: 'what' } })
    const outside = await dispatch(http, 'exports.write', { what: 'preferences', out: path.join(work.dir, 'p.jsonl') })
    expect(outside).toMatchObject({ ok: false, error: { kind: 'forbidden', field: 'out' } })
    const escape = await dispatch(http, 'exports.write', { what: 'preferences', out: 'exports/../p.jsonl' })
    expect(escape).toMatchObject({ ok: false, error: { kind: 'forbidden' } })
    expect(fs.existsSync(path.join(data.dir, 'p.jsonl'))).toBe(false)
    const inside = await dispatch(http, 'exports.write', { what: 'preferences', out: 'exports/p.jsonl' })
    expect(inside).toMatchObject({ ok: true, value: { out: path.join(data.dir, 'exports', 'p.jsonl'), count: 2 } })
  })
})
