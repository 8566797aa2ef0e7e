/** Per-beat feature vector layout: docs/features.md. Bump FEATURE_VERSION whenever any number changes meaning. */
export const FEATURE_DIM = 125
export const FEATURE_VERSION = 2
/** Longest sequence the reward transformer accepts (positions beyond are truncated by the caller). */
export const MAX_BEATS = 500
