/**
 * `editorbot bench listen`: the A/B screen at full speed, measured in Chromium against serve mode by the
 * fast-mode end-to-end test (test/e2e/listen-fast.e2e.test.ts): the time from a verdict key to the next
 * pair playing when it was prefetched (autoplay and auto-advance on, advance delay 0), and keystrokes per
 * pair. Each figure is compared with its target (ratio printed) and flagged when it misses.
 */
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { z } from 'zod'

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..')

const resultsSchema = z.object({
  pairsTimed: z.number(),
  verdictToNextPlayingMs: z.array(z.number()),
  medianVerdictToNextPlayingMs: z.number(),
  maxVerdictToNextPlayingMs: z.number(),
  targetMs: z.number(),
  keystrokesPerPair: z.number(),
  targetKeystrokesPerPair: z.number(),
  advanceDelayMs: z.number()
})
export type ListenBenchResults = z.output<typeof resultsSchema>

export async function benchListen(opts: { log: (line: string) => void }): Promise<ListenBenchResults> {
  const { log } = opts
  if (!fs.existsSync(path.join(root, 'out', 'web', 'index.html')))
    throw new Error('the renderer is not built: run `npm run build:web` first')
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-listen-')), 'listen-fast.json')
  log('running the fast-mode A/B test in Chromium (test/e2e/listen-fast.e2e.test.ts)...')
  const run = spawnSync(
    process.execPath,
    [path.join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', 'test/e2e/listen-fast.e2e.test.ts'],
    { cwd: root, env: { ...process.env, EDITORBOT_LISTEN_RESULTS: out }, encoding: 'utf8' }
  )
  if (run.status !== 0 || !fs.existsSync(out))
    throw new Error(`the fast-mode test failed:\n${(run.stdout ?? '') + (run.stderr ?? '')}`.slice(-4000))
  const r = resultsSchema.parse(JSON.parse(fs.readFileSync(out, 'utf8')))
  fs.rmSync(path.dirname(out), { recursive: true, force: true })
  const flag = (ok: boolean): string => (ok ? 'ok' : 'MISSES TARGET')
  log(`pairs timed: ${r.pairsTimed} (advance delay ${r.advanceDelayMs} ms, next pair prefetched each time)`)
  log(`verdict key -> next pair playing, each: ${r.verdictToNextPlayingMs.map((x) => x.toFixed(1)).join(', ')} ms`)
  log(
    `  median ${r.medianVerdictToNextPlayingMs.toFixed(1)} ms vs target ${r.targetMs} ms: ` +
      `${(r.medianVerdictToNextPlayingMs / r.targetMs).toFixed(2)}x of target, ${flag(r.medianVerdictToNextPlayingMs < r.targetMs)}`
  )
  log(
    `  worst ${r.maxVerdictToNextPlayingMs.toFixed(1)} ms: ${(r.maxVerdictToNextPlayingMs / r.targetMs).toFixed(2)}x of target, ` +
      flag(r.maxVerdictToNextPlayingMs < r.targetMs)
  )
  log(
    `keystrokes per pair: ${r.keystrokesPerPair} vs target ${r.targetKeystrokesPerPair}, ${flag(r.keystrokesPerPair <= r.targetKeystrokesPerPair)}`
  )
  return r
}
