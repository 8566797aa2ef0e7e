/**
 * `editorbot bench policy`: RLHF policy training on the demo library plus generated songs, with the
 * simulated annotator standing in for a person. Prints, and flags every figure that misses its target:
 *  1. end-to-end PPO throughput (default config: rollouts, learned-reward scoring of every finished
 *     edit, the updates) in env steps per second, and peak memory; target >= 1,000 steps/s on 2 cores
 *     (the users' old pipeline: ~280 steps/s on a desktop GPU);
 *  2. dense-reward-only PPO: mean dense reward of greedy edits on held-out songs before and after;
 *  3. PPO on 0.8 x a reward model trained on the simulated annotator's verdicts + 0.2 x dense: the
 *     annotator's hidden score of greedy edits on held-out songs before and after, and the KL to the
 *     reference policy;
 *  4. DPO on the simulated annotator's pairs: chosen-over-rejected accuracy on held-out pairs before
 *     and after.
 * `--quick` shortens every phase (figures are then indicative).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createAppContext } from '../src/main/app/context'
import { initComputeBackend } from '../src/main/engines/ml'
import { hiddenPreference } from '../src/main/engines/edits/simulated-annotator'
import { createRewardScorer } from '../src/main/engines/ml/reward-scorer'
import {
  DEFAULT_PPO_TRAIN,
  DEFAULT_DPO_TRAIN,
  DpoTrainer,
  PpoTrainer,
  type EpisodeResult,
  type LearnedReward,
  type PpoTrainConfig,
  type PreferencePair
} from '../src/main/engines/ml/rlhf'
import type { EpisodeSong } from '../src/main/engines/policy'
import { loadSongStructure } from '../src/main/services/songs/stored-song'
import { judgeSimulated } from '../src/main/services/reward-models/simulate'
import { trainRewardModel } from '../src/main/services/reward-models/train'
import { getActiveRewardModel } from '../src/main/services/reward-models/registry'
import { labelledPairs } from '../src/main/services/reward-models/dataset'
import { splitSongs } from '../src/main/services/policies/training'
import * as editsQ from '../src/main/db/queries/edits'
import { DEMO_SONGS } from '../src/main/workers/kinds/demo-library'
import { buildLibrary, queue } from './reward'
import type { Db } from '../src/main/db/connection'

type Log = (line: string) => void

export const POLICY_BENCH_TARGETS = { stepsPerS: 1000, denseGain: 0.1, maxKl: 0.5 } as const

const fmt = (x: number | undefined, d = 3): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d))

function songs(db: Db, ids: readonly number[]): EpisodeSong[] {
  return ids.map((songId) => ({ songId, structure: loadSongStructure(db, songId) }))
}

/** Trains for about `seconds` (whole updates), returning the last update's metrics. */
function trainFor(t: { step(): Record<string, number> }, seconds: number, minUpdates = 2): Record<string, number> {
  const t0 = performance.now()
  let m: Record<string, number> = {}
  for (let u = 0; u < minUpdates || (performance.now() - t0) / 1000 < seconds; u++) m = t.step()
  return m
}

/**
 * Mean hidden score (the simulated annotator's own preference) of the policy's edits of `held`: greedy,
 * and sampled as generate samples them (4 seeds per song).
 */
function hiddenScore(t: PpoTrainer, held: readonly EpisodeSong[]): { greedy: number; sampled: number } {
  return policyScore(t, held, (e) => hiddenPreference(e.song.structure, e.actions).score)
}

function policyScore(
  t: PpoTrainer,
  held: readonly EpisodeSong[],
  score: (e: EpisodeResult) => number
): { greedy: number; sampled: number } {
  const mean = (eps: EpisodeResult[]): number => eps.reduce((a, e) => a + score(e), 0) / eps.length
  const sampled = [1, 2, 3, 4].flatMap((seed) => t.policyEpisodes(held, seed))
  return { greedy: mean(t.policyEpisodes(held)), sampled: mean(sampled) }
}

function actionMix(m: Record<string, number>): string {
  return Object.entries(m)
    .filter(([k, v]) => k.startsWith('actions/') && v >= 0.01)
    .map(([k, v]) => `${k.slice(8)} ${(100 * v).toFixed(0)}%`)
    .join(', ')
}

