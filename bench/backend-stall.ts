import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { z } from 'zod'
import { createAppContext } from '../src/main/app/context'
import { createHandlers } from '../src/main/api/handlers'
import { dispatch } from '../src/main/api/dispatch'
import { startBackendThread } from '../src/main/backend/thread'
import { demoSong } from '../src/main/engines/analysis/synth'
import { encodeWav } from '../src/main/engines/audio-io/wav-encode'
import { registerSongFile } from '../src/main/services/songs/import'
import { analyseStoredSong } from '../src/main/services/songs/analyse-song'
import type { Result } from '../src/shared/result'

export interface BenchStallOptions {
  log: (line: string) => void
  /** Runs per mode (default 3; 1 with quick). */
  runs?: number
}

const STALL_TARGET_MS = 50
const PING_EVERY_MS = 5
const LIGHT_REQUEST_EVERY_MS = 20

/**
 * The window, simulated: a thread of its own (as the renderer is a process of its own) that pings the
 * window-side thread every 5 ms (a round trip it answers itself, as Electron's main answers window, menu and
 * file-protocol traffic) and sends a light contract request ('settings.get') every 20 ms, timing each from
 * the moment it was due. Plain JS so it needs no loader.
 */
const WINDOW_SCRIPT = `
const { parentPort } = require('node:worker_threads')
const { performance } = require('node:perf_hooks')
const pings = new Map(), requests = new Map()
let worstPing = 0, worstRequest = 0, next = 0, pingTimer, requestTimer
const pingDue = { t: 0 }, requestDue = { t: 0 }
parentPort.on('message', (m) => {
  if (m.type === 'begin') {
    pingDue.t = performance.now(); requestDue.t = performance.now()
    pingTimer = setInterval(() => { const id = next++; pings.set(id, pingDue.t); pingDue.t += ${PING_EVERY_MS}; parentPort.postMessage({ type: 'ping', id }) }, ${PING_EVERY_MS})
    requestTimer = setInterval(() => { const id = next++; requests.set(id, requestDue.t); requestDue.t += ${LIGHT_REQUEST_EVERY_MS}; parentPort.postMessage({ type: 'request', id }) }, ${LIGHT_REQUEST_EVERY_MS})
  } else if (m.type === 'pong') {
    worstPing = Math.max(worstPing, performance.now() - pings.get(m.id)); pings.delete(m.id)
  } else if (m.type === 'answer') {
    worstRequest = Math.max(worstRequest, performance.now() - requests.get(m.id)); requests.delete(m.id)
  } else if (m.type === 'mark' || m.type === 'end') {
    if (m.type === 'end') { clearInterval(pingTimer); clearInterval(requestTimer) }
    const waiting = (due) => Math.max(0, ...[...due.values()].map((t) => performance.now() - t))
    parentPort.postMessage({ type: 'report', worstPingMs: Math.max(worstPing, waiting(pings)), worstRequestMs: Math.max(worstRequest, waiting(requests)) })
    worstPing = 0; worstRequest = 0
  }
})
`

const windowMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping'), id: z.number() }),
  z.object({ type: z.literal('request'), id: z.number() }),
  z.object({ type: z.literal('report'), worstPingMs: z.number(), worstRequestMs: z.number() })
])

type Call = (name: string, input: unknown) => Promise<Result<unknown>>

interface RunFigures {
  /** Worst stall with the same stream and nothing heavy running: the machine's own noise. */
  idleStallMs: number
  heavyMs: number
  worstStallMs: number
  worstLightRequestMs: number
}

