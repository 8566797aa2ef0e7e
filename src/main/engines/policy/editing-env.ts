/**
 * The editing environment: one episode walks one analysed song's beats; at each beat the policy picks
 * one of the 9 actions under the mask of docs/actions.md (the engine's ActionWalker, the same rules
 * every stored edit is validated with). The dense reward is scored once the edit is complete
 * (dense-reward.ts) and attributed to the beats whose actions made each splice.
 */
import { ACTION_COUNT, ACTION_ID } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { ActionWalker } from '../edits'
import { jumpTarget, type Prepared } from '../edits/prepared-song'
import type { SongStructure } from '../edits/types'
import { denseEpisodeReward, type DenseEpisode } from './dense-reward'
import { RECENT_ACTION_DECAY, writeObservation, type ObservationContext } from './observation'

const { CUT, LOOP, LOOP_BAR, JUMP } = ACTION_ID

export interface EpisodeSong {
  songId: number
  structure: SongStructure
}

export class EditingEnv {
  readonly song: EpisodeSong
  readonly p: Prepared
  readonly actions: Int32Array
  /** Duration the edit aims at (the song's own length when none is set). */
  readonly targetS: number
  private readonly walker: ActionWalker
  /** spanSum[i] = total musical length of beats 0..i-1. */
  private readonly spanSum: Float64Array
  private readonly recent = new Float32Array(ACTION_COUNT)
  private outputS = 0

  constructor(song: EpisodeSong, opts: { targetS?: number } = {}) {
    this.song = song
    this.walker = new ActionWalker(song.structure)
    this.p = this.walker.p
    this.actions = new Int32Array(this.p.n)
    this.spanSum = new Float64Array(this.p.n + 1)
    for (let i = 0; i < this.p.n; i++)
      this.spanSum[i + 1] = (this.spanSum[i] as number) + (this.p.end[i] as number) - (this.p.start[i] as number)
    const full = this.spanSum[this.p.n] as number
    if (opts.targetS !== undefined && !(opts.targetS > 0))
      throw new AppFailure('validation', `target duration must be positive, got ${opts.targetS}`, 'targetDurationS')
    this.targetS = opts.targetS ?? full
  }

  get beat(): number {
    return this.walker.index
  }

  get done(): boolean {
    return this.walker.index >= this.p.n
  }

  get beatCount(): number {
    return this.p.n
  }

  /** Writes the 9-entry mask of the current beat into `out` at `offset` (1 = allowed). */
  writeMask(out: Uint8Array, offset = 0): void {
    out.set(this.walker.mask(), offset)
  }

  /** Writes the current beat's observation (OBSERVATION_DIM values) into `out` at `offset`. */
  writeObservation(out: Float32Array, offset = 0): void {
    const p = this.p
    const i = Math.min(this.beat, p.n - 1)
    const phraseFirst = p.phraseFirst[i] as number
    let phraseEnd = i + 1
    while (phraseEnd < p.n && p.phraseFirst[phraseEnd] === phraseFirst) phraseEnd++
    const ctx: ObservationContext = {
      beat: i,
      beatCount: p.n,
      barPosition: p.barPosition[i] as number,
      beatsPerBar: p.beatsPerBar,
      phraseOffset: i - phraseFirst,
      phraseLength: phraseEnd - phraseFirst,
      outputSoFarS: this.outputS,
      projectedS: this.outputS + (this.spanSum[p.n] as number) - (this.spanSum[i] as number),
      targetS: this.targetS,
      recentActions: this.recent
    }
    writeObservation(p.s.features, ctx, out, offset)
  }

  /** Applies the action at the current beat (it must be allowed by the mask). */
  step(action: number): void {
    const i = this.beat
    this.walker.push(action)
    this.actions[i] = action
    this.outputS += this.outputOf(i, action)
    for (let a = 0; a < ACTION_COUNT; a++) this.recent[a] = (this.recent[a] as number) * RECENT_ACTION_DECAY
    this.recent[action] = (this.recent[action] as number) + 1
  }

  /** Output seconds that `action` at beat i adds (fades and splice overlaps ignored). */
  private outputOf(i: number, action: number): number {
    const span = (this.spanSum[i + 1] as number) - (this.spanSum[i] as number)
    switch (action) {
      case CUT:
        return 0
      case LOOP:
        return 2 * span
      case LOOP_BAR: {
        const bar = this.p.bars[this.p.barOf[i] as number]!
        return span + (this.spanSum[bar.first + bar.length] as number) - (this.spanSum[bar.first] as number)
      }
      case JUMP: {
        const j = jumpTarget(this.p, i)
        return span + (this.spanSum[i + 1] as number) - (this.spanSum[j + 1] as number)
      }
      default:
        return span
    }
  }

  /** The dense reward of the finished edit (the episode must be done). */
  finish(): DenseEpisode {
    if (!this.done) throw new AppFailure('internal', `episode finished at beat ${this.beat} of ${this.p.n}`, 'beat')
    return denseEpisodeReward(this.song.structure, this.actions)
  }
}
