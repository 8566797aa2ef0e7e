import type { RewardModelMetrics } from '../../../../shared/domain'

export const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits)

/** The metric rows shown wherever versions are compared. */
export const METRIC_ROWS: {
  label: string
  value: (m: RewardModelMetrics) => string
  better: 'higher' | 'lower' | null
}[] = [
  { label: 'Accuracy (decisive pairs)', value: (m) => fmt(m.accuracy), better: 'higher' },
  { label: 'Decisive pairs', value: (m) => String(m.decisive), better: null },
  { label: 'Ties (counted apart)', value: (m) => String(m.ties), better: null },
  { label: 'Tie deviation |P - 0.5|', value: (m) => fmt(m.tieDeviation), better: 'lower' },
  { label: 'Log loss', value: (m) => fmt(m.logLoss), better: 'lower' },
  { label: 'Expected calibration error', value: (m) => fmt(m.ece), better: 'lower' },
  { label: 'Agreement with the dense reward', value: (m) => fmt(m.denseAgreement), better: null }
]

export const MODELS_KEY = ['rewardModels.list'] as const
