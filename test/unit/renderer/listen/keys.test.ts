import { describe, expect, it } from 'vitest'
import {
  CHEATSHEET,
  VERDICT_BUTTONS,
  commandForKey,
  routeKey,
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

  it("maps R to the reference and the project's tag keys to their tags; the screen's keys win", () => {
    const tags = [
      { key: 'w', label: 'bad loop' },
      { key: 'a', label: 'never reached' }
    ]
    expect(commandForKey({ key: 'r' })).toEqual({ type: 'reference' })
    expect(commandForKey({ key: 'W', shiftKey: true }, tags)).toEqual({ type: 'tag', tag: 'bad loop' })
    expect(commandForKey({ key: 'a' }, tags)).toEqual({ type: 'switch', to: 'a' })
    expect(commandForKey({ key: 'w' })).toBeNull()
  })

  it('routes keys whatever has focus, except while typing', () => {
    // Tab switches sides even when a button has focus (it was clicked), and keeps the browser off it.
    expect(routeKey({ key: 'Tab' }, 'button')).toEqual({
      command: { type: 'switch', to: 'other' },
      preventDefault: true,
      blur: false
    })
    expect(routeKey({ key: 'b' }, 'button').command).toEqual({ type: 'switch', to: 'b' })
    expect(routeKey({ key: ' ' }, 'button')).toMatchObject({ command: { type: 'playPause' }, preventDefault: true })
    // Typing in the note field is left alone; Escape leaves it.
    expect(routeKey({ key: 'Tab' }, 'text').command).toBeNull()
    expect(routeKey({ key: '2' }, 'text').command).toBeNull()
    expect(routeKey({ key: 'Escape' }, 'text').blur).toBe(true)
    // Enter on a focused button activates it; Shift+Tab still moves focus.
    expect(routeKey({ key: 'Enter' }, 'button').command).toBeNull()
    expect(routeKey({ key: 'Enter' }, 'other').command).toEqual({ type: 'next' })
    expect(routeKey({ key: 'Tab', shiftKey: true }, 'other')).toEqual({
      command: null,
      preventDefault: false,
      blur: false
    })
  })
})
