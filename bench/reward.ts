/**
 * `editorbot bench reward`: the feedback loop without a person. The simulated annotator (10 % label
 * noise) judges pairs of the demo library plus generated songs; a default-size reward model (v1) is
 * trained on 300 pairs through the app's training service, and the PyTorch peer
 * (scripts/python/bench_reward_torch.py, Debian's python3-torch) trains the same model on exactly the
 * same pairs in the same run; then more pairs are judged and v2 is trained from v1 and compared with
 * it on the same held-out pairs. Prints figures, the ratio to PyTorch, and flags every missed target.
 * `--quick` uses the tiny model and fewer pairs (minutes become seconds; targets are then indicative).
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { createAppContext } from '../src/main/app/context'
import { demoSong } from '../src/main/engines/analysis/synth'
import { encodeWav } from '../src/main/engines/edits'
import { hiddenPreference } from '../src/main/engines/edits/simulated-annotator'
import { registerSongFile } from '../src/main/services/songs/import'
import { analyseStoredSong } from '../src/main/services/songs/analyse-song'
import { queuePairs } from '../src/main/services/edits/edit-service'
import { judgeSimulated } from '../src/main/services/reward-models/simulate'
import { earlyStoppingSongs, trainRewardModel, type TrainRequest } from '../src/main/services/reward-models/train'
import { SequenceTable, labelledPairs, toPreferencePair } from '../src/main/services/reward-models/dataset'
import { scoreTable } from '../src/main/services/reward-models/evaluate'
import { compareRewardModels } from '../src/main/services/reward-models/versions'
import { getRewardModelByName } from '../src/main/db/queries/reward-models'
import * as editsQ from '../src/main/db/queries/edits'
import { REWARD_TRAIN_PRESETS } from '../src/main/engines/ml/reward-training'
import { initComputeBackend } from '../src/main/engines/ml'
import { Rng } from '../src/main/engines/ml/rng'
import { DEMO_SONGS } from '../src/main/workers/kinds/demo-library'
import type { Db } from '../src/main/db/connection'
import type { TrainRewardResult } from '../src/shared/domain'

type Log = (line: string) => void

export const REWARD_BENCH_TARGETS = { accuracyAfter300: 0.8, epochRatioMax: 1 } as const

const fmt = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d)

export async function buildLibrary(dataDir: string, db: Db, generated: number, log: Log): Promise<number[]> {
  const specs = [
    ...DEMO_SONGS.map((s) => ({ title: s.title, seed: s.seed, bpm: s.bpm, bars: s.bars })),
    ...Array.from({ length: generated }, (_, i) => ({
      title: `Generated ${i + 1}`,
      seed: 100 + i,
      bpm: 84 + ((i * 11) % 60),
      bars: 12 + ((i * 5) % 12)
    }))
  ]
  const inbox = path.join(dataDir, 'bench-inbox')
  fs.mkdirSync(inbox, { recursive: true })
  const ids: number[] = []
  for (const s of specs) {
    const { audio } = demoSong({ seed: s.seed, bpm: s.bpm, bars: s.bars })
    const file = path.join(inbox, `${s.title.replace(/\W+/g, '-')}.wav`)
    fs.writeFileSync(file, encodeWav(audio.channels, audio.sampleRate, 'pcm16'))
    const r = registerSongFile(db, dataDir, file)
    if (r.songId === null) throw new Error(r.reason ?? `could not store ${file}`)
    const outcome = await analyseStoredSong(db, dataDir, r.songId, { maxDurationS: 1200 })
    if (!outcome.ok) throw new Error(outcome.reason)
    ids.push(r.songId)
  }
  log(`library: ${ids.length} songs (${DEMO_SONGS.length} demo + ${generated} generated)`)
  return ids
}

/** Queues pairs round-robin over the songs until `total` are queued. */
export function queue(db: Db, songIds: number[], total: number, seed: number): void {
  let queued = 0
  for (let round = 0; queued < total && round < 200; round++)
    for (const id of songIds) {
      if (queued >= total) break
      queued += queuePairs(db, id, 1, seed + round * 1000 + id).length
    }
}

