import { describe, expect, it } from 'vitest'
import {
  ABRUPT_BOUNDARY_COST,
  denseEpisodeReward,
  energyFlow,
  phraseCompleteness,
  tempoConsistency,
  transitionQuality
} from '../../../../src/main/engines/policy'
import { A, keepAll, withActions } from '../edits/helpers'
import { handSong } from './helpers'

describe('dense reward components', () => {
  it('phrase completeness: a cut from phrase start to phrase start beats one from mid-phrase', () => {
    const s = handSong({ beats: 64, phraseBars: 4 })
    // cutting [16, 32): the join is 15 -> 32, leaving at a phrase start (16) and landing on one (32)
    const onBoundary = phraseCompleteness(s, 15, 32)
    // cutting [18, 34): leaves at beat 18 and lands on beat 34, both mid-bar
    const midPhrase = phraseCompleteness(s, 17, 34)
    // cutting [20, 36): leaves and lands on downbeats inside phrases
    const onBars = phraseCompleteness(s, 19, 36)
    expect(onBoundary).toBe(1)
    expect(midPhrase).toBe(0)
    expect(onBars).toBe(0.5)
  })

  it('transition quality: a splice between similar beats beats one between dissimilar beats', () => {
    const s = handSong({ beats: 64, sectionAt: 32 })
    const similar = transitionQuality(s, 7, 16) // section A -> section A
    const dissimilar = transitionQuality(s, 7, 40) // section A -> section B
    expect(similar).toBeGreaterThan(0.9)
    expect(dissimilar).toBeLessThan(0.1)
  })

  it('tempo consistency: keeping the bar count and equal beat lengths score highest', () => {
    const s = handSong({ beats: 64, ibiS: (i) => (i < 32 ? 0.5 : 0.4) })
    const wholeBars = tempoConsistency(s, 3, 8) // 4..7 cut: bar position 3 -> 0, same beat length
    const shiftsDownbeat = tempoConsistency(s, 3, 7) // 4..6 cut: 3 -> 3 breaks the count
    const tempoChange = tempoConsistency(s, 3, 40) // bar count kept, but 0.5 s beats meet 0.4 s beats
    expect(wholeBars).toBeCloseTo(1, 6)
    expect(shiftsDownbeat).toBeCloseTo(0.5, 6)
    expect(tempoChange).toBeLessThan(wholeBars)
    expect(tempoChange).toBeGreaterThan(shiftsDownbeat)
  })

  it('energy flow: a loud-to-loud splice beats a loud-to-quiet one', () => {
    const s = handSong({ beats: 64, loudness: (i) => (i < 32 ? 2 : 0.1) })
    expect(energyFlow(s, 3, 8)).toBeCloseTo(1, 6)
    expect(energyFlow(s, 3, 40)).toBeLessThan(0.3)
  })
})

describe('denseEpisodeReward', () => {
  const s = handSong({ beats: 64, sectionAt: 32, loudness: (i) => (i < 48 ? 1 : 0.1) })

  it('the identity edit has no splices and earns 0', () => {
    const r = denseEpisodeReward(s, keepAll(64))
    expect(r.splices).toHaveLength(0)
    expect(r.total).toBe(0)
  })

  it('a good cut earns more than a bad one, credited to the first cut beat', () => {
    const goodCut = keepAll(64)
    for (let i = 16; i < 32; i++) goodCut[i] = A.CUT // a whole phrase, A -> B at a phrase start
    const badCut = keepAll(64)
    for (let i = 18; i < 50; i++) badCut[i] = A.CUT // mid-bar, across sections and loudness
    const good = denseEpisodeReward(s, goodCut)
    const bad = denseEpisodeReward(s, badCut)
    expect(good.splices).toHaveLength(1)
    expect(good.splices[0]!.beat).toBe(16)
    expect(good.perBeat[16]).toBeCloseTo(good.total, 12)
    expect(bad.splices[0]!.beat).toBe(18)
    expect(good.total).toBeGreaterThan(0)
    expect(bad.total).toBeLessThan(0)
  })

  it('is the mean splice quality: the same good splice twice earns no more than once', () => {
    const once = denseEpisodeReward(s, withActions(64, { 7: A.LOOP_BAR }))
    const twice = denseEpisodeReward(s, withActions(64, { 7: A.LOOP_BAR, 11: A.LOOP_BAR }))
    expect(once.total).toBeGreaterThan(0)
    expect(twice.splices).toHaveLength(2)
    expect(twice.total).toBeCloseTo(twice.splices[0]!.score + twice.splices[1]!.score - 1, 12)
    expect(Math.abs(twice.total - once.total)).toBeLessThan(0.05)
    expect(twice.total).toBeLessThanOrEqual(1)
  })

  it('LOOP_BAR and JUMP credit the acting beat', () => {
    const loopBar = denseEpisodeReward(s, withActions(64, { 7: A.LOOP_BAR }))
    expect(loopBar.splices.map((x) => x.beat)).toEqual([7])
    const jump = denseEpisodeReward(s, withActions(64, { 23: A.JUMP }))
    expect(jump.splices.map((x) => x.beat)).toEqual([23])
  })

  it('an early ending costs energy flow unless the last played beat fades out', () => {
    const abrupt = keepAll(64)
    for (let i = 40; i < 64; i++) abrupt[i] = A.CUT
    const faded = abrupt.slice()
    faded[39] = A.FADE_OUT
    const a = denseEpisodeReward(s, abrupt)
    const f = denseEpisodeReward(s, faded)
    expect(a.abruptEnd).toBe(true)
    expect(f.abruptEnd).toBe(false)
    expect(a.total).toBeCloseTo(-ABRUPT_BOUNDARY_COST, 12)
    expect(f.total).toBe(0)
  })
})
