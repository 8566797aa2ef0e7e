/**
 * Loudness matching for the A/B player: every side is brought down to the quietest side's integrated
 * loudness (never boosted, so nothing clips). Pure.
 */
export type LevelSide = 'a' | 'b' | 'r'

/** Linear gain per side; a side with unknown loudness (or matching off) plays as rendered. */
export function matchedLevels(
  lufs: Partial<Record<LevelSide, number | null>>,
  enabled: boolean
): Record<LevelSide, number> {
  const levels: Record<LevelSide, number> = { a: 1, b: 1, r: 1 }
  if (!enabled) return levels
  const known = (Object.entries(lufs) as [LevelSide, number | null | undefined][]).filter(
    (e): e is [LevelSide, number] => typeof e[1] === 'number' && Number.isFinite(e[1])
  )
  if (known.length < 2) return levels
  const target = Math.min(...known.map(([, l]) => l))
  for (const [side, l] of known) levels[side] = Math.min(1, 10 ** ((target - l) / 20))
  return levels
}
