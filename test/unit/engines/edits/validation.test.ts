import { describe, expect, it } from 'vitest'
import { actionMask, buildEditDecisionList, validateActions, ActionWalker } from '../../../../src/main/engines/edits'
import { mulberry32 } from '../../../../src/shared/random'
import { ACTION_COUNT } from '../../../../src/shared/actions'
import { A, failureOf, keepAll, song, withActions } from './helpers'

describe('malformed action arrays are rejected with an AppFailure naming the field', () => {
  const { structure } = song()
  const n = 64

  it('wrong length -> field "actions"', () => {
    for (const bad of [keepAll(63), keepAll(65), []]) {
      const f = failureOf(() => validateActions(structure, bad))
      expect(f.kind).toBe('validation')
      expect(f.field).toBe('actions')
      expect(f.message).toMatch(/64 beats/)
    }
    expect(failureOf(() => validateActions(structure, null as unknown as number[])).field).toBe('actions')
  })

  it('unknown action ids -> field "actions[i]"', () => {
    for (const bad of [9, -1, 1.5, Number.NaN, 255]) {
      const f = failureOf(() => validateActions(structure, withActions(n, { 17: bad })))
      expect(f.kind).toBe('validation')
      expect(f.field).toBe('actions[17]')
      expect(f.message).toMatch(/unknown action/)
    }
  })

  it('invalid uses -> field "actions[i]" with the reason', () => {
    const cases: [Record<number, number>, string, RegExp][] = [
      [{ 60: A.REORDER }, 'actions[60]', /last bar/],
      [{ 9: A.REORDER }, 'actions[9]', /downbeat/],
      [{ 8: A.REORDER, 12: A.REORDER }, 'actions[12]', /already swapped/],
      [{ 10: A.LOOP_BAR }, 'actions[10]', /last beat of a bar/],
      [{ 3: A.JUMP }, 'actions[3]', /earlier phrase/],
      [Object.fromEntries(Array.from({ length: n }, (_, i) => [i, A.CUT])), 'actions[63]', /empty/]
    ]
    for (const [set, field, why] of cases) {
      const f = failureOf(() => validateActions(structure, withActions(n, set)))
      expect(f.field).toBe(field)
      expect(f.message).toMatch(why)
      expect(failureOf(() => buildEditDecisionList(structure, withActions(n, set))).field).toBe(field)
    }
  })

  it('accepts typed arrays and every valid single action', () => {
    validateActions(structure, new Uint8Array(n))
    for (const [i, a] of [
      [5, A.CUT],
      [5, A.LOOP],
      [5, A.CROSSFADE],
      [8, A.REORDER],
      [11, A.LOOP_BAR],
      [5, A.FADE_IN],
      [5, A.FADE_OUT],
      [43, A.JUMP]
    ] as const)
      expect(() => validateActions(structure, withActions(n, { [i]: a }))).not.toThrow()
  })

  it('rejects malformed structures: no beats is unsupported, inconsistent arrays name the field', () => {
    const s = song({ beats: 8 }).structure
    expect(
      failureOf(() =>
        validateActions(
          { ...s, beatTimes: [], barPosition: [], barIndex: [], phraseStart: [], features: new Float32Array(0) },
          []
        )
      ).kind
    ).toBe('unsupported')
    expect(failureOf(() => validateActions({ ...s, barIndex: [0, 0] }, keepAll(8))).field).toBe('barIndex')
    expect(failureOf(() => validateActions({ ...s, features: new Float32Array(10) }, keepAll(8))).field).toBe(
      'features'
    )
    expect(failureOf(() => validateActions({ ...s, beatTimes: [0, 1, 0.5, 2, 3, 4, 5, 6] }, keepAll(8))).field).toBe(
      'beatTimes[2]'
    )
    expect(
      failureOf(() => validateActions({ ...s, beatTimes: [0, 0.5, 1, 1.5, 2, 2.5, 3, 99] }, keepAll(8))).field
    ).toBe('beatTimes[7]')
  })
})

describe('actionMask', () => {
  const { structure } = song()
  const n = 64

  it('KEEP is always allowed; structural rules show in the mask', () => {
    const m0 = actionMask(structure, [])
    expect(m0).toHaveLength(ACTION_COUNT)
    expect(Array.from(m0)).toEqual([1, 1, 1, 1, 1, 0, 1, 1, 0]) // beat 0: downbeat (REORDER ok), not a bar end, no earlier phrase
    expect(actionMask(structure, keepAll(3))[A.LOOP_BAR]).toBe(1)
    expect(actionMask(structure, keepAll(3))[A.REORDER]).toBe(0)
    expect(actionMask(structure, keepAll(43))[A.JUMP]).toBe(1)
    expect(actionMask(structure, keepAll(60))[A.REORDER]).toBe(0)
    expect(actionMask(structure, withActions(12, { 8: A.REORDER }))[A.REORDER]).toBe(0)
    expect(actionMask(structure, new Array<number>(63).fill(A.CUT))[A.CUT]).toBe(0)
  })

  it('rejects an invalid prefix (naming prefix[i]) and a prefix with no next beat', () => {
    expect(failureOf(() => actionMask(structure, [0, 0, 9])).field).toBe('prefix[2]')
    expect(failureOf(() => actionMask(structure, [A.LOOP_BAR])).field).toBe('prefix[0]')
    expect(failureOf(() => actionMask(structure, keepAll(n))).field).toBe('prefix')
  })

  it('agrees with validateActions: sequences sampled from the mask validate, masked choices are rejected', () => {
    for (const structureCase of [structure, song({ beats: 63, pickupBeats: 3 }).structure]) {
      const len = structureCase.beatTimes.length
      for (let seed = 1; seed <= 20; seed++) {
        const rng = mulberry32(seed)
        const prefix: number[] = []
        const walker = new ActionWalker(structureCase)
        while (prefix.length < len) {
          const mask = actionMask(structureCase, prefix)
          expect(Array.from(walker.mask())).toEqual(Array.from(mask))
          expect(mask[A.KEEP]).toBe(1)
          const banned = [...mask.keys()].filter((a) => mask[a] === 0)
          if (banned.length > 0 && rng() < 0.2) {
            const bad = banned[Math.floor(rng() * banned.length)] as number
            const attempt = [...prefix, bad, ...keepAll(len - prefix.length - 1)]
            expect(failureOf(() => validateActions(structureCase, attempt)).field).toBe(`actions[${prefix.length}]`)
          }
          const allowed = [...mask.keys()].filter((a) => mask[a] === 1)
          const a = allowed[Math.floor(rng() * allowed.length)] as number
          prefix.push(a)
          walker.push(a)
        }
        expect(() => validateActions(structureCase, prefix)).not.toThrow()
        expect(buildEditDecisionList(structureCase, prefix).outputSamples).toBeGreaterThan(0)
      }
    }
  })
})
