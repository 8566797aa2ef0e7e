/**
 * The A/B player: every sound the app makes goes through here, on Tone.js's one AudioContext.
 *
 * Each start, seek or switch creates a "voice" (a ToneBufferSource into its own Gain). Changing voice
 * never stops playback: the new voice fades in with sin(πt/2) while the old one fades out with
 * cos(πt/2) over the configured crossfade, an equal-power crossfade (the summed power stays 1).
 * Position and listened time are computed from the audio clock, not from timers.
 */
import * as Tone from 'tone'

import { voicePosition, type Loop } from './voice-position'

/** The two edits being compared, and 'r', the original song as the reference. */
export type Side = 'a' | 'b' | 'r'
const SIDES: readonly Side[] = ['a', 'b', 'r']

export type { Loop }

interface Voice {
  side: Side
  source: Tone.ToneBufferSource
  gain: Tone.Gain
  /** Audio-clock time the voice starts sounding. */
  startAt: number
  /** Buffer offset at startAt. */
  offset: number
  loop: Loop | null
}

const CURVE_POINTS = 33
const fadeInCurve = Array.from({ length: CURVE_POINTS }, (_, i) => Math.sin((Math.PI / 2) * (i / (CURVE_POINTS - 1))))
const fadeOutCurve = Array.from({ length: CURVE_POINTS }, (_, i) => Math.cos((Math.PI / 2) * (i / (CURVE_POINTS - 1))))
/** Scheduling margin so a voice's first sample and its fade start together. */
const START_MARGIN_S = 0.005
/** Fade used for play/pause and seeks within one side (a click-free stop or start). */
const EDGE_FADE_S = 0.005

/** Fetches and decodes one audio file on the shared context. */
export async function decodeAudio(url: string, signal?: AbortSignal): Promise<AudioBuffer> {
  const res = await fetch(url, signal ? { signal } : {})
  if (!res.ok) throw new Error(`could not load audio (${res.status} ${res.statusText}): ${url}`)
  const bytes = await res.arrayBuffer()
  return await Tone.getContext().decodeAudioData(bytes)
}

export type PlayerListener = () => void

export class AbPlayer {
  private readonly buffers: Partial<Record<Side, Tone.ToneAudioBuffer>> = {}
  private out: Tone.Gain | null = null
  /** One level per side (loudness matching) between the voices and the master volume. */
  private readonly sideOut: Partial<Record<Side, Tone.Gain>> = {}
  private levels: Record<Side, number> = { a: 1, b: 1, r: 1 }
  private volume = 1
  private voice: Voice | null = null
  private readonly fading = new Set<Voice>()
  private current: Side = 'a'
  /** Paused position of the current side. */
  private pausedAt = 0
  private loopRegion: Loop | null = null
  private listened: Record<Side, number> = { a: 0, b: 0, r: 0 }
  private accountedAt = 0
  private switchCount = 0
  private ended = false
  private timer: ReturnType<typeof setInterval> | null = null
  private readonly listeners = new Set<PlayerListener>()
  crossfadeS: number

  constructor(opts: { crossfadeMs: number }) {
    this.crossfadeS = Math.max(0, opts.crossfadeMs) / 1000
  }

  /** The player's output node, created on first use (and again after dispose). */
  private get output(): Tone.Gain {
    if (!this.out) this.out = new Tone.Gain(this.volume).toDestination()
    return this.out
  }

  private sideOutput(side: Side): Tone.Gain {
    let g = this.sideOut[side]
    if (!g) {
      g = new Tone.Gain(this.levels[side]).connect(this.output)
      this.sideOut[side] = g
    }
    return g
  }

  /** Linear gain per side (1 = as rendered); changes apply at once, also to a sounding voice. */
  setLevels(levels: Partial<Record<Side, number>>): void {
    this.levels = { ...this.levels, ...levels }
    for (const s of SIDES) this.sideOut[s]?.gain.rampTo(this.levels[s], 0.02)
  }

  /** Master volume, 0..1. */
  setVolume(volume: number): void {
    this.volume = Math.min(1, Math.max(0, volume))
    this.out?.gain.rampTo(this.volume, 0.02)
  }

  setCrossfadeMs(ms: number): void {
    this.crossfadeS = Math.max(0, ms) / 1000
  }

