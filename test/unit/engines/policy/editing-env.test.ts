import { describe, expect, it } from 'vitest'
import { FEATURE_DIM } from '../../../../src/shared/features'
import { ACTION_COUNT } from '../../../../src/shared/actions'
import { actionMask, buildEditDecisionList, validateActions } from '../../../../src/main/engines/edits'
import {
  CONTEXT,
  EditingEnv,
  OBSERVATION_DIM,
  checkObservationSizes,
  writeObservation
} from '../../../../src/main/engines/policy'
import { mulberry32 } from '../../../../src/shared/random'
import { A, failureOf, song } from '../edits/helpers'

describe('observation', () => {
  it('is 7 x 125 + 14 = 889 values, neighbours zero-padded at the edges', () => {
    expect(OBSERVATION_DIM).toBe(889)
    const { structure } = song({ beats: 32 })
    const env = new EditingEnv({ songId: 1, structure })
    const obs = new Float32Array(OBSERVATION_DIM).fill(NaN)
    env.writeObservation(obs)
    // beat 0: the 3 beats before it are padding, the current beat sits in the middle slot
    expect(obs.subarray(0, 3 * FEATURE_DIM).every((x) => x === 0)).toBe(true)
    expect(Array.from(obs.subarray(3 * FEATURE_DIM, 4 * FEATURE_DIM))).toEqual(
      Array.from(structure.features.subarray(0, FEATURE_DIM))
    )
    expect(obs.every(Number.isFinite)).toBe(true)
    expect(obs[CONTEXT.songPosition]).toBe(0)
  })

  it('a wrong observation or feature size stops with an error naming both sizes', () => {
    const obsErr = failureOf(() => checkObservationSizes({ observationDim: 4 }, 'policy X'))
    expect(obsErr.message).toContain('4-dim')
    expect(obsErr.message).toContain('889')
    const featErr = failureOf(() => checkObservationSizes({ featureDim: 4 }, 'the song'))
    expect(featErr.message).toMatch(/4 features.*125/)
    const { structure } = song({ beats: 16 })
    const bad = {
      beat: 0,
      beatCount: 16,
      barPosition: 0,
      beatsPerBar: 4,
      phraseOffset: 0,
      phraseLength: 16,
      outputSoFarS: 0,
      projectedS: 8,
      targetS: 8,
      recentActions: new Float32Array(ACTION_COUNT)
    }
    const e = failureOf(() => writeObservation(structure.features.subarray(0, 16 * 4), bad, new Float32Array(889)))
    expect(e.message).toMatch(/4 features per beat.*125/)
  })
})

describe('EditingEnv', () => {
  it('masks exactly as actionMask, and random masked episodes give valid edits', () => {
    const { structure } = song({ beats: 48 })
    const rnd = mulberry32(3)
    for (let ep = 0; ep < 5; ep++) {
      const env = new EditingEnv({ songId: 1, structure })
      const mask = new Uint8Array(ACTION_COUNT)
      while (!env.done) {
        env.writeMask(mask)
        expect(Array.from(mask)).toEqual(Array.from(actionMask(structure, env.actions.subarray(0, env.beat))))
        const allowed = [...mask.keys()].filter((a) => mask[a] === 1)
        env.step(allowed[Math.floor(rnd() * allowed.length)]!)
      }
      expect(() => validateActions(structure, env.actions)).not.toThrow()
      const dense = env.finish()
      expect(dense.perBeat).toHaveLength(48)
      expect(Number.isFinite(dense.total)).toBe(true)
    }
  })

  it('rejects an action the mask forbids, naming the beat', () => {
    const { structure } = song({ beats: 16 })
    const env = new EditingEnv({ songId: 1, structure })
    env.step(A.KEEP)
    expect(failureOf(() => env.step(A.REORDER)).field).toBe('actions[1]')
  })

  it('tracks the output length against the target', () => {
    const { structure } = song({ beats: 32 })
    const env = new EditingEnv({ songId: 1, structure }, { targetS: 8 })
    const acts = [A.KEEP, A.LOOP, A.CUT, A.LOOP_BAR]
    for (const a of acts) env.step(a)
    const obs = new Float32Array(OBSERVATION_DIM)
    env.writeObservation(obs)
    const prefixEdl = buildEditDecisionList(structure, [...acts, ...new Array<number>(28).fill(A.CUT)])
    // the first four beats' output (KEEP + 2 x LOOP + LOOP_BAR repeating the bar): 1 + 2 + 0 + 1 + 4 beats of 0.5 s
    expect(obs[CONTEXT.lengthVsTarget]! * 8).toBeCloseTo(4, 1)
    expect(prefixEdl.outputDurationS).toBeCloseTo(4, 1)
    // recent actions: the last one counts 1, the one before 0.5, ...
    expect(obs[CONTEXT.recentActions + A.LOOP_BAR]).toBe(1)
    expect(obs[CONTEXT.recentActions + A.CUT]).toBe(0.5)
  })
})
