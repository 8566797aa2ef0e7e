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
