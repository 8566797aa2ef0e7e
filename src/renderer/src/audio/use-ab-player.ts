import { useEffect, useState } from 'react'
import { AbPlayer } from './ab-player'

/** One player for the component's lifetime; the component re-renders on every player change. */
export function useAbPlayer(crossfadeMs = 10): AbPlayer {
  const [, setTick] = useState(0)
  const [player] = useState(() => new AbPlayer({ crossfadeMs }))
  useEffect(() => player.setCrossfadeMs(crossfadeMs), [player, crossfadeMs])
  useEffect(() => {
    const off = player.subscribe(() => setTick((t) => t + 1))
    return () => {
      off()
      player.dispose()
    }
  }, [player])
  return player
}
