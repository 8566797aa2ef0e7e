import { describe, expect, it } from 'vitest'
import { buildEditDecisionList, generateActions } from '../../../../src/main/engines/edits'
import { outputDurationOf, outputToSource, sourceToOutput, sourceToOutputAll } from '../../../../src/shared/timemap'
import { A, song, withActions } from './helpers'

describe('time map', () => {
  const { structure } = song({ leadInS: 0.25, tailS: 0.7, jitter: 0.03 })
  const edits = [
    withActions(64, { 10: A.CUT, 11: A.CUT, 20: A.LOOP, 27: A.LOOP_BAR, 32: A.REORDER, 43: A.JUMP }),
    generateActions(structure, 'rule', { targetDurationS: 20 }),
    generateActions(structure, 'rule', { targetDurationS: 50 }),
    generateActions(structure, 'random', { seed: 11 }),
    generateActions(structure, 'random', { seed: 12, targetDurationS: 25 })
  ]

  it('output -> source -> output round-trips wherever the output plays a source time for the first time', () => {
    for (const actions of edits) {
      const edl = buildEditDecisionList(structure, actions)
      const segs = edl.segments
      expect(Math.abs(outputDurationOf(segs) - edl.outputDurationS)).toBeLessThan(1 / structure.sampleRate)
      let checked = 0
      for (let t = 0; t < edl.outputDurationS; t += 0.0371) {
        const pos = outputToSource(segs, t)
        const seg = segs[pos.segmentIndex]!
        expect(pos.beat).toBe(seg.beat)
        expect(pos.srcS).toBeGreaterThanOrEqual(seg.srcStart)
        expect(pos.srcS).toBeLessThanOrEqual(seg.srcEnd)
        const first = sourceToOutput(segs, pos.srcS)
        expect(first).not.toBeNull()
        expect(first!).toBeLessThanOrEqual(t + 1e-9)
        expect(sourceToOutputAll(segs, pos.srcS).some((x) => Math.abs(x - t) < 1e-9)).toBe(true)
        if (Math.abs(first! - t) < 1e-9) checked++
      }
      expect(checked).toBeGreaterThan(100)
    }
  })

  it('source -> output -> source round-trips for every source time the edit contains, and is null for cut time', () => {
    for (const actions of edits) {
      const segs = buildEditDecisionList(structure, actions).segments
      for (let s = 0; s < structure.durationS; s += 0.0413) {
        const out = sourceToOutput(segs, s)
        const contained = segs.some((g) => g.srcStart <= s && s < g.srcEnd)
        if (!contained) {
          expect(out).toBeNull()
          continue
        }
        expect(outputToSource(segs, out!).srcS).toBeCloseTo(s, 9)
      }
    }
  })

  it('loops and repeats map one source time to several output times, in order', () => {
    const segs = buildEditDecisionList(structure, withActions(64, { 20: A.LOOP })).segments
    const src = (structure.beatTimes[20] as number) + 0.1
    const all = sourceToOutputAll(segs, src)
    expect(all).toHaveLength(2)
    expect(all[1]! - all[0]!).toBeCloseTo((structure.beatTimes[21] as number) - (structure.beatTimes[20] as number), 4)
    expect(sourceToOutput(segs, src)).toBe(all[0])
  })

  it('clamps out-of-range output times and handles empty segment lists', () => {
    const segs = buildEditDecisionList(structure, edits[0]!).segments
    expect(outputToSource(segs, -5)).toEqual({ srcS: 0, segmentIndex: 0, beat: 0 })
    const end = outputToSource(segs, 1e9)
    expect(end.segmentIndex).toBe(segs.length - 1)
    expect(end.srcS).toBe(segs[segs.length - 1]!.srcEnd)
    expect(outputToSource([], 3)).toEqual({ srcS: 0, segmentIndex: -1, beat: -1 })
    expect(sourceToOutput([], 3)).toBeNull()
    expect(sourceToOutput(segs, Number.NaN)).toBeNull()
    expect(sourceToOutput(segs, structure.durationS)).toBeCloseTo(outputDurationOf(segs), 9)
  })
})