  private get now(): number {
    return Tone.getContext().currentTime
  }

  /** Loads the decoded sides (one side only for single-edit playback). Stops playback and resets counters. */
  load(sides: Partial<Record<Side, AudioBuffer>>): void {
    this.stopAll()
    for (const s of SIDES) {
      this.buffers[s]?.dispose()
      const b = sides[s]
      if (b) this.buffers[s] = new Tone.ToneAudioBuffer(b)
      else delete this.buffers[s]
    }
    this.current = 'a'
    this.pausedAt = 0
    this.loopRegion = null
    this.listened = { a: 0, b: 0, r: 0 }
    this.switchCount = 0
    this.ended = false
    this.emit()
  }

  duration(side: Side = this.current): number {
    return this.buffers[side]?.duration ?? 0
  }

  get side(): Side {
    return this.current
  }

  get playing(): boolean {
    return this.voice !== null
  }

  get loop(): Loop | null {
    return this.loopRegion
  }

  get switches(): number {
    return this.switchCount
  }

  /** True when the current side played to its end (not looping). */
  get atEnd(): boolean {
    return this.ended
  }

  /** Output position of the current side, seconds. */
  position(): number {
    const v = this.voice
    if (!v) return this.pausedAt
    return Math.min(this.duration(v.side), voicePosition(v.offset, this.now - v.startAt, v.loop))
  }

  /** Milliseconds each side has actually sounded (up to now). */
  listenedMs(): Record<Side, number> {
    const live = { ...this.listened }
    if (this.voice)
      live[this.voice.side] += Math.max(0, this.now - Math.max(this.accountedAt, this.voice.startAt)) * 1000
    return live
  }

  subscribe(l: PlayerListener): () => void {
    this.listeners.add(l)
    return () => this.listeners.delete(l)
  }

  private emit(): void {
    for (const l of this.listeners) l()
  }

  /** Starts (or resumes) the current side at its position. Must follow a user gesture the first time. */
  async play(): Promise<void> {
    if (!this.buffers[this.current] || this.voice) return
    await Tone.start()
    if (this.voice) return
    let from = this.pausedAt
    if (this.ended || from >= this.duration() - 0.01) from = this.loopRegion?.startS ?? 0
    this.ended = false
    this.startVoice(this.current, from, EDGE_FADE_S)
    this.ensureTimer()
    this.emit()
  }

  pause(): void {
    if (!this.voice) return
    this.account()
    this.pausedAt = this.position()
    this.fadeOut(this.voice, this.now + START_MARGIN_S, EDGE_FADE_S)
    this.voice = null
    this.emit()
  }

  async toggle(): Promise<void> {
    if (this.voice) this.pause()
    else await this.play()
  }

  /** Moves the playhead of the current side (crossfading when playing). */
  seek(outS: number): void {
    this.moveTo(this.current, outS, false)
  }

  /**
   * Switches to `side` at output time `outS` of that side. While playing, the two edits crossfade
   * (equal power, `crossfadeS`) and playback never stops; while paused only the position moves.
   */
  switchTo(side: Side, outS: number, loop?: Loop | null): void {
    if (!this.buffers[side]) return
    // The telemetry counts comparisons: A<->B switches, not visits to the reference.
    if (side !== this.current && side !== 'r' && this.current !== 'r') this.switchCount++
    if (loop !== undefined) this.loopRegion = loop
    this.moveTo(side, outS, side !== this.current)
  }

  /** Sets or clears the loop (output times of the current side). Playback continues. */
  setLoop(loop: Loop | null): void {
    this.loopRegion = loop
    if (this.voice) {
      const pos = this.position()
      const inside = loop ? pos >= loop.startS && pos < loop.endS : true
      this.moveTo(this.current, inside ? pos : (loop as Loop).startS, false)
    } else {
      if (loop && (this.pausedAt < loop.startS || this.pausedAt >= loop.endS)) this.pausedAt = loop.startS
      this.emit()
    }
  }

