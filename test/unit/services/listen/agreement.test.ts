import { describe, expect, it } from 'vitest'
import { krippendorffAlpha } from '../../../../src/main/services/listen/agreement'

// Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011), example C: four observers, twelve
// units, values 1..5, missing values (null). Unit 12 has one value only and is not pairable.
const EXAMPLE_C: (number | null)[][] = [
  [1, 2, 3, 3, 2, 1, 4, 1, 2, null, null, null],
  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, null, 3],
  [null, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, null],
  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, null]
]
const byUnit = (observers: (number | null)[][]): number[][] =>
  (observers[0] as (number | null)[]).map((_, u) =>
    observers.map((o) => o[u]).filter((v): v is number => v !== null && v !== undefined)
  )

describe("Krippendorff's alpha", () => {
  it("matches the paper's worked example with missing values: nominal 0.743, ordinal 0.815, interval 0.849", () => {
    const units = byUnit(EXAMPLE_C)
    expect(krippendorffAlpha(units, 'nominal')).toBeCloseTo(0.743, 3)
    expect(krippendorffAlpha(units, 'ordinal')).toBeCloseTo(0.815, 3)
    expect(krippendorffAlpha(units, 'interval')).toBeCloseTo(0.849, 3)
  })

  it("matches the paper's two-observer binary example (alpha 0.095)", () => {
    const a = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    const b = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    expect(krippendorffAlpha(byUnit([a, b]), 'nominal')).toBeCloseTo(0.095, 3)
  })

  it('is 1 for perfect agreement, negative for systematic disagreement, null without pairable variation', () => {
    expect(
      krippendorffAlpha(
        [
          [1, 1],
          [2, 2],
          [3, 3]
        ],
        'ordinal'
      )
    ).toBe(1)
    // Hand-computed: units {1,2},{2,1}: o12 = o21 = 2, n1 = n2 = 2, n = 4; D_o = 4, sum nc*nd = 8 -> 1 - 3*4/8.
    expect(
      krippendorffAlpha(
        [
          [1, 2],
          [2, 1]
        ],
        'nominal'
      )
    ).toBeCloseTo(-0.5, 12)
    expect(
      krippendorffAlpha(
        [
          [2, 2],
          [2, 2]
        ],
        'nominal'
      )
    ).toBeNull()
    expect(krippendorffAlpha([[1], [2]], 'nominal')).toBeNull()
    expect(krippendorffAlpha([], 'interval')).toBeNull()
  })

  it('ignores units with a single value and does not depend on the order of values within a unit', () => {
    const units = byUnit(EXAMPLE_C)
    const shuffled = units.map((u) => [...u].reverse())
    expect(krippendorffAlpha([...shuffled, [4]], 'ordinal')).toBeCloseTo(krippendorffAlpha(units, 'ordinal')!, 12)
  })
})