/** One run: the window streams pings and light requests while the heavy request (100 pairs) runs. */
async function runOnce(call: Call, songId: number): Promise<RunFigures> {
  const window = new Worker(WINDOW_SCRIPT, { eval: true })
  type Report = { worstPingMs: number; worstRequestMs: number }
  let onReport: (report: Report) => void = () => {}
  const nextReport = (): Promise<Report> => new Promise((resolve) => (onReport = resolve))
  {
    window.on('message', (raw: unknown) => {
      const message = windowMessage.parse(raw)
      if (message.type === 'ping') window.postMessage({ type: 'pong', id: message.id })
      else if (message.type === 'request')
        void call('settings.get', {}).then(() => window.postMessage({ type: 'answer', id: message.id }))
      else onReport(message)
    })
  }
  const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))
  window.postMessage({ type: 'begin' })
  await pause(300)
  const idle = nextReport()
  window.postMessage({ type: 'mark' })
  const idleStallMs = (await idle).worstPingMs
  const t0 = performance.now()
  const queued = await call('pairs.queue', { songId, count: 100 })
  const heavyMs = performance.now() - t0
  if (!queued.ok) throw new Error(`pairs.queue failed: ${queued.error.message}`)
  await pause(300)
  const report = nextReport()
  window.postMessage({ type: 'end' })
  const { worstPingMs, worstRequestMs } = await report
  await window.terminate()
  return { idleStallMs, heavyMs, worstStallMs: worstPingMs, worstLightRequestMs: worstRequestMs }
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** A data directory with one analysed 64 s song, copied fresh for every run so each queues 100 new pairs. */
async function prepareTemplate(root: string): Promise<{ dir: string; songId: number }> {
  const dir = path.join(root, 'template')
  const ctx = createAppContext({ dataDir: dir })
  const { audio } = demoSong({ seed: 3, bpm: 120, bars: 32 })
  const wav = path.join(root, 'song.wav')
  fs.writeFileSync(wav, encodeWav(audio.channels, audio.sampleRate, 'pcm16'))
  const report = registerSongFile(ctx.db, ctx.dataDir, wav)
  if (report.songId === null) throw new Error(report.reason ?? 'song not stored')
  const analysed = await analyseStoredSong(ctx.db, ctx.dataDir, report.songId, { maxDurationS: 600 })
  if (!analysed.ok) throw new Error(analysed.reason)
  await ctx.close()
  return { dir, songId: report.songId }
}

/**
 * Worst window stall while 100 pairs are queued: the contract's dispatcher on the window-side thread (what an
 * in-process Electron main would do) versus the backend process (a worker thread here, standing in for the
 * utility process; same protocol). Target: worst stall under 50 ms.
 */
export async function benchBackendStall(opts: BenchStallOptions): Promise<Record<string, unknown>> {
  const { log } = opts
  const runs = Math.max(1, opts.runs ?? 3)
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'editorbot-bench-stall-'))
  try {
    const template = await prepareTemplate(root)
    log(
      `bench stall: queue 100 pairs (pairs.queue) while the window pings every ${PING_EVERY_MS} ms and sends settings.get every ${LIGHT_REQUEST_EVERY_MS} ms; ${runs} run(s) per mode`
    )
    const fresh = (run: string): string => {
      const dir = path.join(root, run)
      fs.cpSync(template.dir, dir, { recursive: true })
      return dir
    }

    const inProcess: RunFigures[] = []
    const outOfProcess: RunFigures[] = []
    for (let run = 0; run < runs; run++) {
      const ctx = createAppContext({ dataDir: fresh(`in-${run}`) })
      const handlers = createHandlers(ctx, { transport: 'electron' })
      inProcess.push(await runOnce((name, input) => dispatch(handlers, name, input), template.songId))
      await ctx.close()

      const backend = startBackendThread()
      await backend.client.start(fresh(`out-${run}`))
      outOfProcess.push(await runOnce((name, input) => backend.client.call(name, input), template.songId))
      await backend.stop()
    }

    const summary = (label: string, figures: RunFigures[]): Record<string, number> => {
      const s = {
        idleStallMedianMs: median(figures.map((f) => f.idleStallMs)),
        heavyMedianMs: median(figures.map((f) => f.heavyMs)),
        worstStallMedianMs: median(figures.map((f) => f.worstStallMs)),
        worstStallMaxMs: Math.max(...figures.map((f) => f.worstStallMs)),
        worstLightRequestMedianMs: median(figures.map((f) => f.worstLightRequestMs))
      }
      const miss = s.worstStallMedianMs >= STALL_TARGET_MS ? `  MISSES the ${STALL_TARGET_MS} ms target` : ''
      log(
        `  ${label}: pairs.queue ${s.heavyMedianMs.toFixed(0)} ms; worst window stall median ${s.worstStallMedianMs.toFixed(1)} ms (max ${s.worstStallMaxMs.toFixed(1)}); worst light request ${s.worstLightRequestMedianMs.toFixed(0)} ms; idle stall (nothing heavy) ${s.idleStallMedianMs.toFixed(1)} ms${miss}`
      )
      return s
    }
    const inSummary = summary('in-process dispatcher ', inProcess)
    const outSummary = summary('out-of-process backend', outOfProcess)
    const ratio = (inSummary.worstStallMedianMs as number) / Math.max(0.1, outSummary.worstStallMedianMs as number)
    log(`  worst stall, in-process / out-of-process (median vs median): ${ratio.toFixed(1)}x`)
    log(
      '  (a light request still waits behind the heavy one inside the backend in both modes; the window itself no longer does)'
    )
    return {
      targetMs: STALL_TARGET_MS,
      inProcess: inSummary,
      outOfProcess: outSummary,
      stallRatio: ratio,
      meetsTarget: (outSummary.worstStallMedianMs as number) < STALL_TARGET_MS
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
}
