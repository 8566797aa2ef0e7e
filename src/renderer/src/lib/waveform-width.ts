/** Narrowest a side's waveform gets beside a longer one, as a fraction of the row: still usable to click and drag. */
export const MIN_WAVEFORM_FRACTION = 0.4

/**
 * Width of a side's waveform as a fraction of the row: both sides share one time scale (the shorter
 * edit looks shorter), but never narrower than MIN_WAVEFORM_FRACTION.
 */
export function waveformWidthFraction(durationS: number, longestS: number): number {
  if (!(longestS > 0)) return 1
  return Math.min(1, Math.max(MIN_WAVEFORM_FRACTION, durationS / longestS))
}
