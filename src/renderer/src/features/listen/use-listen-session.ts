import { useCallback, useEffect, useReducer, useRef } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { ApiError, request } from '../../api/client'
import { queryKeys } from '../../api/queries'
import type { AbPlayer } from '../../audio/ab-player'
import type { ListenPrefs, Settings } from '../../../../shared/settings'
import type { VerdictChoice } from '../../../../shared/domain'
import { matchedLevels } from '../../lib/loudness-match'
import { useApp } from '../../components/app-context'
import { loadNextPair, type LoadedPair } from './load-pair'
import { listenStatus, verdictBlocked } from './logic/must-listen'
import { verdictLabel } from './logic/keys'
import { initialListenState, listenReducer, type ListenAction, type ListenState } from './session'

interface Prefetch {
  /** The pair on screen when this one was asked for: it is the one to show after that pair. */
  afterPairId: number
  ctl: AbortController
  promise: Promise<LoadedPair | null>
  settled: boolean
}

export interface ListenSession {
  state: ListenState<LoadedPair>
  act: (a: ListenAction<LoadedPair>) => void
  /** Leaves the instructions page and loads the first pair (the click is the audio gesture). */
  start: () => void
  submit: (verdict: VerdictChoice, strength: 1 | 2 | null) => Promise<void>
  undo: () => Promise<void>
  next: () => Promise<void>
  reload: () => Promise<void>
  /** performance.now() when the pair on screen started playing by itself (autoplay), for the timing test. */
  autoplayStartedAt: React.RefObject<number | null>
  /** Whether the pair after the one on screen is loaded and decoded already. */
  nextReady: () => boolean
}

const isAbort = (e: unknown): boolean => e instanceof DOMException && e.name === 'AbortError'

/**
 * The A/B session: loads pairs (the next one is prefetched, rendered and decoded, while the current
 * one is judged), presents them on the player at matched loudness, submits and undoes verdicts, and
 * advances on its own when the annotator asked for it.
 */
