import type { RequestInput } from '../../../../shared/api'

export const ITERATIONS_KEY = ['iterations.list'] as const
export const iterationKey = (id: number): readonly unknown[] => ['iterations.get', id]
export const planKey = (input: RequestInput<'iterations.plan'>): readonly unknown[] => ['iterations.plan', input]

export const fmt = (x: number | null | undefined, digits = 3): string =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits)
