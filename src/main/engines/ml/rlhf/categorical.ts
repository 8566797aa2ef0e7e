/**
 * Masked categorical distributions over the 9 actions, row by row in float64: the policy's logits
 * renormalised over the actions the mask allows (disallowed actions have probability 0).
 */

/** log pi(a) for each of the A actions of row `row` (-Infinity where masked). */
export function maskedLogSoftmax(
  logits: ArrayLike<number>,
  mask: ArrayLike<number>,
  row: number,
  A: number,
  out: Float64Array
): void {
  const o = row * A
  let mx = -Infinity
  for (let j = 0; j < A; j++) if (mask[o + j] === 1 && (logits[o + j] as number) > mx) mx = logits[o + j] as number
  let se = 0
  for (let j = 0; j < A; j++) if (mask[o + j] === 1) se += Math.exp((logits[o + j] as number) - mx)
  const lse = mx + Math.log(se)
  for (let j = 0; j < A; j++) out[j] = mask[o + j] === 1 ? (logits[o + j] as number) - lse : -Infinity
}

/** Inverse-CDF sample from log-probabilities with a uniform u in [0, 1). */
export function sampleLogProbs(lp: Float64Array, u: number): number {
  let last = -1
  for (let j = 0; j < lp.length; j++) {
    const lj = lp[j] as number
    if (lj === -Infinity) continue
    last = j
    u -= Math.exp(lj)
    if (u <= 0) return j
  }
  return last
}

/** The most probable allowed action (lowest id on ties). */
export function argmaxLogProbs(lp: Float64Array): number {
  let best = -1
  for (let j = 0; j < lp.length; j++) if (best < 0 || (lp[j] as number) > (lp[best] as number)) best = j
  return best
}

/** Exact KL(p || q) = sum_a p(a) (log p(a) - log q(a)) over the allowed actions. */
export function klDivergence(lp: Float64Array, lq: Float64Array): number {
  let kl = 0
  for (let j = 0; j < lp.length; j++) {
    const a = lp[j] as number
    if (a === -Infinity) continue
    kl += Math.exp(a) * (a - (lq[j] as number))
  }
  return kl
}

export function entropyOf(lp: Float64Array): number {
  let h = 0
  for (let j = 0; j < lp.length; j++) {
    const a = lp[j] as number
    if (a !== -Infinity) h -= Math.exp(a) * a
  }
  return h
}

/** A counter-based seed: the same (seed, a, b) always gives the same stream, so resuming needs only counters. */
export function mixSeed(seed: number, a: number, b = 0): number {
  let h = (seed ^ 0x9e3779b9) >>> 0
  for (const x of [a, b]) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}
