import { describe, expect, it } from 'vitest'
import {
  CHEATSHEET,
  VERDICT_BUTTONS,
  commandForKey,
  verdictLabel
} from '../../../../src/renderer/src/features/listen/logic/keys'

describe('A/B screen keyboard map', () => {
  it('maps 1-5 to verdict and strength, 0 to both bad, S to skip', () => {
    expect(commandForKey({ key: '1' })).toEqual({ type: 'verdict', verdict: 'a', strength: 2 })
    expect(commandForKey({ key: '2' })).toEqual({ type: 'verdict', verdict: 'a', strength: 1 })
    expect(commandForKey({ key: '3' })).toEqual({ type: 'verdict', verdict: 'tie', strength: null })
    expect(commandForKey({ key: '4' })).toEqual({ type: 'verdict', verdict: 'b', strength: 1 })
    expect(commandForKey({ key: '5' })).toEqual({ type: 'verdict', verdict: 'b', strength: 2 })
    expect(commandForKey({ key: '0' })).toEqual({ type: 'verdict', verdict: 'both_bad', strength: null })
    expect(commandForKey({ key: 's' })).toEqual({ type: 'verdict', verdict: 'skip', strength: null })
    expect(commandForKey({ key: 'S', shiftKey: true })).toEqual({ type: 'verdict', verdict: 'skip', strength: null })
  })

  it('maps transport and navigation keys', () => {
    expect(commandForKey({ key: ' ' })).toEqual({ type: 'playPause' })
    expect(commandForKey({ key: 'a' })).toEqual({ type: 'switch', to: 'a' })
    expect(commandForKey({ key: 'B' })).toEqual({ type: 'switch', to: 'b' })
    expect(commandForKey({ key: 'Tab' })).toEqual({ type: 'switch', to: 'other' })
    expect(commandForKey({ key: 'm' })).toEqual({ type: 'mark' })
    expect(commandForKey({ key: 'l' })).toEqual({ type: 'loopBar' })
    expect(commandForKey({ key: 'z' })).toEqual({ type: 'undo' })
    expect(commandForKey({ key: 'Enter' })).toEqual({ type: 'next' })
    expect(commandForKey({ key: 'ArrowLeft' })).toEqual({ type: 'bar', delta: -1 })
    expect(commandForKey({ key: 'ArrowRight' })).toEqual({ type: 'bar', delta: 1 })
    expect(commandForKey({ key: '?' })).toEqual({ type: 'help' })
  })

  it('leaves other keys and browser shortcuts alone', () => {
    expect(commandForKey({ key: 'x' })).toBeNull()
    expect(commandForKey({ key: '6' })).toBeNull()
    expect(commandForKey({ key: 'z', ctrlKey: true })).toBeNull()
    expect(commandForKey({ key: 'r', metaKey: true })).toBeNull()
    expect(commandForKey({ key: '1', altKey: true })).toBeNull()
  })

  it('buttons, labels and the cheatsheet agree with the keys', () => {
    for (const b of VERDICT_BUTTONS) {
      const c = commandForKey({ key: b.key })
      expect(c).toEqual({ type: 'verdict', verdict: b.value.verdict, strength: b.value.strength })
      expect(verdictLabel(b.value.verdict, b.value.strength)).toBe(b.label)
    }
    expect(verdictLabel('skip', null)).toBe('Skipped')
    expect(CHEATSHEET.map(([k]) => k)).toContain('Enter')
  })
})
