import { setTimeout as sleep } from 'node:timers/promises'
import type { z } from 'zod'
import type { JobContext } from '../job-context'
import type { demoCountCheckpoint, demoCountConfig } from './index'

/** Counts to `steps`, checkpointing each step, so a resumed job continues where it stopped. */
export async function runDemoCount(
  ctx: JobContext<z.output<typeof demoCountConfig>, z.output<typeof demoCountCheckpoint>>
): Promise<{ counted: number }> {
  const { steps, delayMs } = ctx.config
  const start = ctx.checkpoint?.step ?? 0
  if (start > 0) ctx.log(`resuming at step ${start}`)
  for (let step = start; step < steps; step++) {
    ctx.throwIfCancelled()
    await sleep(delayMs)
    ctx.saveCheckpoint({ step: step + 1 })
    ctx.progress((step + 1) / steps, `step ${step + 1} of ${steps}`, { step: step + 1 })
  }
  return { counted: steps }
}
