/**
 * How well a reward model's scores explain held-out verdicts: accuracy on decisive pairs (ties kept
 * apart, unlike TRL's strict `>` over everything), log loss with ties as 0.5 targets, expected
 * calibration error, and agreement with the dense reward as a sanity check. Pure numbers in, numbers out.
 */
import type { CalibrationBin, RewardModelMetrics } from '../../../shared/domain'

export interface ScoredPair {
  /** Reward of the preferred edit (either edit for a tie). */
  rChosen: number
  rRejected: number
  /** 1 for a decisive verdict, 0.5 for a tie. */
  target: number
  /** Dense reward of the two edits, when known. */
  denseChosen?: number
  denseRejected?: number
}

export const CALIBRATION_BINS = 10
const EPS = 1e-7

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x))
}

/** -[y log sigma(d) + (1 - y) log sigma(-d)], computed stably. */
export function pairLogLoss(diff: number, target: number): number {
  const softplus = (z: number): number => (z > 30 ? z : z < -30 ? Math.exp(z) : Math.log1p(Math.exp(z)))
  return target * softplus(-diff) + (1 - target) * softplus(diff)
}

/**
 * Calibration over the model's favoured side: p = max(P, 1 - P) with P = sigma(r+ - r-), outcome 1
 * when the favoured edit was the preferred one, 0 when it was the other, 0.5 for a tie. Bins split
 * [0.5, 1] evenly; ECE is the count-weighted mean |predicted - observed|.
 */
export function calibration(pairs: readonly ScoredPair[]): { bins: CalibrationBin[]; ece: number | null } {
  const sums = Array.from({ length: CALIBRATION_BINS }, () => ({ p: 0, o: 0, n: 0 }))
  for (const q of pairs) {
    const P = sigmoid(q.rChosen - q.rRejected)
    const favoursChosen = P >= 0.5
    const p = favoursChosen ? P : 1 - P
    const outcome = q.target === 0.5 ? 0.5 : favoursChosen ? q.target : 1 - q.target
    const b = Math.min(CALIBRATION_BINS - 1, Math.floor((p - 0.5) * 2 * CALIBRATION_BINS))
    const s = sums[Math.max(0, b)]!
    s.p += p
    s.o += outcome
    s.n++
  }
  const bins = sums.filter((s) => s.n > 0).map((s) => ({ predicted: s.p / s.n, observed: s.o / s.n, count: s.n }))
  const total = bins.reduce((a, b) => a + b.count, 0)
  const ece = total === 0 ? null : bins.reduce((a, b) => a + (b.count / total) * Math.abs(b.predicted - b.observed), 0)
  return { bins, ece }
}

export function rewardMetrics(pairs: readonly ScoredPair[]): RewardModelMetrics {
  const decisive = pairs.filter((p) => p.target !== 0.5)
  const ties = pairs.filter((p) => p.target === 0.5)
  let correct = 0
  for (const p of decisive) {
    const towardsTarget = p.target >= 0.5 ? p.rChosen > p.rRejected : p.rRejected > p.rChosen
    if (towardsTarget) correct++
  }
  let loss = 0
  for (const p of pairs) loss += Math.min(pairLogLoss(p.rChosen - p.rRejected, p.target), -Math.log(EPS))
  const tieDeviation =
    ties.length === 0
      ? null
      : ties.reduce((a, p) => a + Math.abs(sigmoid(p.rChosen - p.rRejected) - 0.5), 0) / ties.length
  // Pairs the dense reward calls even say nothing about agreement.
  const withDense = decisive.filter(
    (p) => p.denseChosen !== undefined && p.denseRejected !== undefined && p.denseChosen !== p.denseRejected
  )
  let agree = 0
  for (const p of withDense) {
    if (Math.sign(p.denseChosen! - p.denseRejected!) === Math.sign(p.rChosen - p.rRejected)) agree++
  }
  const { bins, ece } = calibration(pairs)
  return {
    pairs: pairs.length,
    decisive: decisive.length,
    ties: ties.length,
    accuracy: decisive.length === 0 ? null : correct / decisive.length,
    tieDeviation,
    logLoss: pairs.length === 0 ? null : loss / pairs.length,
    ece,
    denseAgreement: withDense.length === 0 ? null : agree / withDense.length,
    calibration: bins
  }
}