function dpoPairs(db: Db, verdictSongs: ReadonlySet<number>): PreferencePair[] {
  const cache = new Map<number, EpisodeSong>()
  return labelledPairs(db, { includeSimulated: true })
    .filter((l) => !l.tie && verdictSongs.has(l.songId))
    .map((l) => {
      let song = cache.get(l.songId)
      if (!song) {
        song = { songId: l.songId, structure: loadSongStructure(db, l.songId) }
        cache.set(l.songId, song)
      }
      return {
        song,
        chosen: editsQ.getEdit(db, l.chosenEditId)!.actions,
        rejected: editsQ.getEdit(db, l.rejectedEditId)!.actions
      }
    })
}

export async function benchPolicy(opts: { log: Log; quick?: boolean }): Promise<Record<string, unknown>> {
  const { log } = opts
  const quick = opts.quick ?? false
  const phaseS = quick ? 15 : 120
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-policy-'))
  const ctx = createAppContext({ dataDir, recoverJobs: false })
  const misses: string[] = []
  let peakRss = process.memoryUsage().rss
  const sample = (): void => void (peakRss = Math.max(peakRss, process.memoryUsage().rss))
  try {
    const db = ctx.db
    const backend = await initComputeBackend({ log: () => {} })
    log(`bench policy (${quick ? 'quick' : 'full'}), training backend ${backend.training}, ${os.cpus().length} cores`)
    const ids = await buildLibrary(dataDir, db, quick ? 5 : 9, log)
    const demoIds = ids.slice(0, DEMO_SONGS.length)
    const { train, heldOut } = splitSongs(ids)
    log(`songs: ${train.length} for training, ${heldOut.length} held out (${heldOut.join(', ')})`)
    const trainSongs = songs(db, train)
    const heldSongs = songs(db, heldOut)

    // The simulated annotator judges pairs; a reward model is trained on its verdicts (tiny preset: this
    // bench measures policy training, bench reward measures reward models).
    queue(db, ids, quick ? 160 : 320, 5)
    const judged = judgeSimulated(
      db,
      { noise: 0.1, count: 10_000, seed: 21, tieMargin: 0.01, skipRate: 0, annotator: 'simulated' },
      ctx.appVersion
    )
    const noop = { progress: () => {}, log: () => {}, saveState: () => {}, throwIfCancelled: () => {} }
    await trainRewardModel(
      db,
      { config: 'tiny', seed: 1, ensemble: 1, includeSimulated: true, activate: 'auto', epochs: quick ? 4 : 8 },
      null,
      null,
      noop,
      { patience: quick ? 4 : 8 }
    )
    const rm = getActiveRewardModel(db)
    if (!rm) throw new Error('the reward model trained on the simulated verdicts was not activated')
    const scorer = createRewardScorer(rm.onnxFile)
    const learned: LearnedReward = {
      id: rm.id,
      name: rm.name,
      scoreBatch: (items) => scorer.scoreBatch(items),
      mean: rm.norm.mean,
      std: rm.norm.std
    }
    log(`reward model ${rm.name}: trained on ${judged.judged} simulated verdicts (10 % noise)`)

    // 1. Throughput on the demo library, default config, learned + dense reward.
    const cfg: PpoTrainConfig = { ...DEFAULT_PPO_TRAIN, seed: 1 }
    const speed = PpoTrainer.create({ config: cfg, trainSongs: songs(db, demoIds), learned })
    const updates = quick ? 3 : 10
    const t0 = performance.now()
    const startSteps = speed.envSteps
    for (let u = 0; u < updates; u++) {
      speed.step()
      sample()
    }
    const stepsPerS = (speed.envSteps - startSteps) / ((performance.now() - t0) / 1000)
    speed.dispose()
    const peakMb = peakRss / 2 ** 20
    log(
      `1. PPO end to end on the demo library (${updates} updates x ${cfg.episodesPerUpdate} episodes, learned-reward scoring included): ${stepsPerS.toFixed(0)} env steps/s (target >= ${POLICY_BENCH_TARGETS.stepsPerS}; old pipeline ~280 on a desktop GPU, ratio ${(stepsPerS / 280).toFixed(1)}x), peak RSS ${peakMb.toFixed(0)} MB`
    )
    if (stepsPerS < POLICY_BENCH_TARGETS.stepsPerS)
      misses.push(`PPO throughput ${stepsPerS.toFixed(0)} < ${POLICY_BENCH_TARGETS.stepsPerS} steps/s`)

    // 2. Dense reward only.
    const dense = PpoTrainer.create({ config: { ...cfg, seed: 2 }, trainSongs, learned: null })
    const denseOf = (e: EpisodeResult): number => e.dense.total
    const denseBefore = policyScore(dense, heldSongs, denseOf)
    const denseLast = trainFor(dense, phaseS)
    sample()
    const denseAfter = policyScore(dense, heldSongs, denseOf)
    const denseGain = denseAfter.sampled - denseBefore.sampled
    log(
      `2. dense reward only, ${fmt(denseLast.env_steps, 0)} env steps: mean dense reward on held-out songs (range -1..1), sampled edits ${fmt(denseBefore.sampled)} -> ${fmt(denseAfter.sampled)} (gain ${fmt(denseGain)}, target >= ${POLICY_BENCH_TARGETS.denseGain}), greedy ${fmt(denseBefore.greedy)} -> ${fmt(denseAfter.greedy)}`
    )
    log(`   actions of the trained policy: ${actionMix(denseLast)}`)
    if (!(denseGain >= POLICY_BENCH_TARGETS.denseGain))
      misses.push(`dense-only PPO gain ${fmt(denseGain)} < ${POLICY_BENCH_TARGETS.denseGain}`)
    dense.dispose()

    // 3. Learned (0.8) + dense (0.2): the simulated annotator's hidden score.
    // the adaptive KL controller keeps the policy near the reference while the learned reward pulls it away
    const rl = PpoTrainer.create({
      config: { ...cfg, seed: 3, klCoef: 0.2, klTarget: 0.02, klHorizon: 2048 },
      trainSongs,
      learned
    })
    const hiddenBefore = hiddenScore(rl, heldSongs)
    const rlFirst = rl.step()
    const rlLast = trainFor(rl, phaseS)
    sample()
    const hiddenAfter = hiddenScore(rl, heldSongs)
    log(
      `3. PPO on 0.8 x ${rm.name} + 0.2 x dense, ${fmt(rlLast.env_steps, 0)} env steps: hidden score on held-out songs, sampled edits ${fmt(hiddenBefore.sampled)} -> ${fmt(hiddenAfter.sampled)}, greedy ${fmt(hiddenBefore.greedy)} -> ${fmt(hiddenAfter.greedy)}; learned reward of sampled edits ${fmt(rlFirst.reward_learned)} -> ${fmt(rlLast.reward_learned)}; KL to the reference ${fmt(rlLast.kl, 4)} per beat (bound ${POLICY_BENCH_TARGETS.maxKl})`
    )
    log(`   actions of the trained policy: ${actionMix(rlLast)}`)
    if (!(hiddenAfter.sampled > hiddenBefore.sampled))
      misses.push('PPO on the learned reward did not raise the hidden score')
    if (!(rlLast.kl! <= POLICY_BENCH_TARGETS.maxKl))
      misses.push(`KL to the reference ${fmt(rlLast.kl, 4)} > ${POLICY_BENCH_TARGETS.maxKl}`)
    rl.dispose()

    // 4. DPO on the simulated pairs.
    const trainPairs = dpoPairs(db, new Set(train))
    const heldPairs = dpoPairs(db, new Set(heldOut))
    const dpo = DpoTrainer.create({ config: { ...DEFAULT_DPO_TRAIN, seed: 4, lr: 3e-4 }, pairs: trainPairs })
    const before = dpo.evaluate(heldPairs)
    const dpoLast = trainFor(dpo, phaseS / 2)
    sample()
    const after = dpo.evaluate(heldPairs)
    log(
      `4. DPO on ${trainPairs.length} simulated pairs (${fmt(dpoLast.update, 0)} steps of ${DEFAULT_DPO_TRAIN.batchPairs}): on ${heldPairs.length} held-out pairs the policy prefers the chosen edit ${fmt(before.eval_policy_accuracy)} -> ${fmt(after.eval_policy_accuracy)}; implicit-reward accuracy (TRL) ${fmt(before.eval_accuracies)} -> ${fmt(after.eval_accuracies)}`
    )
    if (!(after.eval_policy_accuracy! > before.eval_policy_accuracy!))
      misses.push('DPO did not raise the held-out chosen-over-rejected accuracy')
    dpo.dispose()
    scorer.dispose()
    log(`peak RSS over the bench ${(peakRss / 2 ** 20).toFixed(0)} MB`)
    log(misses.length === 0 ? 'every target met' : `MISSED ${misses.length} target(s): ${misses.join('; ')}`)
    return {
      backend: backend.training,
      stepsPerS,
      peakRssMb: peakRss / 2 ** 20,
      dense: { before: denseBefore, after: denseAfter, envSteps: denseLast.env_steps },
      learned: { hiddenBefore, hiddenAfter, kl: rlLast.kl, envSteps: rlLast.env_steps },
      dpo: { before, after, steps: dpoLast.update, trainPairs: trainPairs.length, heldOutPairs: heldPairs.length },
      misses
    }
  } finally {
    await ctx.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}
