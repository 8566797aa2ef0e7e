import { useEffect, useRef } from 'react'
import { routeKey, type KeyTarget, type ListenCommand } from './logic/keys'

/** Inputs where keys are typing: text entry, not checkboxes, ranges or buttons. */
const NON_TEXT_INPUTS = new Set(['checkbox', 'radio', 'range', 'button', 'submit', 'reset', 'color', 'file'])

function targetKind(t: EventTarget | null): KeyTarget {
  if (!(t instanceof HTMLElement)) return 'other'
  if (t.isContentEditable || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT') return 'text'
  if (t instanceof HTMLInputElement) return NON_TEXT_INPUTS.has(t.type) ? 'button' : 'text'
  return t.tagName === 'BUTTON' || t.tagName === 'A' ? 'button' : 'other'
}

/** The A/B screen's keyboard: one window listener for the screen's lifetime, routed by logic/keys.ts. */
export function useListenKeys(run: (c: ListenCommand) => void, tags: readonly { key: string; label: string }[]): void {
  const latest = useRef({ run, tags })
  useEffect(() => {
    latest.current = { run, tags }
  })
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const route = routeKey(e, targetKind(e.target), latest.current.tags)
      if (route.blur && e.target instanceof HTMLElement) e.target.blur()
      if (route.preventDefault) e.preventDefault()
      if (route.command) latest.current.run(route.command)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])
}
