import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { analyzeAudio } from './analyze.js'
import { decodeAudioBuffer, type DecodedAudio } from './decode.js'
import { evaluateBeats, fMeasure, metricalLevel, tempoAccuracy, trimBeats } from './metrics.js'
import { clickTrack, demoSongDetailed, drumTrack, type SynthResult } from './synth.js'

/**
 * Benchmarks that print figures (wired to `editorbot bench beats` / `editorbot bench analysis`).
 * Everything runs on the calling thread, so x-realtime figures are per core.
 */

const run = promisify(execFile)

export const DEFAULT_REAL_MUSIC_DIRS = ['/usr/share/games/wesnoth/1.16/data/core/music', '/usr/share/games/supertuxkart/data/music']

interface GeneratedCase {
  name: string
  bpm: number
  make: () => SynthResult
}

function generatedSet(): GeneratedCase[] {
  const cases: GeneratedCase[] = []
  const d = 30
  for (const bpm of [60, 90, 120, 150, 200]) cases.push({ name: `click ${bpm}`, bpm, make: () => clickTrack({ bpm, durationS: d, seed: bpm }) })
  for (const bpm of [62, 75, 100, 128, 160, 190]) cases.push({ name: `drums ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, seed: bpm }) })
  for (const bpm of [88, 110, 140]) cases.push({ name: `swing ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, swing: 1, seed: bpm }) })
  for (const [bpm, drift] of [[80, 0.03], [120, -0.03], [175, 0.02]] as const) {
    cases.push({ name: `drift ${bpm} ${drift > 0 ? '+' : ''}${drift * 100}%`, bpm, make: () => drumTrack({ bpm, durationS: d, drift, seed: bpm }) })
  }
  for (const bpm of [100, 150]) cases.push({ name: `noise 6dB ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, snrDb: 6, seed: bpm }) })
  for (const bpm of [95, 125, 165]) cases.push({ name: `syncopated ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, syncopated: true, swing: 0.5, seed: bpm }) })
  for (const bpm of [90, 140]) cases.push({ name: `3/4 ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, beatsPerBar: 3, seed: bpm }) })
  for (const [seed, bpm] of [[1, 100], [2, 124]] as const) {
    cases.push({ name: `demo song ${bpm}`, bpm, make: () => demoSongDetailed({ seed, bpm, bars: Math.round((d * bpm) / 240), sampleRate: 44100 }) })
  }
  return cases
}

const mean = (values: number[]): number => (values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0)
const f3 = (v: number): string => v.toFixed(3)

function findRealMusic(dirs: string[], max: number): string[] {
  const files: string[] = []
  for (const dir of dirs) {
    if (!existsSync(dir)) continue
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name)
      if (/\.(ogg|mp3|flac|wav)$/i.test(name) && statSync(path).isFile()) files.push(path)
    }
  }
  return files.slice(0, max)
}

async function aubioBeats(path: string): Promise<Float64Array | null> {
  for (const tool of ['aubiotrack', 'aubio']) {
    try {
      const args = tool === 'aubio' ? ['beat', path] : ['-i', path]
      const { stdout } = await run(tool, args, { maxBuffer: 16 * 1024 * 1024 })
      const times = stdout
        .split(/\s+/)
        .map(Number)
        .filter((v) => Number.isFinite(v))
      return new Float64Array(times)
    } catch {
      // try the next tool name
    }
  }
  return null
}

/** F-measure after bringing the estimate to the reference's metrical level (the better phase of a halved sequence, or a doubled one). */
function octaveCorrectedF(reference: Float64Array, estimated: Float64Array, level: string): number {
  if (level === 'double') {
    const even = estimated.filter((_, i) => i % 2 === 0)
    const odd = estimated.filter((_, i) => i % 2 === 1)
    return Math.max(fMeasure(reference, even), fMeasure(reference, odd))
  }
  if (level === 'half') {
    const doubled: number[] = []
    for (let i = 0; i < estimated.length; i++) {
      doubled.push(estimated[i]!)
      if (i + 1 < estimated.length) doubled.push(0.5 * (estimated[i]! + estimated[i + 1]!))
    }
    return fMeasure(reference, new Float64Array(doubled))
  }
  return fMeasure(reference, estimated)
}

/** Coefficient of variation of the inter-beat intervals: low for a steady pulse. */
function ibiVariation(beats: Float64Array): number {
  const d: number[] = []
  for (let i = 1; i < beats.length; i++) d.push(beats[i]! - beats[i - 1]!)
  const m = mean(d)
  if (m <= 0) return Infinity
  return Math.sqrt(mean(d.map((v) => (v - m) ** 2))) / m
}

export async function benchBeats(opts: { log: (line: string) => void; realMusicDirs?: string[]; maxRealFiles?: number }): Promise<Record<string, unknown>> {
  const { log } = opts
  log('Generated tracks with known beats (mir_eval conventions: beats before 5 s ignored, F-measure window +-70 ms)')
  log('track                 ref BPM  est BPM  F      CMLt   AMLt   tempo4%  meter')
  const rows: Record<string, unknown>[] = []
  for (const c of generatedSet()) {
    const truth = c.make()
    const analysis = analyzeAudio(truth.audio)
    const scores = evaluateBeats(truth.beatTimes, analysis.beatTimes)
    const tempo = tempoAccuracy(c.bpm, analysis.tempoBpm)
    const meterOk = analysis.beatsPerBar === truth.beatsPerBar
    rows.push({ name: c.name, refBpm: c.bpm, estBpm: analysis.tempoBpm, ...scores, tempoAcc1: tempo.acc1, tempoAcc2: tempo.acc2, meterOk })
    log(
      `${c.name.padEnd(21)} ${c.bpm.toFixed(0).padStart(7)}  ${analysis.tempoBpm.toFixed(1).padStart(7)}  ${f3(scores.fMeasure)}  ${f3(scores.cmlt)}  ${f3(scores.amlt)}  ${tempo.acc1 ? 'yes' : 'no '}      ${analysis.beatsPerBar}/4${meterOk ? '' : ' (wrong)'}`
    )
  }
  const generated = {
    tracks: rows.length,
    meanF: mean(rows.map((r) => r.fMeasure as number)),
    meanCMLt: mean(rows.map((r) => r.cmlt as number)),
    meanAMLt: mean(rows.map((r) => r.amlt as number)),
    tempoAccuracy1: mean(rows.map((r) => (r.tempoAcc1 === true ? 1 : 0))),
    tempoAccuracy2: mean(rows.map((r) => (r.tempoAcc2 === true ? 1 : 0))),
    meterAccuracy: mean(rows.map((r) => (r.meterOk === true ? 1 : 0)))
  }
  log(
    `MEAN over ${generated.tracks} generated tracks: F ${f3(generated.meanF)}  CMLt ${f3(generated.meanCMLt)}  AMLt ${f3(generated.meanAMLt)}  tempo within 4% ${f3(generated.tempoAccuracy1)} (with octaves ${f3(generated.tempoAccuracy2)})  meter ${f3(generated.meterAccuracy)}`
  )

  const result: Record<string, unknown> = { generated, generatedTracks: rows }
  const files = findRealMusic(opts.realMusicDirs ?? DEFAULT_REAL_MUSIC_DIRS, opts.maxRealFiles ?? 20)
  if (files.length === 0) {
    log('Real music: none found (install wesnoth-1.16-music or pass directories); aubio comparison skipped')
    return result
  }
  const probe = await aubioBeats(files[0]!)
  if (probe === null) {
    log('Real music found but aubio-tools is not installed (aubiotrack/aubio); aubio comparison skipped')
    return result
  }
  log('')
  log(`Agreement with aubio (aubiotrack, defaults) on ${files.length} real files; aubio's beats are the reference, beats before 5 s ignored`)
  log('file                               dur s  aubio BPM  our BPM  F      level   F@aubio-level  steady')
  const real: Record<string, unknown>[] = []
  for (const path of files) {
    try {
      const bytes = await readFile(path)
      const audio = await decodeAudioBuffer(bytes, path)
      const ours = analyzeAudio(audio)
      const reference = (await aubioBeats(path)) ?? new Float64Array(0)
      const ref = trimBeats(reference)
      const est = trimBeats(ours.beatTimes)
      if (ref.length < 4) {
        log(`${path.split('/').pop()!.padEnd(34)} ${audio.durationS.toFixed(1).padStart(5)}  aubio found fewer than 4 beats after 5 s; skipped`)
        continue
      }
      const f = fMeasure(ref, est)
      const level = metricalLevel(ref, est)
      const corrected = octaveCorrectedF(ref, est, level)
      const steady = ibiVariation(ref) < 0.1
      const aubioBpm = 60 / (ref.length > 1 ? (ref[ref.length - 1]! - ref[0]!) / (ref.length - 1) : 1)
      real.push({ file: path, durationS: audio.durationS, aubioBpm, ourBpm: ours.tempoBpm, f, level, fAtAubioLevel: corrected, steady })
      log(
        `${path.split('/').pop()!.padEnd(34)} ${audio.durationS.toFixed(1).padStart(5)}  ${aubioBpm.toFixed(1).padStart(9)}  ${ours.tempoBpm.toFixed(1).padStart(7)}  ${f3(f)}  ${level.padEnd(6)}  ${f3(corrected).padStart(13)}  ${steady ? 'yes' : 'no'}`
      )
    } catch (e) {
      log(`${path}: failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const steadyRows = real.filter((r) => r.steady === true)
  const summary = {
    files: real.length,
    meanF: mean(real.map((r) => r.f as number)),
    meanFAtAubioLevel: mean(real.map((r) => r.fAtAubioLevel as number)),
    octaveErrors: real.filter((r) => r.level === 'double' || r.level === 'half').length,
    otherLevel: real.filter((r) => r.level === 'other').length,
    steadyFiles: steadyRows.length,
    steadyMeanF: mean(steadyRows.map((r) => r.f as number)),
    steadyMeanFAtAubioLevel: mean(steadyRows.map((r) => r.fAtAubioLevel as number))
  }
  log(
    `MEAN agreement with aubio over ${summary.files} files: F ${f3(summary.meanF)}; octave errors ${summary.octaveErrors} (F at aubio's level ${f3(summary.meanFAtAubioLevel)}); other level ${summary.otherLevel}`
  )
  log(`  steady files (aubio IBI variation < 10%): ${summary.steadyFiles}, F ${f3(summary.steadyMeanF)}, F at aubio's level ${f3(summary.steadyMeanFAtAubioLevel)}`)
  result.aubio = summary
  result.aubioFiles = real
  return result
}

interface StageTimes {
  decodeMs: number
  frontEndMs: number
  beatsMs: number
  featuresMs: number
  analysisMs: number
}

function timedAnalysis(audio: DecodedAudio): Omit<StageTimes, 'decodeMs'> {
  const marks = new Map<string, number>()
  const start = performance.now()
  analyzeAudio(audio, (_fraction, stage) => marks.set(stage, performance.now()))
  const end = performance.now()
  const at = (stage: string): number => marks.get(stage) ?? end
  return {
    frontEndMs: at('beats') - start,
    beatsMs: at('features') - at('beats'),
    featuresMs: end - at('features'),
    analysisMs: end - start
  }
}

export async function benchAnalysis(opts: { log: (line: string) => void; files?: string[] }): Promise<Record<string, unknown>> {
  const { log } = opts
  const inputs: { name: string; load: () => Promise<{ audio: DecodedAudio; decodeMs: number }> }[] = []
  const files = opts.files ?? findRealMusic(DEFAULT_REAL_MUSIC_DIRS, 10)
  for (const path of files) {
    inputs.push({
      name: path.split('/').pop() ?? path,
      load: async () => {
        const bytes = await readFile(path)
        const t = performance.now()
        const audio = await decodeAudioBuffer(bytes, path)
        return { audio, decodeMs: performance.now() - t }
      }
    })
  }
  if (inputs.length === 0) {
    log('No files given and no real music found: timing a generated 44.1 kHz stereo demo song (decode not applicable)')
    inputs.push({ name: 'demo song 120 BPM, 100 bars', load: () => Promise.resolve({ audio: demoSongDetailed({ seed: 1, bpm: 120, bars: 100 }).audio, decodeMs: 0 }) })
  }
  // Warm-up so JIT compilation is not charged to the first file.
  analyzeAudio(drumTrack({ bpm: 120, durationS: 10 }).audio)
  log('Single thread (one core). x realtime = audio duration / wall time of the stage.')
  log('file                               dur s   decode   front end(resample+STFT)   beats   features   analysis   incl. decode')
  const totals = { durationS: 0, decodeMs: 0, frontEndMs: 0, beatsMs: 0, featuresMs: 0, analysisMs: 0 }
  const rows: Record<string, unknown>[] = []
  const x = (durationS: number, ms: number): string => (ms > 0 ? `${((durationS * 1000) / ms).toFixed(0)}x` : 'n/a')
  for (const input of inputs) {
    try {
      const { audio, decodeMs } = await input.load()
      const times = timedAnalysis(audio)
      const d = audio.durationS
      totals.durationS += d
      totals.decodeMs += decodeMs
      totals.frontEndMs += times.frontEndMs
      totals.beatsMs += times.beatsMs
      totals.featuresMs += times.featuresMs
      totals.analysisMs += times.analysisMs
      rows.push({ file: input.name, durationS: d, decodeMs, ...times })
      log(
        `${input.name.padEnd(34)} ${d.toFixed(1).padStart(5)}  ${x(d, decodeMs).padStart(7)}  ${x(d, times.frontEndMs).padStart(25)}  ${x(d, times.beatsMs).padStart(6)}  ${x(d, times.featuresMs).padStart(9)}  ${x(d, times.analysisMs).padStart(9)}  ${x(d, times.analysisMs + decodeMs).padStart(13)}`
      )
    } catch (e) {
      log(`${input.name}: failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const d = totals.durationS
  const summary = {
    files: rows.length,
    audioSeconds: d,
    decodeX: totals.decodeMs > 0 ? (d * 1000) / totals.decodeMs : null,
    frontEndX: (d * 1000) / totals.frontEndMs,
    beatsX: (d * 1000) / totals.beatsMs,
    beatTrackingX: (d * 1000) / (totals.frontEndMs + totals.beatsMs),
    featuresX: (d * 1000) / totals.featuresMs,
    analysisX: (d * 1000) / totals.analysisMs,
    totalWithDecodeX: (d * 1000) / (totals.analysisMs + totals.decodeMs)
  }
  log(
    `AGGREGATE over ${summary.files} files (${d.toFixed(1)} s of audio): decode ${x(d, totals.decodeMs)}, front end ${x(d, totals.frontEndMs)}, beats ${x(d, totals.beatsMs)} (beat tracking incl. front end ${x(d, totals.frontEndMs + totals.beatsMs)}), features ${x(d, totals.featuresMs)}, whole analysis (decode excluded) ${x(d, totals.analysisMs)}, whole pipeline incl. decode ${x(d, totals.analysisMs + totals.decodeMs)}`
  )
  return { ...summary, perFile: rows }
}
