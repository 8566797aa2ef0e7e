import { describe, expect, it } from 'vitest'
import { songDurationLabel } from '../../../src/renderer/src/lib/song-duration'

describe('song duration in the library', () => {
  it('is a dash until the length is known, m:ss after', () => {
    expect(songDurationLabel({ status: 'analysing', durationS: 0 })).toBe('—')
    expect(songDurationLabel({ status: 'queued', durationS: 0 })).toBe('—')
    expect(songDurationLabel({ status: 'ready', durationS: 61.4 })).toBe('1:01')
    expect(songDurationLabel({ status: 'analysing', durationS: 125 })).toBe('2:05')
  })
})
