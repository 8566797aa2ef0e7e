import { describe, expect, it } from 'vitest'
import {
  listenStatus,
  requiredListenMs as uiRequired,
  verdictBlocked
} from '../../../../src/renderer/src/features/listen/logic/must-listen'
import { mustListenViolation, requiredListenMs } from '../../../../src/main/services/listen/rules'

describe('must-listen rule', () => {
  it('requires the setting per side, or the whole side when it is shorter', () => {
    expect(requiredListenMs(3, 20)).toBe(3000)
    expect(requiredListenMs(3, 1)).toBe(900) // whole side, less 100 ms slack
    expect(requiredListenMs(0, 20)).toBe(0)
    // The screen and the server agree.
    for (const [s, d] of [
      [3, 20],
      [3, 1],
      [0.3, 0.2],
      [10, 9.5]
    ] as const)
      expect(uiRequired(s, d)).toBe(requiredListenMs(s, d))
  })

  it('server: names the first side not heard long enough; skips always pass', () => {
    const base = { mustListenS: 3, durationAS: 20, durationBS: 20 }
    expect(mustListenViolation({ ...base, verdict: 'a', listenedAMs: 3000, listenedBMs: 3000 })).toBeNull()
    const a = mustListenViolation({ ...base, verdict: 'tie', listenedAMs: 1200, listenedBMs: 5000 })
    expect(a?.field).toBe('listenedAMs')
    expect(a?.message).toContain('side A was heard for 1.2 s')
    expect(mustListenViolation({ ...base, verdict: 'both_bad', listenedAMs: 5000, listenedBMs: 10 })?.field).toBe(
      'listenedBMs'
    )
    expect(mustListenViolation({ ...base, verdict: 'skip', listenedAMs: 0, listenedBMs: 0 })).toBeNull()
  })

  it('screen: shows progress per side and a visible reason until both sides are heard', () => {
    const s = listenStatus({ listenedMs: { a: 1500, b: 0 }, durationS: { a: 30, b: 30 }, mustListenS: 3 })
    expect(s.met).toBe(false)
    expect(s.progress).toEqual({ a: 0.5, b: 0 })
    expect(s.reason).toBe(
      'Listen to each side before judging: A 1.5 of 3.0 s, B 0.0 of 3.0 s heard so far. Skip (S) is always allowed.'
    )
    expect(verdictBlocked('a', s)).toBe(true)
    expect(verdictBlocked('skip', s)).toBe(false)
    const ok = listenStatus({ listenedMs: { a: 3000, b: 4000 }, durationS: { a: 30, b: 30 }, mustListenS: 3 })
    expect(ok).toEqual({ met: true, progress: { a: 1, b: 1 }, reason: null })
    expect(verdictBlocked('tie', ok)).toBe(false)
    const off = listenStatus({ listenedMs: { a: 0, b: 0 }, durationS: { a: 30, b: 30 }, mustListenS: 0 })
    expect(off.met).toBe(true)
  })
})