/** Writes the exact training data of a version for the PyTorch peer. */
function writePeerData(
  db: Db,
  name: string,
  dir: string,
  req: TrainRequest,
  epochs: number
): { train: number; val: number } {
  const v = getRewardModelByName(db, name)!
  const valIds = new Set(v.validation.verdictIds)
  const labels = labelledPairs(db, { includeSimulated: true, verdictIds: v.verdictIds })
  const table = new SequenceTable(db)
  const preset = REWARD_TRAIN_PRESETS[req.config]
  const pairs = labels.map((l) => ({ l, p: toPreferencePair(table, l, preset.strengthMargin) }))
  const songOf = new Map<Float32Array, number>()
  const songs: { offset: number; beats: number }[] = []
  const chunks: Float32Array[] = []
  let offset = 0
  const sequences = table.sequences.map((s) => {
    let song = songOf.get(s.features)
    if (song === undefined) {
      song = songs.length
      songOf.set(s.features, song)
      songs.push({ offset, beats: s.beats })
      chunks.push(s.features)
      offset += s.features.length
    }
    return { song, actions: Array.from(s.actions) }
  })
  const buf = Buffer.alloc(offset * 4)
  let o = 0
  for (const c of chunks) {
    Buffer.from(c.buffer, c.byteOffset, c.byteLength).copy(buf, o * 4)
    o += c.length
  }
  fs.writeFileSync(path.join(dir, 'features.bin'), buf)
  const row = (p: (typeof pairs)[number]['p']): number[] => [p.chosen, p.rejected, p.target, p.margin]
  // The pairs our trainer fits: neither held out nor on the songs that pick its best epoch.
  const stopSongs = earlyStoppingSongs(
    db,
    labels.filter((l) => !valIds.has(l.verdictId)).map((l) => l.songId)
  )
  const train = pairs.filter((x) => !valIds.has(x.l.verdictId) && !stopSongs.has(x.l.songId)).map((x) => row(x.p))
  const val = pairs.filter((x) => valIds.has(x.l.verdictId)).map((x) => row(x.p))
  const m = preset.model
  fs.writeFileSync(
    path.join(dir, 'data.json'),
    JSON.stringify({
      songs,
      sequences,
      train,
      val,
      config: { ...m, ...preset, model: undefined, epochs, seed: req.seed }
    })
  )
  return { train: train.length, val: val.length }
}

function runPeer(dir: string, log: Log): Record<string, unknown> | { skipped: string } {
  const python = process.env.EDITORBOT_PYTHON ?? '/usr/bin/python3'
  if (!fs.existsSync(python)) return { skipped: `${python} not found` }
  const here = path.dirname(fileURLToPath(import.meta.url))
  const script = [
    path.resolve(here, '../scripts/python/bench_reward_torch.py'),
    path.resolve('scripts/python/bench_reward_torch.py')
  ].find((p) => fs.existsSync(p))
  if (!script) return { skipped: 'scripts/python/bench_reward_torch.py not found' }
  log('running the PyTorch peer on the same pairs...')
  const threads = String(os.cpus().length)
  const r = spawnSync(python, [script, dir], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads, OMP_WAIT_POLICY: 'PASSIVE' },
    maxBuffer: 16 * 1024 * 1024
  })
  if (r.status !== 0)
    return { skipped: `PyTorch peer failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}` }
  try {
    return JSON.parse((r.stdout ?? '').trim().split('\n').pop() ?? '') as Record<string, unknown>
  } catch {
    return { skipped: 'PyTorch peer printed no JSON' }
  }
}

/** Share of held-out pairs (hidden-preference ties left out) where the model orders the edits as the hidden preference does. */
function hiddenAccuracy(db: Db, file: string, verdictIds: number[]): number | null {
  const labels = labelledPairs(db, { includeSimulated: true, verdictIds })
  const table = new SequenceTable(db)
  const idx = labels.flatMap((l) => [table.of(l.chosenEditId), table.of(l.rejectedEditId)])
  const r = scoreTable(file, table, idx)
  let agree = 0
  let n = 0
  labels.forEach((l, i) => {
    const e1 = editsQ.getEdit(db, l.chosenEditId)!
    const e2 = editsQ.getEdit(db, l.rejectedEditId)!
    const s = table.structure(e1.songId)
    const h = hiddenPreference(s, e1.actions).score - hiddenPreference(s, e2.actions).score
    if (Math.abs(h) < 1e-9) return
    n++
    if (Math.sign(h) === Math.sign(r[2 * i]! - r[2 * i + 1]!)) agree++
  })
  return n === 0 ? null : agree / n
}

/** Per-epoch train loss / early-stopping loss, so a missed comparison shows where training went. */
function epochTrail(r: TrainRewardResult): string {
  return r.epochs
    .filter((e) => e.phase === 'train')
    .map((e) => `${e.epoch}: ${fmt(e.trainLoss)}/${fmt(e.valLoss)}`)
    .join(', ')
}

/**
 * How much of a difference in accuracy the same held-out pairs can show: per decisive pair, whether
 * each model orders it as the verdict does; McNemar's exact test on the pairs they disagree on, and a
 * paired bootstrap 95 % interval of accuracy(A) - accuracy(B).
 */
