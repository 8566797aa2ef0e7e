/**
 * `editorbot bench loop`: the whole feedback loop without a person. The demo library plus generated
 * songs; the simulated annotator (10 % noise) judges the queue; then three iterations, each one an
 * 'iteration.run' job exactly as `editorbot iterate` starts it, after which the annotator judges the pairs
 * that iteration queued. Per iteration it prints the verdicts trained on, the reward model's held-out
 * accuracy (next to its parent's on the same pairs), the annotator's hidden score of the new policy's
 * greedy edits on held-out songs (and of the edits it started from), the policy's KL and entropy, and the
 * seconds per stage. It flags every iteration whose hidden score does not rise above the iteration before's
 * (the first starts from a fresh network; its edits are shown next to the rule baseline's).
 * `--quick` uses fewer songs, pairs and steps (figures are then indicative).
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createAppContext } from '../src/main/app/context'
import { judgeSimulated } from '../src/main/services/reward-models/simulate'
import { iterationDetail, startIteration } from '../src/main/services/iterations'
import { requestSchemas } from '../src/shared/api'
import type { IterationDetail } from '../src/shared/domain'
import { buildLibrary, queue } from './reward'

type Log = (line: string) => void

export const LOOP_BENCH = { iterations: 3, noise: 0.1 } as const

const fmt = (x: number | null | undefined, d = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d)

export interface LoopIterationFigures {
  iteration: number
  verdicts: number
  rewardModel: string
  heldOutAccuracy: number | null
  parentHeldOutAccuracy: number | null
  hiddenBefore: number
  hiddenAfter: number
  denseAfter: number
  learnedAfter: number | null
  kl: number | null
  entropy: number | null
  pairsQueued: number
  stageSeconds: Record<string, number>
  totalSeconds: number
  hiddenRose: boolean
}

export async function benchLoop(opts: { log: Log; quick?: boolean }): Promise<{
  iterations: LoopIterationFigures[]
  hiddenRoseEveryIteration: boolean
}> {
  const { log } = opts
  const quick = opts.quick === true
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-loop-'))
  const ctx = createAppContext({ dataDir: dir })
  try {
    const songIds = await buildLibrary(dir, ctx.db, quick ? 3 : 9, log)
    queue(ctx.db, songIds, quick ? 60 : 160, 7)
    const judge = (seed: number): number =>
      judgeSimulated(
        ctx.db,
        requestSchemas['judge.simulate'].parse({ noise: LOOP_BENCH.noise, count: 100_000, seed }),
        ctx.appVersion
      ).judged
    log(`simulated annotator (noise ${LOOP_BENCH.noise}) judged ${judge(1)} pairs`)
    const steps = quick ? 8192 : 16_384
    const pairs = quick ? 16 : 40
    log(`each iteration: tiny config, PPO ${steps} environment steps, ${pairs} new pairs`)
    const figures: LoopIterationFigures[] = []
    for (let n = 1; n <= LOOP_BENCH.iterations; n++) {
      const started = startIteration(
        ctx.db,
        ctx.jobs,
        requestSchemas['iterations.start'].parse({ config: 'tiny', steps, pairs, seed: n })
      )
      const job = await ctx.jobs.wait(started.jobId!)
      if (job.state !== 'done')
        throw new Error(
          `iteration ${n} ${job.state} in stage '${iterationDetail(ctx.db, started.id).stage}': ${job.error ?? ''}`
        )
      const d: IterationDetail = iterationDetail(ctx.db, started.id)
      const previous = figures[figures.length - 1]
      const e = d.evaluation!
      const f: LoopIterationFigures = {
        iteration: d.number,
        verdicts: d.verdicts.count,
        rewardModel: `${d.rewardModel?.name ?? '-'}${d.rewardModel?.activated ? '' : ' (not activated)'}`,
        heldOutAccuracy: d.rewardModel?.metrics?.accuracy ?? null,
        parentHeldOutAccuracy: d.rewardModel?.parentMetrics?.accuracy ?? null,
        hiddenBefore: e.before.hidden,
        hiddenAfter: e.after.hidden,
        denseAfter: e.after.dense,
        learnedAfter: e.after.learned,
        kl: d.policy?.metrics.kl ?? null,
        entropy: d.policy?.metrics.entropy ?? null,
        pairsQueued: d.pairs.length,
        stageSeconds: d.stageSeconds,
        totalSeconds: Object.values(d.stageSeconds).reduce((a, b) => a + b, 0),
        // Across iterations: the first one starts from a fresh network, so it has nothing of its own to rise above.
        hiddenRose: previous === undefined || e.after.hidden > previous.hiddenAfter
      }
      figures.push(f)
      const stages = Object.entries(f.stageSeconds)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')
      log(
        `iteration ${f.iteration}: ${f.verdicts} verdicts; reward ${f.rewardModel} held-out accuracy ${fmt(f.heldOutAccuracy)} (parent ${fmt(f.parentHeldOutAccuracy)})`
      )
      log(
        `  hidden score on held-out songs ${e.songIds.join(',')}: ${fmt(f.hiddenBefore)} (${e.before.label}) -> ${fmt(f.hiddenAfter)} (${e.after.label})${f.hiddenRose ? '' : `  MISSED: did not rise above iteration ${f.iteration - 1}'s ${fmt(previous?.hiddenAfter)}`}`
      )
      log(
        `  policy: dense ${fmt(f.denseAfter)}, learned ${fmt(f.learnedAfter)}, KL ${fmt(f.kl, 4)}, entropy ${fmt(f.entropy)}; ${f.pairsQueued} pairs queued`
      )
      log(`  seconds per stage: ${stages} (total ${f.totalSeconds.toFixed(1)})`)
      if (n < LOOP_BENCH.iterations) log(`  simulated annotator judged ${judge(100 + n)} new pairs`)
    }
    const rose = figures.every((f) => f.hiddenRose)
    log(
      rose
        ? 'hidden score rose in every iteration'
        : `MISSED: the hidden score did not rise in iteration(s) ${figures
            .filter((f) => !f.hiddenRose)
            .map((f) => f.iteration)
            .join(', ')}`
    )
    return { iterations: figures, hiddenRoseEveryIteration: rose }
  } finally {
    await ctx.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
