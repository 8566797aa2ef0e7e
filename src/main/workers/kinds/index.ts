import type { JobContext } from '../job-context'

/** Each kind's code loads only in the worker that runs it (analysis and ML modules are heavy). */
const RUNNERS: Record<string, () => Promise<(ctx: JobContext) => Promise<unknown>>> = {
  'demo.count': async () => (await import('./demo-count')).runDemoCount,
  'songs.analyse': async () => (await import('./songs-analyse')).runSongsAnalyse,
  'demo.library': async () => (await import('./demo-library')).runDemoLibrary
}

export async function runJobKind(kind: string, ctx: JobContext): Promise<unknown> {
  const load = RUNNERS[kind]
  if (!load) throw new Error(`unknown job kind '${kind}'`)
  return (await load())(ctx)
}
