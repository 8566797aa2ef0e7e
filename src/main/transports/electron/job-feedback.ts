import { z } from 'zod'
import type { EventName } from '../../../shared/api'

/** Only the fields the desktop feedback uses; the rest of each event passes through to the renderer untouched. */
const progressEvent = z.object({ jobId: z.number(), kind: z.string(), progress: z.number() })
const stateEvent = z.object({
  jobId: z.number(),
  kind: z.string(),
  state: z.string(),
  error: z.string().nullable()
})

export interface JobNotice {
  jobId: number
  title: string
  body: string
  failed: boolean
}

export interface JobFeedbackUpdate {
  /** Taskbar/dock progress: 0..1 while jobs run, -1 to remove the bar. Absent when unchanged. */
  progress?: number
  /** A system notification to show. */
  notice?: JobNotice
}

/** Jobs that ran at least this long notify when they end; shorter ones finished while you watched. */
export const LONG_JOB_S = 10

const KIND_LABELS: Record<string, string> = {
  'songs.analyse': 'Import and analysis',
  'demo.library': 'Demo library'
}

/** "reward.train" → "Reward train" for kinds without a label of their own. */
export function jobLabel(kind: string): string {
  const known = KIND_LABELS[kind]
  if (known) return known
  const words = kind.replace(/[._-]+/g, ' ').trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}

/**
 * Turns the backend's job events into desktop feedback: one progress value for the taskbar (the mean of the
 * running jobs) and a notification when a long job finishes or any job fails. Cancelled and interrupted jobs
 * notify nothing: the user did that, or the app was closing.
 */
export class JobFeedback {
  private readonly running = new Map<number, { startedAt: number; progress: number }>()
  private shownProgress = -1

  constructor(private readonly now: () => number = () => Date.now() / 1000) {}

  onEvent(name: EventName, payload: unknown): JobFeedbackUpdate {
    if (name === 'job.progress') {
      const event = progressEvent.safeParse(payload)
      if (!event.success) return {}
      const job = this.running.get(event.data.jobId)
      if (job) job.progress = event.data.progress
      else this.running.set(event.data.jobId, { startedAt: this.now(), progress: event.data.progress })
      return this.progressUpdate()
    }
    if (name !== 'job.state') return {}
    const event = stateEvent.safeParse(payload)
    if (!event.success) return {}
    const { jobId, kind, state, error } = event.data
    if (state === 'running' || state === 'queued') {
      if (!this.running.has(jobId)) this.running.set(jobId, { startedAt: this.now(), progress: 0 })
      return this.progressUpdate()
    }
    const job = this.running.get(jobId)
    this.running.delete(jobId)
    const update = this.progressUpdate()
    const ranS = job ? this.now() - job.startedAt : 0
    if (state === 'failed')
      update.notice = {
        jobId,
        failed: true,
        title: `${jobLabel(kind)} failed`,
        body: error ?? 'The job stopped with an error.'
      }
    else if (state === 'done' && ranS >= LONG_JOB_S)
      update.notice = {
        jobId,
        failed: false,
        title: `${jobLabel(kind)} finished`,
        body: `Done in ${formatDuration(ranS)}.`
      }
    return update
  }

  private progressUpdate(): JobFeedbackUpdate {
    const jobs = [...this.running.values()]
    const progress =
      jobs.length === 0 ? -1 : Math.min(1, Math.max(0, jobs.reduce((sum, j) => sum + j.progress, 0) / jobs.length))
    // Rounded to a percent, so a stream of tiny steps does not repaint the taskbar each time.
    const rounded = progress < 0 ? -1 : Math.round(progress * 100) / 100
    if (rounded === this.shownProgress) return {}
    this.shownProgress = rounded
    return { progress: rounded }
  }
}

export function formatDuration(seconds: number): string {
  const s = Math.round(seconds)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${s % 60} s`
  return `${Math.floor(m / 60)} h ${m % 60} min`
}
