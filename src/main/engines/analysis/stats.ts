/** Small statistics shared by the analysis code (one copy of each). */

/** Upper median (element n >> 1 of the sorted values); 0 for none. */
export function median(values: ArrayLike<number>): number {
  if (values.length === 0) return 0
  const sorted = Float64Array.from(values).sort()
  return sorted[sorted.length >> 1]!
}

/**
 * Upper median of buffer[0..count), sorting that part in place: insertion sort, fastest for the short
 * sliding windows it serves, with no allocation.
 */
export function medianInPlace(buffer: Float64Array, count: number): number {
  for (let i = 1; i < count; i++) {
    const v = buffer[i]!
    let j = i
    while (j > 0 && buffer[j - 1]! > v) {
      buffer[j] = buffer[j - 1]!
      j--
    }
    buffer[j] = v
  }
  return buffer[count >> 1]!
}

/** Mean and (population) standard deviation of values[f * stride + offset] for f in [s, e). */
export function meanStd(
  values: ArrayLike<number>,
  stride: number,
  offset: number,
  s: number,
  e: number
): [number, number] {
  let sum = 0
  let sumSq = 0
  for (let f = s; f < e; f++) {
    const v = values[f * stride + offset]!
    sum += v
    sumSq += v * v
  }
  const count = e - s
  const mean = sum / count
  return [mean, Math.sqrt(Math.max(0, sumSq / count - mean * mean))]
}

/**
 * Mean of the `count` smallest and of the `count` largest values of a[lo..hi] in one pass, each
 * kept in a tiny sorted buffer (count is ~2 % of the band, so insertions are rare); written to
 * result[0] and result[1], with `small` and `large` as scratch of at least `count` entries.
 */
export function extremeMeans(
  a: Float64Array,
  lo: number,
  hi: number,
  count: number,
  small: Float64Array,
  large: Float64Array,
  result: Float64Array
): void {
  let filled = 0
  for (let k = lo; k <= hi && filled < count; k++) {
    const v = a[k]!
    let j = filled
    while (j > 0 && small[j - 1]! > v) {
      small[j] = small[j - 1]!
      j--
    }
    small[j] = v
    j = filled
    while (j > 0 && large[j - 1]! < v) {
      large[j] = large[j - 1]!
      j--
    }
    large[j] = v
    filled++
  }
  const last = count - 1
  for (let k = lo + filled; k <= hi; k++) {
    const v = a[k]!
    if (v < small[last]!) {
      let j = last
      while (j > 0 && small[j - 1]! > v) {
        small[j] = small[j - 1]!
        j--
      }
      small[j] = v
    } else if (v > large[last]!) {
      let j = last
      while (j > 0 && large[j - 1]! < v) {
        large[j] = large[j - 1]!
        j--
      }
      large[j] = v
    }
  }
  let sumSmall = 0
  let sumLarge = 0
  for (let j = 0; j < filled; j++) {
    sumSmall += small[j]!
    sumLarge += large[j]!
  }
  result[0] = sumSmall / Math.max(1, filled)
  result[1] = sumLarge / Math.max(1, filled)
}
