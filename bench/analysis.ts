import { execFile } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { analyzeAudio } from '../src/main/engines/analysis/analyze.js'
import { decodeAudioBuffer, type DecodedAudio } from '../src/main/engines/audio-io/decode.js'
import {
  evaluateBeats,
  fMeasure,
  metricalLevel,
  tempoAccuracy,
  trimBeats
} from '../src/main/engines/analysis/metrics.js'
import { clickTrack, demoSongDetailed, drumTrack, type SynthResult } from '../src/main/engines/analysis/synth.js'

/**
 * Benchmarks that print figures (wired to `editorbot bench beats` / `editorbot bench analysis`).
 * Everything runs on the calling thread, so x-realtime figures are per core.
 */

const run = promisify(execFile)

export const DEFAULT_REAL_MUSIC_DIRS = [
  '/usr/share/games/wesnoth/1.16/data/core/music',
  '/usr/share/games/supertuxkart/data/music'
]

interface GeneratedCase {
  name: string
  bpm: number
  make: () => SynthResult
}

function generatedSet(): GeneratedCase[] {
  const cases: GeneratedCase[] = []
  const d = 30
  for (const bpm of [60, 90, 120, 150, 200])
    cases.push({ name: `click ${bpm}`, bpm, make: () => clickTrack({ bpm, durationS: d, seed: bpm }) })
  for (const bpm of [62, 75, 100, 128, 160, 190])
    cases.push({ name: `drums ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, seed: bpm }) })
  for (const bpm of [88, 110, 140])
    cases.push({ name: `swing ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, swing: 1, seed: bpm }) })
  for (const [bpm, drift] of [
    [80, 0.03],
    [120, -0.03],
    [175, 0.02]
  ] as const) {
    cases.push({
      name: `drift ${bpm} ${drift > 0 ? '+' : ''}${drift * 100}%`,
      bpm,
      make: () => drumTrack({ bpm, durationS: d, drift, seed: bpm })
    })
  }
  for (const bpm of [100, 150])
    cases.push({ name: `noise 6dB ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, snrDb: 6, seed: bpm }) })
  for (const bpm of [95, 125, 165])
    cases.push({
      name: `syncopated ${bpm}`,
      bpm,
      make: () => drumTrack({ bpm, durationS: d, syncopated: true, swing: 0.5, seed: bpm })
    })
  for (const bpm of [90, 140])
    cases.push({ name: `3/4 ${bpm}`, bpm, make: () => drumTrack({ bpm, durationS: d, beatsPerBar: 3, seed: bpm }) })
  for (const [seed, bpm] of [
    [1, 100],
    [2, 124]
  ] as const) {
    cases.push({
      name: `demo song ${bpm}`,
      bpm,
      make: () => demoSongDetailed({ seed, bpm, bars: Math.round((d * bpm) / 240), sampleRate: 44100 })
    })
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

/** aubio's beats (seconds) with extra aubiotrack options; null when neither aubiotrack nor `aubio beat` runs. */
async function aubioBeats(path: string, extra: string[] = []): Promise<Float64Array | null> {
  const attempts: [string, string[]][] = [['aubiotrack', [...extra, '-i', path]]]
  if (extra.length === 0) attempts.push(['aubio', ['beat', path]])
  for (const [tool, args] of attempts) {
    try {
      const { stdout } = await run(tool, args, { maxBuffer: 16 * 1024 * 1024 })
      const times = stdout
        .split(/\s+/)
        .map(Number)
        .filter((v) => Number.isFinite(v))
      return new Float64Array(times)
    } catch {
      // try the next tool
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

/** aubio's pulse counts as regular below this coefficient of variation of its inter-beat intervals. */
const REGULAR_IBI_CV = 0.1
/** The reference counts as reproducible when aubio agrees with itself (other hop / window) at least this well. */
const STEADY_SELF_F = 0.9

/** Coefficient of variation of the inter-beat intervals: low for a steady pulse. */
function ibiVariation(beats: Float64Array): number {
  const d: number[] = []
  for (let i = 1; i < beats.length; i++) d.push(beats[i]! - beats[i - 1]!)
  const m = mean(d)
  if (m <= 0) return Infinity
  return Math.sqrt(mean(d.map((v) => (v - m) ** 2))) / m
}

export async function benchBeats(opts: {
  log: (line: string) => void
  realMusicDirs?: string[]
  maxRealFiles?: number
}): Promise<Record<string, unknown>> {
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
    rows.push({
      name: c.name,
      refBpm: c.bpm,
      estBpm: analysis.tempoBpm,
      ...scores,
      tempoAcc1: tempo.acc1,
      tempoAcc2: tempo.acc2,
      meterOk
    })
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
  const files = findRealMusic(opts.realMusicDirs ?? DEFAULT_REAL_MUSIC_DIRS, opts.maxRealFiles ?? 200)
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
  log(
    `Agreement with aubio (aubiotrack, defaults) on ${files.length} real files; aubio's beats are the reference, beats before 5 s ignored.`
  )
  log(
    `aubio is not ground truth: its "self" column is F between aubio's default output and aubio re-run with hop 256 or`
  )
  log(
    `window 2048 (the lower of the two), i.e. how reproducible the reference itself is. A file is "regular" when aubio's`
  )
  log(
    `inter-beat intervals vary little (coefficient of variation < ${REGULAR_IBI_CV}) and "steady" when it is regular and the`
  )
  log(
    `reference is reproducible (self >= ${STEADY_SELF_F}): only there can any other tracker be expected to agree at 0.9.`
  )
  log(
    'file                               dur s  aubio BPM  our BPM  F      level   F@aubio-level  IBI cv  self   class'
  )
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
        log(
          `${path.split('/').pop()!.padEnd(34)} ${audio.durationS.toFixed(1).padStart(5)}  aubio found fewer than 4 beats after 5 s; skipped`
        )
        continue
      }
      const hop256 = trimBeats((await aubioBeats(path, ['-H', '256'])) ?? new Float64Array(0))
      const win2048 = trimBeats((await aubioBeats(path, ['-B', '2048'])) ?? new Float64Array(0))
      const self = Math.min(fMeasure(ref, hop256), fMeasure(ref, win2048))
      const f = fMeasure(ref, est)
      const level = metricalLevel(ref, est)
      const corrected = octaveCorrectedF(ref, est, level)
      const cv = ibiVariation(ref)
      const regular = cv < REGULAR_IBI_CV
      const steady = regular && self >= STEADY_SELF_F
      const aubioBpm = 60 / (ref.length > 1 ? (ref[ref.length - 1]! - ref[0]!) / (ref.length - 1) : 1)
      real.push({
        file: path,
        durationS: audio.durationS,
        aubioBpm,
        ourBpm: ours.tempoBpm,
        f,
        level,
        fAtAubioLevel: corrected,
        ibiCv: cv,
        aubioSelfF: self,
        regular,
        steady
      })
      log(
        `${path.split('/').pop()!.padEnd(34)} ${audio.durationS.toFixed(1).padStart(5)}  ${aubioBpm.toFixed(1).padStart(9)}  ${ours.tempoBpm.toFixed(1).padStart(7)}  ${f3(f)}  ${level.padEnd(6)}  ${f3(corrected).padStart(13)}  ${cv.toFixed(3).padStart(6)}  ${f3(self)}  ${steady ? 'steady' : regular ? 'regular' : ''}`
      )
    } catch (e) {
      log(`${path}: failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const subset = (rows: Record<string, unknown>[]): Record<string, number> => ({
    files: rows.length,
    meanF: mean(rows.map((r) => r.f as number)),
    meanFAtAubioLevel: mean(rows.map((r) => r.fAtAubioLevel as number)),
    octaveErrors: rows.filter((r) => r.level === 'double' || r.level === 'half').length,
    otherLevel: rows.filter((r) => r.level === 'other').length,
    meanAubioSelfF: mean(rows.map((r) => r.aubioSelfF as number))
  })
  const summary = {
    all: subset(real),
    regular: subset(real.filter((r) => r.regular === true)),
    steady: subset(real.filter((r) => r.steady === true))
  }
  for (const [label, s] of [
    ['all files', summary.all],
    [`regular (aubio IBI cv < ${REGULAR_IBI_CV})`, summary.regular],
    [`steady (regular and aubio self-agreement >= ${STEADY_SELF_F})`, summary.steady]
  ] as const) {
    log(
      `MEAN agreement with aubio, ${label}: ${s.files} files, F ${f3(s.meanF)}; octave errors ${s.octaveErrors} (F at aubio's level ${f3(s.meanFAtAubioLevel)}); other level ${s.otherLevel}; aubio vs itself ${f3(s.meanAubioSelfF)}`
    )
  }
  result.aubio = summary
  result.aubioFiles = real
  return result
}