function pairedAccuracy(
  db: Db,
  fileA: string,
  fileB: string,
  verdictIds: number[]
): { pairs: number; onlyA: number; onlyB: number; mcnemarP: number; diff: number; ci95: [number, number] } {
  const labels = labelledPairs(db, { includeSimulated: true, verdictIds }).filter((l) => !l.tie)
  const table = new SequenceTable(db)
  const idx = labels.flatMap((l) => [table.of(l.chosenEditId), table.of(l.rejectedEditId)])
  const ra = scoreTable(fileA, table, idx)
  const rb = scoreTable(fileB, table, idx)
  const right = (r: Float32Array): boolean[] => labels.map((_l, i) => r[2 * i]! > r[2 * i + 1]!)
  const a = right(ra)
  const b = right(rb)
  const n = labels.length
  const onlyA = a.filter((x, i) => x && !b[i]).length
  const onlyB = b.filter((x, i) => x && !a[i]).length
  const k = Math.min(onlyA, onlyB)
  const m = onlyA + onlyB
  let tail = 0
  for (let j = 0, c = 1; j <= k; j++) {
    tail += c / 2 ** m
    c = (c * (m - j)) / (j + 1)
  }
  const rng = new Rng(2027)
  const diffs: number[] = []
  for (let r = 0; r < 2000; r++) {
    let d = 0
    for (let j = 0; j < n; j++) {
      const i = Math.floor(rng.next() * n)
      d += Number(a[i]) - Number(b[i])
    }
    diffs.push(d / n)
  }
  diffs.sort((x, y) => x - y)
  return {
    pairs: n,
    onlyA,
    onlyB,
    mcnemarP: m === 0 ? 1 : Math.min(1, 2 * tail),
    diff: n === 0 ? NaN : (onlyA - onlyB) / n,
    ci95: [diffs[Math.floor(0.025 * diffs.length)] ?? NaN, diffs[Math.floor(0.975 * diffs.length)] ?? NaN]
  }
}

