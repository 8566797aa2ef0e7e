import { useEffect, useState } from 'react'

/** Wall-clock milliseconds, refreshed every `intervalMs` (for rates and elapsed times shown on screen). */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), intervalMs)
    return () => clearInterval(id)
  }, [intervalMs])
  return now
}