interface StageTimes {
  frontEndMs: number
  beatsMs: number
  featuresMs: number
  analysisMs: number
}

/** CPU time of this process in ms (user + system): unlike wall time, not inflated by other processes on the machine. */
function cpuMs(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

function timedAnalysis(audio: DecodedAudio): { wall: StageTimes; cpu: StageTimes } {
  const wallMarks = new Map<string, number>()
  const cpuMarks = new Map<string, number>()
  const startWall = performance.now()
  const startCpu = cpuMs()
  analyzeAudio(audio, (_fraction, stage) => {
    wallMarks.set(stage, performance.now())
    cpuMarks.set(stage, cpuMs())
  })
  const endWall = performance.now()
  const endCpu = cpuMs()
  const times = (marks: Map<string, number>, start: number, end: number): StageTimes => {
    const at = (stage: string): number => marks.get(stage) ?? end
    return {
      frontEndMs: at('beats') - start,
      beatsMs: at('features') - at('beats'),
      featuresMs: end - at('features'),
      analysisMs: end - start
    }
  }
  return { wall: times(wallMarks, startWall, endWall), cpu: times(cpuMarks, startCpu, endCpu) }
}

export async function benchAnalysis(opts: {
  log: (line: string) => void
  files?: string[]
}): Promise<Record<string, unknown>> {
  const { log } = opts
  const inputs: {
    name: string
    load: () => Promise<{ audio: DecodedAudio; decodeMs: number; decodeCpuMs: number }>
  }[] = []
  const files = opts.files ?? findRealMusic(DEFAULT_REAL_MUSIC_DIRS, 10)
  for (const path of files) {
    inputs.push({
      name: path.split('/').pop() ?? path,
      load: async () => {
        const bytes = await readFile(path)
        const t = performance.now()
        const c = cpuMs()
        const audio = await decodeAudioBuffer(bytes, path)
        return { audio, decodeMs: performance.now() - t, decodeCpuMs: cpuMs() - c }
      }
    })
  }
  if (inputs.length === 0) {
    log('No files given and no real music found: timing a generated 44.1 kHz stereo demo song (decode not applicable)')
    inputs.push({
      name: 'demo song 120 BPM, 100 bars',
      load: () =>
        Promise.resolve({
          audio: demoSongDetailed({ seed: 1, bpm: 120, bars: 100 }).audio,
          decodeMs: 0,
          decodeCpuMs: 0
        })
    })
  }
  // Warm-up so JIT compilation is not charged to the first file.
  analyzeAudio(drumTrack({ bpm: 120, durationS: 10 }).audio)
  log(
    "Single thread (one core). x realtime = audio duration / wall time of the stage; the CPU columns use this process's CPU time,"
  )
  log('which other processes on the machine do not inflate.')
  log(
    'file                               dur s   decode   front end(resample+STFT)   beats   features   analysis   incl. decode   analysis(CPU)'
  )
  const zero = (): StageTimes & { decodeMs: number } => ({
    decodeMs: 0,
    frontEndMs: 0,
    beatsMs: 0,
    featuresMs: 0,
    analysisMs: 0
  })
  const wallTotal = zero()
  const cpuTotal = zero()
  let durationTotal = 0
  const rows: Record<string, unknown>[] = []
  const x = (durationS: number, ms: number): string => (ms > 0 ? `${((durationS * 1000) / ms).toFixed(0)}x` : 'n/a')
  const add = (total: StageTimes & { decodeMs: number }, times: StageTimes, decodeMs: number): void => {
    total.decodeMs += decodeMs
    total.frontEndMs += times.frontEndMs
    total.beatsMs += times.beatsMs
    total.featuresMs += times.featuresMs
    total.analysisMs += times.analysisMs
  }
  for (const input of inputs) {
    try {
      const { audio, decodeMs, decodeCpuMs } = await input.load()
      const { wall, cpu } = timedAnalysis(audio)
      const d = audio.durationS
      durationTotal += d
      add(wallTotal, wall, decodeMs)
      add(cpuTotal, cpu, decodeCpuMs)
      rows.push({ file: input.name, durationS: d, decodeMs, decodeCpuMs, ...wall, cpu })
      log(
        `${input.name.padEnd(34)} ${d.toFixed(1).padStart(5)}  ${x(d, decodeMs).padStart(7)}  ${x(d, wall.frontEndMs).padStart(25)}  ${x(d, wall.beatsMs).padStart(6)}  ${x(d, wall.featuresMs).padStart(9)}  ${x(d, wall.analysisMs).padStart(9)}  ${x(d, wall.analysisMs + decodeMs).padStart(13)}  ${x(d, cpu.analysisMs).padStart(14)}`
      )
    } catch (e) {
      log(`${input.name}: failed (${e instanceof Error ? e.message : String(e)})`)
    }
  }
  const d = durationTotal
  const figures = (t: StageTimes & { decodeMs: number }): Record<string, number | null> => ({
    decodeX: t.decodeMs > 0 ? (d * 1000) / t.decodeMs : null,
    frontEndX: (d * 1000) / t.frontEndMs,
    beatsX: (d * 1000) / t.beatsMs,
    beatTrackingX: (d * 1000) / (t.frontEndMs + t.beatsMs),
    featuresX: (d * 1000) / t.featuresMs,
    analysisX: (d * 1000) / t.analysisMs,
    totalWithDecodeX: (d * 1000) / (t.analysisMs + t.decodeMs)
  })
  const summary = { files: rows.length, audioSeconds: d, ...figures(wallTotal), cpu: figures(cpuTotal) }
  for (const [label, t] of [
    ['wall time', wallTotal],
    ['CPU time ', cpuTotal]
  ] as const) {
    log(
      `AGGREGATE (${label}) over ${summary.files} files (${d.toFixed(1)} s of audio): decode ${x(d, t.decodeMs)}, front end ${x(d, t.frontEndMs)}, beats ${x(d, t.beatsMs)} (beat tracking incl. front end ${x(d, t.frontEndMs + t.beatsMs)}), features ${x(d, t.featuresMs)}, whole analysis (decode excluded) ${x(d, t.analysisMs)}, whole pipeline incl. decode ${x(d, t.analysisMs + t.decodeMs)}`
    )
  }
  return { ...summary, perFile: rows }
}
