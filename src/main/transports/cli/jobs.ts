import type { AppContext } from '../../app/context'
import type { JobSummary } from '../../../shared/domain'
import { ProgressBar, type CliIo } from './framework'

/** Waits for a job, drawing a progress bar on a TTY; Ctrl+C cancels the job before exiting. */
export async function waitForJob(ctx: AppContext, jobId: number, io: CliIo, label: string): Promise<JobSummary> {
  const bar = new ProgressBar(io, label)
  const stopProgress = ctx.events.on('job.progress', (p) => {
    if (p.jobId !== jobId) return
    // Batch jobs report the current item's own fraction too: show both.
    const item = p.metrics.songFraction
    bar.update(
      p.progress,
      item === undefined ? (p.message ?? '') : `${p.message ?? ''} (this file ${Math.round(item * 100)}%)`
    )
  })
  const onSigint = (): void => {
    io.err('\nCancelling...')
    if (ctx.jobs.isRunning(jobId)) ctx.jobs.cancel(jobId)
  }
  process.once('SIGINT', onSigint)
  try {
    return await ctx.jobs.wait(jobId)
  } finally {
    process.off('SIGINT', onSigint)
    stopProgress()
    bar.done()
  }
}
