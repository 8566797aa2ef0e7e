import { buildEditDecisionList } from '../src/main/engines/edits/edl'
import { generateActions } from '../src/main/engines/edits/generate'
import { renderEdit } from '../src/main/engines/edits/render'
import { synthesizeSong } from '../src/main/engines/edits/synthetic'
import { encodeWav } from '../src/main/engines/audio-io/wav-encode'

export interface BenchRenderOptions {
  log: (line: string) => void
  /** Length of the synthetic song, seconds (default 180). */
  durationS?: number
  sampleRate?: number
  /** Timed renders per edit (default 5). */
  repeats?: number
}

/**
 * Render speed on a synthetic stereo song (default 3 min at 44.1 kHz): identity, rule (70 %), rule
 * (150 %) and random edits, each rendered `repeats` times; x-realtime = output seconds / wall seconds.
 * Also times EDL building and 16-bit WAV encoding. Target: >= 1000x realtime.
 */
export async function benchRender(opts: BenchRenderOptions): Promise<Record<string, unknown>> {
  const { log } = opts
  const durationS = opts.durationS ?? 180
  const sampleRate = opts.sampleRate ?? 44100
  const repeats = Math.max(1, opts.repeats ?? 5)
  const bpm = 120
  const beats = Math.floor((durationS * bpm) / 60)
  const t0 = performance.now()
  const { structure, audio } = synthesizeSong({
    beats,
    bpm,
    sampleRate,
    channels: 2,
    phraseBars: 4,
    seed: 7,
    kind: 'music'
  })
  log(
    `bench render: synthetic song ${structure.durationS.toFixed(1)} s, ${sampleRate} Hz stereo, ${beats} beats (made in ${(performance.now() - t0).toFixed(0)} ms)`
  )
  const edits: Record<string, number[]> = {
    identity: generateActions(structure, 'identity', {}),
    rule_70: generateActions(structure, 'rule', { targetDurationS: structure.durationS * 0.7 }),
    rule_150: generateActions(structure, 'rule', { targetDurationS: structure.durationS * 1.5 }),
    random: generateActions(structure, 'random', { seed: 1 })
  }
  const results: Record<string, { outputS: number; splices: number; msPerRender: number; xRealtime: number }> = {}
  let totalOut = 0
  let totalMs = 0
  let edlMs = 0
  for (const [name, actions] of Object.entries(edits)) {
    const e0 = performance.now()
    const edl = buildEditDecisionList(structure, actions)
    edlMs += performance.now() - e0
    renderEdit(audio, edl) // warm-up
    const r0 = performance.now()
    for (let r = 0; r < repeats; r++) renderEdit(audio, edl)
    const ms = (performance.now() - r0) / repeats
    const splices = edl.segments.filter((s) => s.fadeIn > 0).length
    const x = edl.outputDurationS / (ms / 1000)
    results[name] = { outputS: edl.outputDurationS, splices, msPerRender: ms, xRealtime: x }
    totalOut += edl.outputDurationS
    totalMs += ms
    log(
      `  ${name.padEnd(9)} ${edl.outputDurationS.toFixed(1).padStart(6)} s out, ${String(splices).padStart(3)} splices: ${ms.toFixed(2).padStart(7)} ms/render = ${x.toFixed(0)}x realtime`
    )
  }
  const xRealtime = totalOut / (totalMs / 1000)
  const edl = buildEditDecisionList(structure, edits.rule_70 as number[])
  const rendered = renderEdit(audio, edl)
  const w0 = performance.now()
  encodeWav(rendered, sampleRate, 'pcm16')
  const wavMs = performance.now() - w0
  log(
    `  overall   ${xRealtime.toFixed(0)}x realtime (target >= 1000x: ${xRealtime >= 1000 ? 'met' : 'NOT met'}); EDL build ${(edlMs / Object.keys(edits).length).toFixed(2)} ms/edit; WAV pcm16 encode of ${edl.outputDurationS.toFixed(1)} s ${wavMs.toFixed(1)} ms`
  )
  return {
    songDurationS: structure.durationS,
    sampleRate,
    channels: 2,
    beats,
    repeats,
    edits: results,
    xRealtime,
    targetMet: xRealtime >= 1000,
    edlBuildMsPerEdit: edlMs / Object.keys(edits).length,
    wavPcm16EncodeMs: wavMs
  }
}