export async function benchReward(opts: {
  log: Log
  quick?: boolean
  /** false skips the PyTorch peer, to iterate on our side only; the default run keeps it. */
  peer?: boolean
}): Promise<Record<string, unknown>> {
  const { log } = opts
  const quick = opts.quick ?? false
  const peer = opts.peer ?? true
  const firstPairs = quick ? 120 : 300
  const morePairs = quick ? 120 : 300
  const epochs = quick ? 5 : 6
  const req: TrainRequest = {
    config: quick ? 'tiny' : 'default',
    seed: 1,
    ensemble: 1,
    includeSimulated: true,
    activate: 'auto',
    epochs
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-reward-'))
  const ctx = createAppContext({ dataDir, recoverJobs: false })
  const misses: string[] = []
  try {
    const db = ctx.db
    const backend = await initComputeBackend({ log: () => {} })
    log(`training backend ${backend.training}`)
    log(`bench reward (${quick ? 'quick: tiny model' : 'default-size model'}), ${os.cpus().length} cores`)
    const songIds = await buildLibrary(dataDir, db, quick ? 7 : 17, log)
    queue(db, songIds, firstPairs + 40, 7)
    const judged1 = judgeSimulated(
      db,
      { noise: 0.1, count: firstPairs, seed: 11, tieMargin: 0.01, skipRate: 0, annotator: 'simulated' },
      ctx.appVersion
    )
    log(
      `simulated annotator (10 % noise): ${judged1.judged} pairs judged (${judged1.ties} ties, ${judged1.noisy} noisy answers)`
    )

    let peakRss = process.memoryUsage().rss
    const hooks = {
      progress: () => {
        peakRss = Math.max(peakRss, process.memoryUsage().rss)
      },
      log: () => {},
      saveState: () => {},
      throwIfCancelled: () => {}
    }
    const t0 = performance.now()
    const v1: TrainRewardResult = await trainRewardModel(db, req, null, null, hooks, { patience: epochs })
    const wall = (performance.now() - t0) / 1000
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    const v1Row = getRewardModelByName(db, v1.name)!
    const file1 = path.join(dataDir, v1Row.onnxPath)
    const hidden1 = hiddenAccuracy(db, file1, v1Row.validation.verdictIds)
    const epochTimes = v1.epochs.map((e) => e.seconds).sort((a, b) => a - b)
    const ourEpoch = epochTimes[Math.floor(epochTimes.length / 2)] ?? NaN
    log(
      `${v1.name}: ${v1.verdictsUsed} verdicts, ${v1.heldOutPairs} held-out pairs on other songs; held-out accuracy ${fmt(v1.metrics?.accuracy)} (vs the hidden preference ${fmt(hidden1)}; ceiling ~0.90 with 10 % noise), log loss ${fmt(v1.metrics?.logLoss)}, ECE ${fmt(v1.metrics?.ece)}, dense agreement ${fmt(v1.metrics?.denseAgreement)}`
    )
    log(
      `  epoch time (median of ${epochTimes.length}) ${fmt(ourEpoch, 2)} s, training wall ${fmt(wall, 1)} s, peak RSS ${fmt(peakRss / 2 ** 20, 0)} MB`
    )
    const accuracy = v1.metrics?.accuracy ?? NaN
    if (!(accuracy >= REWARD_BENCH_TARGETS.accuracyAfter300))
      misses.push(
        `held-out accuracy ${fmt(accuracy)} < ${REWARD_BENCH_TARGETS.accuracyAfter300} after ${judged1.judged} pairs`
      )

    const peerDir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-reward-peer-'))
    let torch: Record<string, unknown> = { skipped: '--no-peer' }
    try {
      if (peer) {
        const sizes = writePeerData(db, v1.name, peerDir, req, epochs)
        log(`  same pairs for PyTorch: ${sizes.train} train, ${sizes.val} held out`)
        torch = runPeer(peerDir, log)
      }
    } finally {
      fs.rmSync(peerDir, { recursive: true, force: true })
    }
    let ratio = NaN
    if ('skipped' in torch) log(`PyTorch peer skipped: ${String(torch.skipped)}`)
    else {
      const theirs = Number(torch.medianEpochSeconds)
      ratio = ourEpoch / theirs
      const acc = (torch.valAccuracy as number[] | undefined) ?? []
      log(
        `PyTorch ${String(torch.torch)}: epoch ${fmt(theirs, 2)} s (median), held-out accuracy ${fmt(acc[acc.length - 1])}, peak RSS ${fmt(Number(torch.peakRssMb), 0)} MB`
      )
      const blas = typeof torch.blas === 'string' ? torch.blas : ''
      if (blas.includes('/blas/libblas'))
        log(
          `  note: this torch's matrix products run on the reference BLAS (${blas}); install libopenblas0 for a faster peer`
        )
      log(`  epoch time ratio ours/PyTorch ${fmt(ratio, 2)} (target <= ${REWARD_BENCH_TARGETS.epochRatioMax})`)
      if (!(ratio <= REWARD_BENCH_TARGETS.epochRatioMax)) misses.push(`epoch time ${fmt(ratio, 2)}x PyTorch's`)
    }

    // More verdicts: v2 from v1, both on v2's held-out pairs.
    queue(db, songIds, morePairs + 40, 1007)
    const judged2 = judgeSimulated(
      db,
      { noise: 0.1, count: morePairs, seed: 12, tieMargin: 0.01, skipRate: 0, annotator: 'simulated' },
      ctx.appVersion
    )
    const v2 = await trainRewardModel(db, { ...req, parent: v1.name }, null, null, hooks, { patience: epochs })
    log(`  ${v1.name} epochs: ${epochTrail(v1)}`)
    log(`  ${v2.name} epochs: ${epochTrail(v2)}`)
    const cmp = compareRewardModels(db, v2.name, v1.name)
    const beats = (cmp.metricsA.accuracy ?? 0) > (cmp.metricsB.accuracy ?? 0)
    log(
      `${v2.name} (from ${v1.name}, ${v2.start} start, ${v2.verdictsUsed} verdicts after ${judged2.judged} more): held-out accuracy ${fmt(cmp.metricsA.accuracy)} vs ${v1.name} ${fmt(cmp.metricsB.accuracy)} on the same ${cmp.metricsA.decisive} pairs; log loss ${fmt(cmp.metricsA.logLoss)} vs ${fmt(cmp.metricsB.logLoss)}: ${beats ? `${v2.name} beats ${v1.name}` : `${v2.name} does NOT beat ${v1.name}`}`
    )
    const v2Row = getRewardModelByName(db, v2.name)!
    const paired = pairedAccuracy(db, path.join(dataDir, v2Row.onnxPath), file1, cmp.verdictIds)
    log(
      `  paired on those ${paired.pairs} pairs: ${v2.name} alone right on ${paired.onlyA}, ${v1.name} alone on ${paired.onlyB}; accuracy difference ${fmt(paired.diff)} (bootstrap 95 % interval ${fmt(paired.ci95[0])} to ${fmt(paired.ci95[1])}), McNemar exact p ${fmt(paired.mcnemarP)}${paired.mcnemarP >= 0.05 ? ': too few held-out pairs to tell the two apart' : ''}`
    )
    if (!beats) misses.push(`${v2.name} does not beat ${v1.name} on the same held-out pairs`)
    log(misses.length === 0 ? 'every target met' : `MISSED ${misses.length} target(s): ${misses.join('; ')}`)
    return {
      quick,
      pairsJudged: judged1.judged,
      v1: { ...v1, hiddenAccuracy: hidden1, epochSecondsMedian: ourEpoch, peakRssMb: peakRss / 2 ** 20 },
      torch,
      epochRatio: ratio,
      v2: { name: v2.name, verdictsUsed: v2.verdictsUsed, comparison: cmp, paired },
      targets: REWARD_BENCH_TARGETS,
      misses
    }
  } finally {
    await ctx.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
