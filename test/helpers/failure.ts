import { AppFailure } from '../../src/shared/result'

/** Runs fn and returns the AppFailure it throws (fails the test if it throws anything else or nothing). */
export function failureOf(fn: () => unknown): AppFailure {
  try {
    fn()
  } catch (e) {
    if (e instanceof AppFailure) return e
    throw e
  }
  throw new Error('expected an AppFailure')
}
