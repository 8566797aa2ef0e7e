import { useEffect, useRef } from 'react'

/** Calls `fn` on every animation frame while mounted (and `active`); `fn` may change between renders. */
export function useAnimationFrame(fn: () => void, active = true): void {
  const ref = useRef(fn)
  ref.current = fn
  useEffect(() => {
    if (!active) return
    let id = requestAnimationFrame(function loop() {
      ref.current()
      id = requestAnimationFrame(loop)
    })
    return () => cancelAnimationFrame(id)
  }, [active])
}