  private moveTo(side: Side, outS: number, isSwitch: boolean): void {
    const dur = this.duration(side)
    let target = Math.min(Math.max(0, outS), Math.max(0, dur - 0.001))
    const loop = this.loopRegion
    if (loop && (target < loop.startS || target >= loop.endS)) target = loop.startS
    if (this.voice) {
      this.account()
      const old = this.voice
      const fade = isSwitch ? this.crossfadeS : EDGE_FADE_S
      const at = this.now + START_MARGIN_S
      this.current = side
      this.voice = null
      this.startVoice(side, target, fade, at)
      this.fadeOut(old, at, fade)
    } else {
      this.current = side
      this.pausedAt = target
    }
    this.ended = false
    this.emit()
  }

  private startVoice(side: Side, offset: number, fadeS: number, at = this.now + START_MARGIN_S): void {
    const buffer = this.buffers[side] as Tone.ToneAudioBuffer
    const gain = new Tone.Gain(fadeS > 0 ? 0 : 1).connect(this.sideOutput(side))
    const source = new Tone.ToneBufferSource(buffer).connect(gain)
    const loop = this.loopRegion
    if (loop) {
      source.loop = true
      source.loopStart = loop.startS
      source.loopEnd = loop.endS
    }
    source.start(at, offset)
    if (fadeS > 0) gain.gain.setValueCurveAtTime(fadeInCurve, at, fadeS)
    this.voice = { side, source, gain, startAt: at, offset, loop }
    this.accountedAt = at
  }

  private fadeOut(v: Voice, at: number, fadeS: number): void {
    this.fading.add(v)
    const g = v.gain.gain
    g.cancelScheduledValues(at)
    if (fadeS > 0) g.setValueCurveAtTime(fadeOutCurve, at, fadeS)
    else g.setValueAtTime(0, at)
    const stopAt = at + fadeS + 0.01
    v.source.stop(stopAt)
    setTimeout(() => this.disposeVoice(v), Math.ceil((stopAt - this.now) * 1000) + 100)
  }

  private disposeVoice(v: Voice): void {
    if (!this.fading.delete(v)) return
    v.source.dispose()
    v.gain.dispose()
  }

  /** Credits the time since the last accounting to the side that was sounding. */
  private account(): void {
    const v = this.voice
    const now = this.now
    if (v) this.listened[v.side] += Math.max(0, now - Math.max(this.accountedAt, v.startAt)) * 1000
    this.accountedAt = Math.max(now, this.accountedAt)
  }

  private ensureTimer(): void {
    if (this.timer !== null) return
    this.timer = setInterval(() => this.tick(), 50)
  }

  /** Detects the end of a non-looping side. */
  private tick(): void {
    const v = this.voice
    if (!v) {
      if (this.timer !== null) clearInterval(this.timer)
      this.timer = null
      return
    }
    if (!v.loop && this.now - v.startAt + v.offset >= this.duration(v.side)) {
      // Credit exactly the audio that played, not the timer's overshoot.
      this.listened[v.side] +=
        Math.max(0, v.startAt + (this.duration(v.side) - v.offset) - Math.max(this.accountedAt, v.startAt)) * 1000
      this.accountedAt = this.now
      this.pausedAt = this.duration(v.side)
      this.fading.add(v)
      this.voice = null
      this.ended = true
      setTimeout(() => this.disposeVoice(v), 200)
      this.emit()
    }
  }

  private stopAll(): void {
    if (this.voice) {
      this.account()
      this.pausedAt = this.position()
      this.fadeOut(this.voice, this.now + START_MARGIN_S, EDGE_FADE_S)
      this.voice = null
    }
  }

  /** Stops playback (keeps the buffers and counters). */
  stop(): void {
    this.stopAll()
    this.emit()
  }

  /**
   * Stops playback and releases every audio node and buffer. The player stays usable: a later load
   * starts afresh (React may unmount and remount a component that owns one).
   */
  dispose(): void {
    this.stopAll()
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    for (const v of [...this.fading]) this.disposeVoice(v)
    for (const s of SIDES) {
      this.buffers[s]?.dispose()
      delete this.buffers[s]
      this.sideOut[s]?.dispose()
      delete this.sideOut[s]
    }
    this.out?.dispose()
    this.out = null
    this.pausedAt = 0
    this.loopRegion = null
    this.listened = { a: 0, b: 0, r: 0 }
    this.switchCount = 0
    this.ended = false
  }
}
