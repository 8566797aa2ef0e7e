/**
 * Krippendorff's alpha, the inter-annotator agreement Argilla reports: 1 is perfect agreement, 0 is what
 * chance gives, below 0 is systematic disagreement. Any number of annotators, missing values allowed.
 * Follows K. Krippendorff, "Computing Krippendorff's Alpha-Reliability" (2011): a coincidence matrix over
 * pairable values, then alpha = 1 - D_observed / D_expected with the metric's squared difference.
 */

export type AlphaMetric = 'nominal' | 'ordinal' | 'interval'

/**
 * `units` holds, per unit (one pair judged by several annotators), the values its annotators gave
 * (missing ones left out). Units with fewer than two values are not pairable and are ignored. Null when
 * nothing is pairable or the values show no variation at all (alpha is undefined then).
 */
export function krippendorffAlpha(units: readonly (readonly number[])[], metric: AlphaMetric): number | null {
  const pairable = units.filter((u) => u.length >= 2)
  const categories = [...new Set(pairable.flat())].sort((a, b) => a - b)
  const k = categories.length
  if (k === 0) return null
  const index = new Map(categories.map((c, i) => [c, i]))

  // Coincidences: each ordered pair of values from different annotators in a unit, weighted 1 / (m_u - 1).
  const o = Array.from({ length: k }, () => new Float64Array(k))
  for (const unit of pairable) {
    const w = 1 / (unit.length - 1)
    for (let i = 0; i < unit.length; i++)
      for (let j = 0; j < unit.length; j++) {
        if (i === j) continue
        const row = o[index.get(unit[i] as number) as number] as Float64Array
        row[index.get(unit[j] as number) as number] += w
      }
  }
  const nc = o.map((row) => row.reduce((s, x) => s + x, 0))
  const n = nc.reduce((s, x) => s + x, 0)
  const delta2 = squaredDifference(metric, categories, nc)

  let observed = 0
  let expected = 0
  for (let c = 0; c < k; c++)
    for (let d = 0; d < k; d++) {
      const dd = delta2(c, d)
      observed += (o[c] as Float64Array)[d]! * dd
      expected += (nc[c] as number) * (nc[d] as number) * dd
    }
  if (expected === 0) return null
  return 1 - ((n - 1) * observed) / expected
}

/** The metric's squared difference between categories c and d (indices into the sorted categories). */
function squaredDifference(
  metric: AlphaMetric,
  categories: readonly number[],
  nc: readonly number[]
): (c: number, d: number) => number {
  if (metric === 'nominal') return (c, d) => (c === d ? 0 : 1)
  if (metric === 'interval') return (c, d) => ((categories[c] as number) - (categories[d] as number)) ** 2
  // Ordinal: the distance is how many pairable values lie between the two ranks, halves at the ends.
  const cumulative = [0]
  for (const x of nc) cumulative.push((cumulative[cumulative.length - 1] as number) + x)
  return (c, d) => {
    if (c === d) return 0
    const lo = Math.min(c, d)
    const hi = Math.max(c, d)
    const between = (cumulative[hi + 1] as number) - (cumulative[lo] as number)
    return (between - ((nc[lo] as number) + (nc[hi] as number)) / 2) ** 2
  }
}
