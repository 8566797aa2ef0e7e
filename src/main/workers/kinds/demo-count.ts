import { setTimeout as sleep } from 'node:timers/promises'
import type { JobContext } from '../job-context'

/** Counts to `steps`, checkpointing each step, so a resumed job continues where it stopped. */
export async function runDemoCount(ctx: JobContext): Promise<{ counted: number }> {
  const steps = Number(ctx.config.steps ?? 20)
  const delayMs = Number(ctx.config.delayMs ?? 50)
  const start =
    typeof ctx.checkpoint === 'object' && ctx.checkpoint !== null
      ? Number((ctx.checkpoint as { step: number }).step)
      : 0
  if (start > 0) ctx.log(`resuming at step ${start}`)
  for (let step = start; step < steps; step++) {
    ctx.throwIfCancelled()
    await sleep(delayMs)
    ctx.saveCheckpoint({ step: step + 1 })
    ctx.progress((step + 1) / steps, `step ${step + 1} of ${steps}`, { step: step + 1 })
  }
  return { counted: steps }
}
