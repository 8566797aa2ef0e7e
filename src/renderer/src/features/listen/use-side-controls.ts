import type { AbPlayer, Loop, Side } from '../../audio/ab-player'
import { MIN_LOOP_S, mapRegion, switchTarget, type TimelineSide } from '../../lib/switching'
import { barAround, formatTime, stepBar } from '../../lib/timeline'
import type { LoadedPair } from './load-pair'

export interface SideControls {
  switchTo: (to: Side, atOutS?: number) => void
  seekSide: (s: Side, t: number) => void
  loopSide: (s: Side, region: Loop) => void
  loopBar: () => void
  stepBars: (delta: -1 | 1) => void
}

/** Timeline and bar grid of a side: the two edits, or the original song on R. */
export function sideData(pair: LoadedPair, s: Side): { timeline: TimelineSide; bars: number[] } {
  return s === 'r' ? pair.reference : pair.sides[s]
}

const sideName = (s: Side): string => (s === 'r' ? 'the original' : s.toUpperCase())

/**
 * Switching, seeking and looping on the A/B screen: a switch lands on the same source position when
 * the other side plays it (the loop region travels with it), otherwise on the same relative position.
 */
export function sideControls(
  player: AbPlayer,
  pair: LoadedPair | null,
  onSwitchInfo: (text: string | null) => void
): SideControls {
  const switchTo = (to: Side, atOutS?: number): void => {
    if (!pair) return
    const from = player.side
    if (to === from && atOutS === undefined) return
    if (to === from) {
      player.seek(atOutS as number)
      return
    }
    const fromSide = sideData(pair, from).timeline
    const toSide = sideData(pair, to).timeline
    const target = switchTarget(fromSide, toSide, player.position())
    const loop = player.loop ? mapRegion(fromSide, toSide, player.loop) : null
    let outS = atOutS ?? target.outS
    let nextLoop: Loop | null = loop
    if (atOutS !== undefined && loop && (atOutS < loop.startS || atOutS >= loop.endS)) nextLoop = null
    if (atOutS === undefined && loop && (outS < loop.startS || outS >= loop.endS)) outS = loop.startS
    player.switchTo(to, outS, nextLoop)
    onSwitchInfo(
      atOutS !== undefined
        ? null
        : target.mode === 'source'
          ? `→ ${sideName(to)} at the same source position (${formatTime(target.srcS)})`
          : `→ ${sideName(to)} at the same relative position: ${sideName(to)} does not play source ${formatTime(target.srcS)}`
    )
  }

  const seekSide = (s: Side, t: number): void => {
    if (s !== player.side) return switchTo(s, t)
    const loop = player.loop
    if (loop && (t < loop.startS || t >= loop.endS)) player.setLoop(null)
    player.seek(t)
  }

  const loopSide = (s: Side, region: Loop): void => {
    if (region.endS - region.startS < MIN_LOOP_S) return
    if (s !== player.side) {
      player.switchTo(s, region.startS, region)
      return
    }
    player.setLoop(region)
  }

  const loopBar = (): void => {
    if (!pair) return
    if (player.loop) {
      player.setLoop(null)
      return
    }
    const { bars, timeline } = sideData(pair, player.side)
    player.setLoop(barAround(bars, player.position(), timeline.durationS))
  }

  const stepBars = (delta: -1 | 1): void => {
    if (!pair) return
    const { bars, timeline } = sideData(pair, player.side)
    const t = stepBar(bars, player.position(), delta, timeline.durationS)
    const loop = player.loop
    if (loop && (t < loop.startS || t >= loop.endS)) player.setLoop(null)
    player.seek(t)
  }

  return { switchTo, seekSide, loopSide, loopBar, stepBars }
}
