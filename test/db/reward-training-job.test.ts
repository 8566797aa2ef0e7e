import { afterAll, describe, expect, it } from 'vitest'
import path from 'node:path'
import { createAppContext } from '../../src/main/app/context'
import { queuePairs } from '../../src/main/services/edits/edit-service'
import { judgeSimulated } from '../../src/main/services/reward-models/simulate'
import { rewardTrainingResult } from '../../src/main/services/reward-models'
import { getRewardModelByName } from '../../src/main/db/queries/reward-models'
import { jobLog } from '../../src/main/db/queries/jobs'
import { readOnnx } from '../../src/main/engines/ml/onnx-import'
import { tensorFloats } from '../../src/main/engines/ml/onnx-proto'
import { tempDataDir } from '../helpers/temp'
import { addAnalysedSong } from '../helpers/songs'

const data = tempDataDir()
afterAll(() => data.cleanup())

/** Every initializer of an ONNX file as floats, by name. */
function initializers(file: string): Map<string, Float32Array> {
  const { model } = readOnnx(file)
  return new Map(
    (model.graph?.initializer ?? []).filter((t) => t.dataType === 1).map((t) => [t.name ?? '', tensorFloats(t)])
  )
}

describe("the 'reward.train' job", () => {
  it('cancelled after an epoch and resumed, it ends with exactly the weights of an uninterrupted run', async () => {
    const ctx = createAppContext({ dataDir: data.dir })
    try {
      for (const [i, bpm] of [96, 128, 104].entries()) {
        const songId = await addAnalysedSong(ctx, data.dir, { seed: 20 + i, bpm, bars: 8 })
        queuePairs(ctx.db, songId, 10, 300 + i)
      }
      judgeSimulated(
        ctx.db,
        { noise: 0.1, count: 100, seed: 4, tieMargin: 0.01, skipRate: 0, annotator: 'sim' },
        'test'
      )
      // 'never' keeps the first version inactive, so the second run has no parent either.
      const config = {
        config: 'tiny',
        epochs: 6,
        seed: 9,
        ensemble: 1,
        includeSimulated: true,
        activate: 'never'
      } as const

      const straight = ctx.jobs.start('reward.train', config)
      expect((await ctx.jobs.wait(straight.id)).state).toBe('done')
      const a = rewardTrainingResult(ctx.db, straight.id)

      const interrupted = ctx.jobs.start('reward.train', config)
      // Cancel as soon as the first epoch's checkpoint is stored.
      await new Promise<void>((resolve) => {
        const off = ctx.events.on('job.progress', (p) => {
          if (p.jobId === interrupted.id && p.metrics.epochSeconds !== undefined) {
            off()
            ctx.jobs.cancel(interrupted.id)
            resolve()
          }
        })
      })
      const stopped = await ctx.jobs.wait(interrupted.id)
      expect(stopped.state).toBe('cancelled')
      ctx.jobs.resume(interrupted.id)
      expect((await ctx.jobs.wait(interrupted.id)).state).toBe('done')
      const b = rewardTrainingResult(ctx.db, interrupted.id)
      // It continued from its checkpoint rather than starting over.
      expect(jobLog(ctx.db, interrupted.id).some((l) => /^resuming after epoch [1-9]/.test(l))).toBe(true)
      expect(b.epochs.length).toBe(a.epochs.length)

      const fileOf = (name: string): string => path.join(data.dir, getRewardModelByName(ctx.db, name)!.onnxPath)
      const wa = initializers(fileOf(a.name))
      const wb = initializers(fileOf(b.name))
      expect(wa.size).toBeGreaterThan(10)
      for (const [name, x] of wa) expect(Array.from(wb.get(name)!), name).toEqual(Array.from(x))
      expect(b.metrics).toEqual(a.metrics)
    } finally {
      await ctx.close()
    }
  }, 240_000)
})