export function useListenSession(opts: {
  annotatorId: number
  player: AbPlayer
  settings: Settings
  prefs: ListenPrefs
}): ListenSession {
  const { annotatorId, player } = opts
  const { attempt, notify } = useApp()
  const client = useQueryClient()
  const showInstructions = opts.settings.instructions.trim() !== ''
  const [state, dispatch] = useReducer(listenReducer<LoadedPair>, showInstructions, initialListenState<LoadedPair>)
  // The same pure reducer run on a ref, so async steps read the state as of their last action.
  const live = useRef<ListenState<LoadedPair>>(state)
  const act = useCallback((a: ListenAction<LoadedPair>) => {
    live.current = listenReducer(live.current, a)
    dispatch(a)
  }, [])
  const config = useRef(opts)
  useEffect(() => {
    config.current = opts
  })

  const prefetch = useRef<Prefetch | null>(null)
  const fresh = useRef<AbortController | null>(null)
  const previous = useRef<LoadedPair | null>(null)
  const advanceTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const shownAt = useRef(0)
  const autoplayStartedAt = useRef<number | null>(null)

  const clearAdvance = (): void => {
    if (advanceTimer.current) clearTimeout(advanceTimer.current)
    advanceTimer.current = null
  }
  const dropPrefetch = (): void => {
    prefetch.current?.ctl.abort()
    prefetch.current = null
  }

  const prefetchAfter = useCallback(
    (pair: LoadedPair) => {
      if (prefetch.current?.afterPairId === pair.p.pairId) return
      prefetch.current?.ctl.abort()
      const ctl = new AbortController()
      const entry: Prefetch = {
        afterPairId: pair.p.pairId,
        ctl,
        promise: loadNextPair(annotatorId, ctl.signal, [pair.p.pairId]),
        settled: false
      }
      entry.promise.then(
        () => (entry.settled = true),
        () => (entry.settled = true)
      )
      prefetch.current = entry
    },
    [annotatorId]
  )

  const putOnPlayer = useCallback(
    (pair: LoadedPair) => {
      player.load({ a: pair.sides.a.buffer, b: pair.sides.b.buffer, r: pair.reference.buffer })
      player.setLevels(
        matchedLevels(
          { a: pair.sides.a.loudnessLufs, b: pair.sides.b.loudnessLufs, r: pair.reference.loudnessLufs },
          config.current.settings.loudnessMatch
        )
      )
      shownAt.current = performance.now()
    },
    [player]
  )

  const show = useCallback(
    (pair: LoadedPair | null) => {
      clearAdvance()
      autoplayStartedAt.current = null
      if (!pair) {
        player.load({})
        act({ type: 'loaded', pair: null, at: Date.now() })
        return
      }
      putOnPlayer(pair)
      act({ type: 'loaded', pair, at: Date.now() })
      prefetchAfter(pair)
      if (config.current.prefs.autoplay)
        void attempt(async () => {
          await player.play()
          autoplayStartedAt.current = performance.now()
        })
    },
    [act, attempt, player, prefetchAfter, putOnPlayer]
  )

  /** The first pair, fetched while the instructions are read. */
  const first = useRef<Promise<LoadedPair | null> | null>(null)
  const firstCtl = useRef<AbortController | null>(null)

  const reload = useCallback(async () => {
    fresh.current?.abort()
    dropPrefetch()
    const ctl = new AbortController()
    fresh.current = ctl
    const early = first.current
    first.current = null
    act({ type: 'loadStarted' })
    try {
      const pair = await (early ?? loadNextPair(annotatorId, ctl.signal))
      if (!ctl.signal.aborted) show(pair)
    } catch (e) {
      if (!isAbort(e) && !ctl.signal.aborted)
        act({ type: 'loadFailed', message: e instanceof Error ? e.message : String(e) })
    }
  }, [act, annotatorId, show])

  const next = useCallback(async () => {
    clearAdvance()
    const s = live.current
    if (s.phase !== 'revealed' || !s.pair) return
    const judged = s.pair
    previous.current = judged
    const pending = prefetch.current
    prefetch.current = null
    if (!pending || pending.afterPairId !== judged.p.pairId) return reload()
    if (!pending.settled) act({ type: 'loadStarted' })
    let pair: LoadedPair | null
    try {
      pair = await pending.promise
    } catch {
      return reload()
    }
    // Nothing was queued when it was fetched, or the server offered the judged pair again: ask afresh.
    if (!pair || pair.p.pairId === judged.p.pairId) return reload()
    show(pair)
  }, [act, reload, show])

  const submit = async (verdict: VerdictChoice, strength: 1 | 2 | null): Promise<void> => {
    const s = live.current
    const pair = s.pair
    if (!pair || s.busy) return
    if (s.phase === 'revealed') {
      notify('info', 'This pair is judged: Enter for the next pair, Z to undo.')
      return
    }
    if (s.phase !== 'listening') return
    const heard = player.listenedMs()
    const status = listenStatus({
      listenedMs: heard,
      durationS: { a: pair.sides.a.timeline.durationS, b: pair.sides.b.timeline.durationS },
      mustListenS: config.current.settings.mustListenS
    })
    if (verdictBlocked(verdict, status)) {
      act({ type: 'blocked' })
      return
    }
    act({ type: 'submitStarted' })
    try {
      const record = await request('verdicts.submit', {
        pairId: pair.p.pairId,
        annotatorId,
        verdict,
        strength,
        shownAEditId: pair.sides.a.edit.id,
        shownBEditId: pair.sides.b.edit.id,
        listenedAMs: Math.round(heard.a),
        listenedBMs: Math.round(heard.b),
        switches: player.switches,
        decisionMs: Math.round(performance.now() - shownAt.current),
        marks: s.marks,
        tags: s.tags,
        note: s.note.trim() === '' ? null : s.note.trim()
      })
      player.stop()
      act({ type: 'verdictSaved', record })
      const { prefs } = config.current
      if (prefs.autoAdvance) advanceTimer.current = setTimeout(() => void next(), prefs.advanceDelayMs)
      void client.invalidateQueries({ queryKey: queryKeys.annotatorStats(annotatorId) })
      const [a, b] = await Promise.all([
        attempt(() => request('edits.get', { editId: record.shownAEditId })),
        attempt(() => request('edits.get', { editId: record.shownBEditId }))
      ])
      act({ type: 'revealDetails', verdictId: record.id, a: a ?? null, b: b ?? null })
    } catch (e) {
      notify('error', e instanceof Error ? e.message : String(e))
      // Someone else took the pair (or it left the queue) since it was fetched: move on to a fresh one.
      if (e instanceof ApiError && e.error.kind === 'conflict') void reload()
    } finally {
      act({ type: 'submitEnded' })
    }
  }

  const undo = async (): Promise<void> => {
    const undone = await attempt(() => request('verdicts.undo', { annotatorId }))
    if (undone === undefined) return
    if (undone === null) {
      notify('info', 'Nothing to undo.')
      return
    }
    notify(
      'info',
      `Undid “${verdictLabel(undone.verdict, undone.strength)}” on pair #${undone.pairId}; it is back in the queue.`
    )
    const s = live.current
    if (s.pair && undone.pairId === s.pair.p.pairId && s.phase === 'revealed') {
      // Back to the same pair, sides and listening time kept.
      clearAdvance()
      act({ type: 'undone', record: undone, backTo: s.pair })
    } else if (previous.current && undone.pairId === previous.current.p.pairId) {
      // The screen moved on already: back to that pair; the one on screen becomes the next again.
      clearAdvance()
      const back = previous.current
      previous.current = null
      const current = s.pair
      dropPrefetch()
      putOnPlayer(back)
      act({ type: 'undone', record: undone, backTo: back })
      if (current && current.p.pairId !== back.p.pairId)
        prefetch.current = {
          afterPairId: back.p.pairId,
          ctl: new AbortController(),
          promise: Promise.resolve(current),
          settled: true
        }
      else prefetchAfter(back)
    } else {
      act({ type: 'undone', record: undone, backTo: null })
      // An earlier pair is queued again: the prefetched one may no longer be next.
      dropPrefetch()
      if (s.phase === 'empty') void reload()
      else if (s.pair) prefetchAfter(s.pair)
    }
    void client.invalidateQueries({ queryKey: queryKeys.annotatorStats(annotatorId) })
  }

  const start = (): void => {
    act({ type: 'instructionsDone' })
    void reload()
  }

  // The first pair loads at once (shown straight away when there is no instructions page); everything
  // stops on unmount.
  useEffect(() => {
    if (showInstructions) {
      const ctl = new AbortController()
      firstCtl.current = ctl
      first.current = loadNextPair(annotatorId, ctl.signal)
      first.current.catch(() => undefined)
    } else void reload()
    return () => {
      firstCtl.current?.abort()
      fresh.current?.abort()
      prefetch.current?.ctl.abort()
      prefetch.current = null
      if (advanceTimer.current) clearTimeout(advanceTimer.current)
    }
    // Once per mount: the screen is keyed by annotator.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const nextReady = (): boolean => {
    const pending = prefetch.current
    return pending !== null && pending.settled && pending.afterPairId === live.current.pair?.p.pairId
  }

  return { state, act, start, submit, undo, next, reload, autoplayStartedAt, nextReady }
}
