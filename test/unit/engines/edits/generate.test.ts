import { describe, expect, it } from 'vitest'
import {
  buildEditDecisionList,
  generateActions,
  retargetToDuration,
  validateActions,
  RULE_DEFAULT_FRACTION
} from '../../../../src/main/engines/edits'
import { A, failureOf, keepAll, song } from './helpers'

describe('generators', () => {
  const { structure } = song({ beats: 128, jitter: 0.03 })
  const n = 128
  const ibis = Array.from(
    { length: n - 1 },
    (_, i) => (structure.beatTimes[i + 1] as number) - (structure.beatTimes[i] as number)
  ).sort((a, b) => a - b)
  const oneBeat = ibis[Math.floor(ibis.length / 2)] as number
  const full = buildEditDecisionList(structure, keepAll(n)).outputDurationS

  it('identity is all KEEP and refuses a target', () => {
    expect(generateActions(structure, 'identity', {})).toEqual(keepAll(n))
    expect(failureOf(() => generateActions(structure, 'identity', { targetDurationS: 30 })).field).toBe(
      'targetDurationS'
    )
  })

  it('rule and random land within one beat of the target, from 0.2x to 2x the song', () => {
    for (const f of [0.2, 0.35, 0.5, 0.62, 0.75, 0.9, 1.0, 1.1, 1.3, 1.6, 2.0]) {
      const target = full * f
      for (const [g, seed] of [
        ['rule', 0],
        ['random', 1],
        ['random', 2],
        ['random', 3]
      ] as const) {
        const actions = generateActions(structure, g, { targetDurationS: target, seed })
        validateActions(structure, actions)
        const d = buildEditDecisionList(structure, actions).outputDurationS
        expect(
          Math.abs(d - target),
          `${g} seed ${seed} target ${target.toFixed(2)} got ${d.toFixed(2)}`
        ).toBeLessThanOrEqual(oneBeat + 1e-9)
      }
    }
  })

  it('rule without a target makes a radio edit at 75 % of the song, cutting whole phrases', () => {
    const actions = generateActions(structure, 'rule', {})
    const d = buildEditDecisionList(structure, actions).outputDurationS
    expect(Math.abs(d - RULE_DEFAULT_FRACTION * full)).toBeLessThanOrEqual(oneBeat)
    expect(actions.some((a) => a === A.CUT)).toBe(true)
  })

  it('rule shortening cuts on phrase boundaries and lengthening jumps back to similar material', () => {
    const short = generateActions(structure, 'rule', { targetDurationS: full - 16 * 0.5 })
    const cuts = short.flatMap((a, i) => (a === A.CUT ? [i] : []))
    expect(cuts.length).toBe(16)
    expect((cuts[0] as number) % 16).toBe(0)
    const long = generateActions(structure, 'rule', { targetDurationS: full + 32 * 0.5 })
    expect(long.some((a) => a === A.JUMP || a === A.LOOP_BAR)).toBe(true)
  })

  it('generators are deterministic for a seed, and seeds differ', () => {
    for (const opts of [{ seed: 5 }, { seed: 5, targetDurationS: 40 }]) {
      expect(generateActions(structure, 'random', opts)).toEqual(generateActions(structure, 'random', opts))
      expect(generateActions(structure, 'rule', opts)).toEqual(
        generateActions(song({ beats: 128, jitter: 0.03 }).structure, 'rule', opts)
      )
    }
    const distinct = new Set([1, 2, 3, 4, 5, 6].map((seed) => generateActions(structure, 'random', { seed }).join(',')))
    expect(distinct.size).toBe(6)
  })

  it('random edits follow the musical constraints: valid, not identity, bar-aligned cuts', () => {
    for (let seed = 1; seed <= 15; seed++) {
      const actions = generateActions(structure, 'random', { seed })
      validateActions(structure, actions)
      expect(actions.some((a) => a !== A.KEEP)).toBe(true)
      // Cut runs in the middle start on a downbeat and cover whole bars.
      let i = 1
      while (i < n) {
        if (actions[i] === A.CUT && actions[i - 1] !== A.CUT) {
          let j = i
          while (j < n && actions[j] === A.CUT) j++
          if (j < n && i > 0) {
            expect(i % 4, `seed ${seed} run ${i}..${j}`).toBe(0)
            expect((j - i) % 4).toBe(0)
          }
          i = j
        } else i++
      }
    }
  })

  it('works on odd beat counts and short songs', () => {
    for (const beats of [7, 13, 33, 63]) {
      const s = song({ beats, pickupBeats: beats % 4 === 1 ? 1 : 0 }).structure
      const full2 = buildEditDecisionList(s, keepAll(beats)).outputDurationS
      for (const f of [0.5, 0.8, 1.4]) {
        for (const g of ['rule', 'random'] as const) {
          const a = generateActions(s, g, { targetDurationS: full2 * f, seed: beats })
          expect(Math.abs(buildEditDecisionList(s, a).outputDurationS - full2 * f)).toBeLessThanOrEqual(0.5 + 1e-9)
        }
      }
    }
  })

  it('impossible or malformed targets are rejected with field targetDurationS', () => {
    expect(failureOf(() => generateActions(structure, 'rule', { targetDurationS: full * 1000 })).field).toBe(
      'targetDurationS'
    )
    expect(failureOf(() => generateActions(structure, 'rule', { targetDurationS: -3 })).field).toBe('targetDurationS')
    expect(failureOf(() => generateActions(structure, 'random', { targetDurationS: Number.NaN })).field).toBe(
      'targetDurationS'
    )
    expect(failureOf(() => retargetToDuration(structure, keepAll(n), 0)).field).toBe('targetDurationS')
  })

  it('retargetToDuration keeps the creative actions of the input and only changes KEEP beats', () => {
    const base = keepAll(n)
    base[8] = A.REORDER
    base[35] = A.LOOP
    base[50] = A.FADE_OUT
    base[51] = A.FADE_IN
    const out = retargetToDuration(structure, base, full * 0.6)
    // REORDER swaps are untouched; other creative beats are kept or cut, never turned into something else.
    for (let i = 8; i < 16; i++) expect(out[i]).toBe(base[i])
    for (const i of [35, 50, 51]) expect([base[i], A.CUT]).toContain(out[i])
    for (let i = 0; i < n; i++) if (base[i] !== A.KEEP) expect([base[i], A.CUT]).toContain(out[i])
  })
})
