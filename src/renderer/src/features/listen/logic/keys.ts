/**
 * Keyboard map of the A/B screen. Pure: the screen turns a KeyboardEvent's `key` (plus modifiers)
 * into a command, so the mapping is tested without a browser.
 */
import type { VerdictChoice } from '../../../../../shared/domain'

export type VerdictKey = { verdict: Exclude<VerdictChoice, 'skip'>; strength: 1 | 2 | null }

export type ListenCommand =
  | { type: 'playPause' }
  | { type: 'switch'; to: 'a' | 'b' | 'other' }
  | { type: 'verdict'; verdict: VerdictChoice; strength: 1 | 2 | null }
  | { type: 'mark' }
  | { type: 'loopBar' }
  | { type: 'undo' }
  | { type: 'next' }
  | { type: 'bar'; delta: -1 | 1 }
  | { type: 'help' }
  | { type: 'reference' }
  | { type: 'tag'; tag: string }

/** 1 = A much better, 2 = A better, 3 = tie, 4 = B better, 5 = B much better, 0 = both bad. */
export const VERDICT_KEYS: Readonly<Record<string, VerdictKey>> = {
  '1': { verdict: 'a', strength: 2 },
  '2': { verdict: 'a', strength: 1 },
  '3': { verdict: 'tie', strength: null },
  '4': { verdict: 'b', strength: 1 },
  '5': { verdict: 'b', strength: 2 },
  '0': { verdict: 'both_bad', strength: null }
}

export const VERDICT_BUTTONS: readonly { key: string; label: string; testId: string; value: VerdictKey }[] = [
  { key: '1', label: 'A much better', testId: 'verdict-a2', value: VERDICT_KEYS['1'] as VerdictKey },
  { key: '2', label: 'A better', testId: 'verdict-a1', value: VERDICT_KEYS['2'] as VerdictKey },
  { key: '3', label: 'Tie', testId: 'verdict-tie', value: VERDICT_KEYS['3'] as VerdictKey },
  { key: '4', label: 'B better', testId: 'verdict-b1', value: VERDICT_KEYS['4'] as VerdictKey },
  { key: '5', label: 'B much better', testId: 'verdict-b2', value: VERDICT_KEYS['5'] as VerdictKey },
  { key: '0', label: 'Both bad', testId: 'verdict-both-bad', value: VERDICT_KEYS['0'] as VerdictKey }
]

/** Human label of a stored verdict. */
export function verdictLabel(verdict: VerdictChoice, strength: 1 | 2 | null): string {
  switch (verdict) {
    case 'a':
      return strength === 2 ? 'A much better' : 'A better'
    case 'b':
      return strength === 2 ? 'B much better' : 'B better'
    case 'tie':
      return 'Tie'
    case 'both_bad':
      return 'Both bad'
    case 'skip':
      return 'Skipped'
  }
}

export interface KeyInput {
  key: string
  ctrlKey?: boolean
  metaKey?: boolean
  altKey?: boolean
  shiftKey?: boolean
}

/**
 * The command for a key press, or null when the key is not the screen's (or has Ctrl/Cmd/Alt).
 * `tags` are the project's reason tags; the screen's own keys win over a tag's.
 */
export function commandForKey(e: KeyInput, tags: readonly { key: string; label: string }[] = []): ListenCommand | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null
  const fixed = fixedCommand(e.key)
  if (fixed) return fixed
  const tag = tags.find((t) => t.key === e.key.toLowerCase())
  return tag ? { type: 'tag', tag: tag.label } : null
}

function fixedCommand(key: string): ListenCommand | null {
  const v = VERDICT_KEYS[key]
  if (v) return { type: 'verdict', verdict: v.verdict, strength: v.strength }
  switch (key) {
    case ' ':
      return { type: 'playPause' }
    case 'a':
    case 'A':
      return { type: 'switch', to: 'a' }
    case 'b':
    case 'B':
      return { type: 'switch', to: 'b' }
    case 'Tab':
      return { type: 'switch', to: 'other' }
    case 's':
    case 'S':
      return { type: 'verdict', verdict: 'skip', strength: null }
    case 'm':
    case 'M':
      return { type: 'mark' }
    case 'l':
    case 'L':
      return { type: 'loopBar' }
    case 'z':
    case 'Z':
      return { type: 'undo' }
    case 'Enter':
      return { type: 'next' }
    case 'ArrowLeft':
      return { type: 'bar', delta: -1 }
    case 'ArrowRight':
      return { type: 'bar', delta: 1 }
    case '?':
      return { type: 'help' }
    case 'r':
    case 'R':
      return { type: 'reference' }
    default:
      return null
  }
}

export const CHEATSHEET: readonly [string, string][] = [
  ['Space', 'play / pause'],
  ['A  B  Tab', 'switch side (works wherever focus is)'],
  ['R', 'original song (reference)'],
  ['1  2', 'A much better / better'],
  ['3', 'tie'],
  ['4  5', 'B better / much better'],
  ['0', 'both bad'],
  ['S', 'skip'],
  ['M', 'mark a problem'],
  ['L', 'loop bar on / off'],
  ['←  →', 'back / forward a bar'],
  ['Z', 'undo last verdict'],
  ['Enter', 'next pair'],
  ['?', 'hide / show keys']
]

/** What has keyboard focus when a key is pressed: a text field, a button or link, or anything else. */
export type KeyTarget = 'text' | 'button' | 'other'

export interface KeyRoute {
  command: ListenCommand | null
  /** Stop the browser's own handling (focus moves, button clicks, scrolling). */
  preventDefault: boolean
  /** Leave the text field (Escape). */
  blur: boolean
}

const NOTHING: KeyRoute = { command: null, preventDefault: false, blur: false }

/**
 * Routes a key press on the A/B screen. Typing in a text field is never taken over (Escape leaves
 * it). Everything else is the screen's whatever has focus, so Tab switches sides even after a button
 * was clicked; only Enter on a focused button activates that button, and Shift+Tab still moves focus.
 */
export function routeKey(
  e: KeyInput,
  target: KeyTarget,
  tags: readonly { key: string; label: string }[] = []
): KeyRoute {
  if (target === 'text') return e.key === 'Escape' ? { command: null, preventDefault: false, blur: true } : NOTHING
  if (e.key === 'Tab' && e.shiftKey) return NOTHING
  const command = commandForKey(e, tags)
  if (!command) return NOTHING
  if (e.key === 'Enter' && target === 'button') return NOTHING
  return { command, preventDefault: true, blur: false }
}
