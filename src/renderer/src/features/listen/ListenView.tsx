import { useCallback, useEffect, useRef, useState } from 'react'
import { request } from '../../api/client'
import { AbPlayer, type Loop } from '../../audio/ab-player'
import type {
  Annotator,
  AnnotatorStats,
  EditDetail,
  ProblemMark,
  VerdictChoice,
  VerdictRecord
} from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { Waveform, type WaveformMarker } from '../../components/Waveform'
import { EditMap } from '../../components/EditMap'
import { EmptyState, ProgressBar } from '../../components/ui'
import { useAnimationFrame } from '../../components/useAnimationFrame'
import { useNow } from '../../components/useNow'
import { loadNextPair, type LoadedPair, type SideName } from './load-pair'
import { listenStatus, verdictBlocked } from './logic/must-listen'
import { CHEATSHEET, VERDICT_BUTTONS, commandForKey, verdictLabel, type ListenCommand } from './logic/keys'
import { MIN_LOOP_S, mapRegion, sourcePositionAt, switchTarget } from './logic/switching'
import { barAround, formatTime, stepBar } from './logic/timeline'

type Phase = 'loading' | 'empty' | 'listening' | 'revealed' | 'failed'

interface Reveal {
  verdict: VerdictRecord
  a: EditDetail | null
  b: EditDetail | null
}

/** How long the provenance stays on screen after a verdict before the next pair shows. */
const REVEAL_MS = 3000

const other = (s: SideName): SideName => (s === 'a' ? 'b' : 'a')

function provenance(e: EditDetail | null): string {
  if (!e) return '…'
  const parts = [e.generator]
  if (e.policyId !== null) parts.push(`policy ${e.policyId}${e.policyVersion !== null ? ` v${e.policyVersion}` : ''}`)
  if (e.seed !== null) parts.push(`seed ${e.seed}`)
  if (e.targetDurationS !== null) parts.push(`target ${Math.round(e.targetDurationS)} s`)
  return `${parts.join(', ')} · edit #${e.id}`
}

/** The A/B screen: two blind edits of one song, seamless switching, verdicts by keyboard or mouse. */
export function ListenView(props: { annotator: Annotator }): React.JSX.Element {
  const { settings, attempt, notify, navigate } = useApp()
  const annotatorId = props.annotator.id
  const [phase, setPhase] = useState<Phase>('loading')
  const [pair, setPair] = useState<LoadedPair | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [reveal, setReveal] = useState<Reveal | null>(null)
  const [marks, setMarks] = useState<ProblemMark[]>([])
  const [note, setNote] = useState('')
  const [help, setHelp] = useState(true)
  const [blocked, setBlocked] = useState(false)
  const [switchInfo, setSwitchInfo] = useState<string | null>(null)
  const [stats, setStats] = useState<AnnotatorStats | null>(null)
  const [session, setSession] = useState<{ verdicts: number; startedAt: number | null }>({
    verdicts: 0,
    startedAt: null
  })
  const now = useNow(1000)
  const [, setTick] = useState(0)
  const [busy, setBusy] = useState(false)

  const [player] = useState(() => new AbPlayer({ crossfadeMs: settings.switchCrossfadeMs }))
  useEffect(() => player.setCrossfadeMs(settings.switchCrossfadeMs), [player, settings.switchCrossfadeMs])

  const shownAt = useRef(0)
  const phaseRef = useRef<Phase>(phase)
  useEffect(() => {
    phaseRef.current = phase
  }, [phase])
  const abort = useRef<AbortController | null>(null)
  const preload = useRef<Promise<LoadedPair | null> | null>(null)
  const revealTimer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const rootRef = useRef<HTMLElement>(null)
  const timeRef = useRef<HTMLSpanElement>(null)

  useEffect(() => {
    const unsubscribe = player.subscribe(() => setTick((t) => t + 1))
    return () => {
      unsubscribe()
      player.dispose()
      abort.current?.abort()
      if (revealTimer.current) clearTimeout(revealTimer.current)
    }
  }, [player])

  const refreshStats = useCallback(async () => {
    const s = await attempt(() => request('annotators.stats', { annotatorId }))
    if (s) setStats(s)
  }, [attempt, annotatorId])

  const startLoad = useCallback((): Promise<LoadedPair | null> => {
    abort.current?.abort()
    const ctl = new AbortController()
    abort.current = ctl
    return loadNextPair(annotatorId, ctl.signal).then((loaded) => {
      // A newer load replaced this one while it finished: drop it.
      if (ctl.signal.aborted) throw new DOMException('superseded by a newer load', 'AbortError')
      return loaded
    })
  }, [annotatorId])

  /** Shows a loaded pair (or the empty state) and resets the per-pair state. */
  const present = useCallback(
    (loaded: LoadedPair | null) => {
      if (revealTimer.current) clearTimeout(revealTimer.current)
      revealTimer.current = null
      setReveal(null)
      setMarks([])
      setNote('')
      setBlocked(false)
      setSwitchInfo(null)
      setPair(loaded)
      if (!loaded) {
        player.load({})
        setPhase('empty')
        return
      }
      player.load({ a: loaded.sides.a.buffer, b: loaded.sides.b.buffer })
      shownAt.current = performance.now()
      setSession((s) => (s.startedAt === null ? { ...s, startedAt: Date.now() } : s))
      setPhase('listening')
    },
    [player]
  )

  const loadFailed = useCallback((e: unknown) => {
    if (e instanceof DOMException && e.name === 'AbortError') return
    setLoadError(e instanceof Error ? e.message : String(e))
    setPhase('failed')
  }, [])

  const loadFresh = useCallback(async () => {
    setPhase('loading')
    setLoadError(null)
    preload.current = null
    try {
      present(await startLoad())
    } catch (e) {
      loadFailed(e)
    }
  }, [present, startLoad, loadFailed])

  useEffect(() => {
    preload.current = null
    startLoad().then(present, loadFailed)
    attempt(() => request('annotators.stats', { annotatorId }))
      .then((s) => s && setStats(s))
      .catch(() => undefined)
  }, [startLoad, present, loadFailed, attempt, annotatorId])

  const goNext = useCallback(async () => {
    if (revealTimer.current) clearTimeout(revealTimer.current)
    revealTimer.current = null
    if (phaseRef.current !== 'revealed') return
    phaseRef.current = 'loading'
    const pending = preload.current
    preload.current = null
    if (!pending) return loadFresh()
    setPhase('loading')
    try {
      present(await pending)
    } catch {
      await loadFresh()
    }
  }, [loadFresh, present])

  // ---- playback helpers ----
  const sideOf = (s: SideName): LoadedPair['sides'][SideName] | null => (pair ? pair.sides[s] : null)

  const switchTo = (to: SideName, atOutS?: number): void => {
    if (!pair) return
    const from = player.side
    if (to === from && atOutS === undefined) return
    if (to === from) {
      player.seek(atOutS as number)
      return
    }
    const target = switchTarget(pair.sides[from].timeline, pair.sides[to].timeline, player.position())
    const loop = player.loop ? mapRegion(pair.sides[from].timeline, pair.sides[to].timeline, player.loop) : null
    let outS = atOutS ?? target.outS
    let nextLoop: Loop | null = loop
    if (atOutS !== undefined && loop && (atOutS < loop.startS || atOutS >= loop.endS)) nextLoop = null
    if (atOutS === undefined && loop && (outS < loop.startS || outS >= loop.endS)) outS = loop.startS
    player.switchTo(to, outS, nextLoop)
    setSwitchInfo(
      atOutS !== undefined
        ? null
        : target.mode === 'source'
          ? `→ ${to.toUpperCase()} at the same source position (${formatTime(target.srcS)})`
          : `→ ${to.toUpperCase()} at the same relative position: ${to.toUpperCase()} does not play source ${formatTime(target.srcS)}`
    )
  }

  const seekSide = (s: SideName, t: number): void => {
    if (s !== player.side) return switchTo(s, t)
    const loop = player.loop
    if (loop && (t < loop.startS || t >= loop.endS)) player.setLoop(null)
    player.seek(t)
  }

  const loopSide = (s: SideName, region: Loop): void => {
    if (region.endS - region.startS < MIN_LOOP_S) return
    if (s !== player.side) {
      player.switchTo(s, region.startS, region)
      return
    }
    player.setLoop(region)
  }

  const loopBar = (): void => {
    const side = sideOf(player.side)
    if (!side) return
    if (player.loop) {
      player.setLoop(null)
      return
    }
    player.setLoop(barAround(side.bars, player.position(), side.timeline.durationS))
  }

  const stepBars = (delta: -1 | 1): void => {
    const side = sideOf(player.side)
    if (!side) return
    const t = stepBar(side.bars, player.position(), delta, side.timeline.durationS)
    const loop = player.loop
    if (loop && (t < loop.startS || t >= loop.endS)) player.setLoop(null)
    player.seek(t)
  }

  const addMark = (): void => {
    if (!pair || phase !== 'listening') return
    const m: ProblemMark = { side: player.side, atS: Math.round(player.position() * 1000) / 1000 }
    setMarks((ms) => [...ms, m])
    notify('info', `Problem marked on ${m.side.toUpperCase()} at ${formatTime(m.atS)}`)
  }

  // ---- verdicts ----
  const status = pair
    ? listenStatus({
        listenedMs: player.listenedMs(),
        durationS: { a: pair.sides.a.timeline.durationS, b: pair.sides.b.timeline.durationS },
        mustListenS: settings.mustListenS
      })
    : null

  const submit = async (verdict: VerdictChoice, strength: 1 | 2 | null): Promise<void> => {
    if (!pair || busy) return
    if (phase === 'revealed') {
      notify('info', 'This pair is judged: Enter for the next pair, Z to undo.')
      return
    }
    if (phase !== 'listening' || !status) return
    const heard = player.listenedMs()
    const now = listenStatus({
      listenedMs: heard,
      durationS: { a: pair.sides.a.timeline.durationS, b: pair.sides.b.timeline.durationS },
      mustListenS: settings.mustListenS
    })
    if (verdictBlocked(verdict, now)) {
      setBlocked(true)
      return
    }
    setBusy(true)
    try {
      const record = await attempt(() =>
        request('verdicts.submit', {
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
          marks,
          note: note.trim() === '' ? null : note.trim()
        })
      )
      if (!record) return
      player.stop()
      setBlocked(false)
      setPhase('revealed')
      setReveal({ verdict: record, a: null, b: null })
      setSession((s) => ({ ...s, verdicts: s.verdicts + 1 }))
      rootRef.current?.focus()
      const next = startLoad()
      next.catch(() => undefined)
      preload.current = next
      revealTimer.current = setTimeout(() => void goNext(), REVEAL_MS)
      const [a, b] = await Promise.all([
        attempt(() => request('edits.get', { editId: record.shownAEditId })),
        attempt(() => request('edits.get', { editId: record.shownBEditId }))
      ])
      setReveal((r) => (r && r.verdict.id === record.id ? { ...r, a: a ?? null, b: b ?? null } : r))
      await refreshStats()
    } finally {
      setBusy(false)
    }
  }

  const undo = async (): Promise<void> => {
    const undone = await attempt(() => request('verdicts.undo', { annotatorId }))
    if (undone === undefined) return
    if (undone === null) {
      notify('info', 'Nothing to undo.')
      return
    }
    setSession((s) => ({ ...s, verdicts: Math.max(0, s.verdicts - 1) }))
    notify(
      'info',
      `Undid “${verdictLabel(undone.verdict, undone.strength)}” on pair #${undone.pairId}; it is back in the queue.`
    )
    if (pair && undone.pairId === pair.p.pairId && phase === 'revealed') {
      // Back to the same pair, sides and listening time kept.
      if (revealTimer.current) clearTimeout(revealTimer.current)
      revealTimer.current = null
      abort.current?.abort()
      preload.current = null
      setReveal(null)
      setPhase('listening')
    } else if (phase === 'revealed' || phase === 'empty') {
      // The preloaded pair may be stale now that an earlier pair is queued again.
      preload.current = null
      if (phase === 'empty') void loadFresh()
    }
    await refreshStats()
  }

  // ---- keyboard ----
  const runCommand = (c: ListenCommand): void => {
    switch (c.type) {
      case 'playPause':
        if (phase === 'listening') void attempt(() => player.toggle())
        break
      case 'switch':
        if (phase === 'listening') switchTo(c.to === 'other' ? other(player.side) : c.to)
        break
      case 'verdict':
        void submit(c.verdict, c.strength)
        break
      case 'mark':
        addMark()
        break
      case 'loopBar':
        if (phase === 'listening') loopBar()
        break
      case 'bar':
        if (phase === 'listening') stepBars(c.delta)
        break
      case 'undo':
        void undo()
        break
      case 'next':
        if (phase === 'revealed') void goNext()
        break
      case 'help':
        setHelp((h) => !h)
        break
    }
  }
  const keyHandler = useRef<(e: KeyboardEvent) => void>(() => undefined)
  const onKey = (e: KeyboardEvent): void => {
    const t = e.target as HTMLElement | null
    const typing =
      t !== null && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable)
    if (typing) {
      if (e.key === 'Escape') t.blur()
      return
    }
    const c = commandForKey(e)
    if (!c) return
    // Enter on a focused button or link activates that control, not "next pair".
    if (e.key === 'Enter' && t !== null && (t.tagName === 'BUTTON' || t.tagName === 'A')) return
    // Tab switches sides only when focus is not on a control, so keyboard focus navigation still works.
    if (e.key === 'Tab' && (e.shiftKey || (t !== null && t !== document.body && t !== rootRef.current))) return
    // Space and Enter on a focused button would also click it: the screen's meaning wins.
    e.preventDefault()
    runCommand(c)
  }
  useEffect(() => {
    keyHandler.current = onKey
  })
  useEffect(() => {
    const h = (e: KeyboardEvent): void => keyHandler.current(e)
    window.addEventListener('keydown', h)
    return () => window.removeEventListener('keydown', h)
  }, [])

  // Must-listen progress and stats refresh while playing (cheap re-render, fixed layout).
  useEffect(() => {
    if (!player.playing) return
    const id = setInterval(() => setTick((t) => t + 1), 250)
    return () => clearInterval(id)
  })

  // Test and status hooks on the player element, updated every frame without re-rendering.
  useAnimationFrame(() => {
    const el = rootRef.current
    if (!el || !pair) return
    const side = player.side
    const pos = player.position()
    const heard = player.listenedMs()
    el.dataset.side = side
    el.dataset.playing = String(player.playing)
    el.dataset.outPos = pos.toFixed(4)
    el.dataset.sourcePos = sourcePositionAt(pair.sides[side].timeline, pos).toFixed(4)
    el.dataset.listenedAMs = String(Math.round(heard.a))
    el.dataset.listenedBMs = String(Math.round(heard.b))
    el.dataset.switches = String(player.switches)
    if (timeRef.current)
      timeRef.current.textContent = `${formatTime(pos)} / ${formatTime(pair.sides[side].timeline.durationS)}`
  })

  const sessionHours = session.startedAt === null ? 0 : Math.max(0, now - session.startedAt) / 3_600_000
  const sessionRate = session.verdicts > 0 && sessionHours > 0 ? session.verdicts / sessionHours : null

  const statsPanel = (
    <section className="panel stats" aria-label="Session stats" data-testid="stats-panel">
      <h2>Session</h2>
      <dl>
        <dt>Pairs judged</dt>
        <dd data-testid="stat-session-judged">{session.verdicts}</dd>
        <dt>Pairs / hour</dt>
        <dd>{sessionRate === null ? '—' : Math.round(sessionRate)}</dd>
        <dt>Self-consistency</dt>
        <dd data-testid="stat-consistency">
          {stats?.selfConsistency == null
            ? '—'
            : `${Math.round(stats.selfConsistency * 100)}% (${stats.repeatsJudged})`}
        </dd>
        <dt>All-time judged</dt>
        <dd data-testid="stat-judged">{stats ? stats.judged : '—'}</dd>
        <dt>All-time skipped</dt>
        <dd>{stats ? stats.skipped : '—'}</dd>
        <dt>Reward model</dt>
        <dd>
          {stats?.rewardModelAgreement == null ? 'none yet' : `${Math.round(stats.rewardModelAgreement * 100)}% agree`}
        </dd>
      </dl>
    </section>
  )

  const cheatsheet = help && (
    <section className="panel cheatsheet" aria-label="Keyboard shortcuts" data-testid="cheatsheet">
      <h2>Keys</h2>
      <dl>
        {CHEATSHEET.map(([k, v]) => (
          <div key={k} className="cheatsheet__row">
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  )

  if (phase === 'empty' || phase === 'failed' || (phase === 'loading' && !pair)) {
    return (
      <div className="listen" data-testid="ab-screen" data-phase={phase}>
        <div className="listen__main">
          {phase === 'loading' && (
            <div className="panel listen__placeholder" aria-busy="true">
              <p className="muted">Rendering and decoding both edits…</p>
            </div>
          )}
          {phase === 'empty' && (
            <EmptyState title="No pairs queued: generate edits or import songs." testId="listen-empty">
              <div className="row">
                <button type="button" className="btn btn--primary" onClick={() => navigate('edits')}>
                  Generate edits
                </button>
                <button type="button" className="btn" onClick={() => navigate('library')}>
                  Import songs
                </button>
                <button type="button" className="btn" onClick={() => void loadFresh()} data-testid="listen-refresh">
                  Check again
                </button>
              </div>
            </EmptyState>
          )}
          {phase === 'failed' && (
            <div className="banner banner--error" role="alert">
              Could not load the next pair: {loadError}{' '}
              <button type="button" className="btn" onClick={() => void loadFresh()}>
                Retry
              </button>
            </div>
          )}
        </div>
        <aside className="listen__side">
          {statsPanel}
          {cheatsheet}
        </aside>
      </div>
    )
  }

  const p = pair as LoadedPair
  const loop = player.loop
  const current = player.side
  const markers = (s: SideName): WaveformMarker[] => [
    ...p.sides[s].bars.map((t): WaveformMarker => ({ t, kind: 'bar' })),
    ...p.sides[s].splices.map((sp): WaveformMarker => ({
      t: sp.t,
      kind: 'splice',
      title: `splice (${sp.action.toLowerCase()})${sp.crossfadeS > 0 ? `, ${Math.round(sp.crossfadeS * 1000)} ms crossfade` : ''}`
    })),
    ...marks
      .filter((m) => m.side === s)
      .map((m): WaveformMarker => ({ t: m.atS, kind: 'mark', title: `problem at ${formatTime(m.atS)}` }))
  ]
  const revealed = phase === 'revealed' && reveal !== null
  // Both waveforms share one time scale, so the shorter edit looks shorter.
  const longest = Math.max(p.sides.a.timeline.durationS, p.sides.b.timeline.durationS, 1e-3)

  return (
    <div className="listen" data-testid="ab-screen" data-phase={phase}>
      <section
        className="listen__main"
        ref={rootRef}
        tabIndex={-1}
        data-testid="ab-player"
        data-pair-id={p.p.pairId}
        data-shown-a={p.sides.a.edit.id}
        data-shown-b={p.sides.b.edit.id}
        aria-label="A/B player"
      >
        <div className="listen__head">
          <h1 className="listen__title">
            {p.p.songTitle}
            {p.p.isRepeat && (
              <span className="tag" title="A pair you judged before, shown again">
                repeat
              </span>
            )}
          </h1>
          <span className="muted">
            pair #{p.p.pairId} · {p.p.remainingInQueue} queued
          </span>
        </div>

        <div className="transport" role="group" aria-label="Playback">
          <button
            type="button"
            className="btn btn--primary transport__play"
            onClick={() => void attempt(() => player.toggle())}
            disabled={phase !== 'listening'}
            aria-label={player.playing ? 'Pause (Space)' : 'Play (Space)'}
            data-testid="play-toggle"
          >
            {player.playing ? '❚❚ Pause' : '▶ Play'}
          </button>
          {(['a', 'b'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={`btn side-btn${current === s ? ' side-btn--on' : ''}`}
              aria-pressed={current === s}
              aria-label={`Listen to ${s.toUpperCase()} (${s.toUpperCase()} key)`}
              onClick={() => switchTo(s)}
              disabled={phase !== 'listening'}
              data-testid={`switch-${s}`}
            >
              {s.toUpperCase()}
            </button>
          ))}
          <button
            type="button"
            className={`btn${loop ? ' btn--on' : ''}`}
            onClick={loopBar}
            disabled={phase !== 'listening'}
            aria-pressed={loop !== null}
            aria-label="Loop the bar around the playhead (L)"
            data-testid="loop-bar"
          >
            ⟲ Loop bar
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => stepBars(-1)}
            disabled={phase !== 'listening'}
            aria-label="Back one bar (Left arrow)"
          >
            ◀ bar
          </button>
          <button
            type="button"
            className="btn"
            onClick={() => stepBars(1)}
            disabled={phase !== 'listening'}
            aria-label="Forward one bar (Right arrow)"
          >
            bar ▶
          </button>
          <button
            type="button"
            className="btn"
            onClick={addMark}
            disabled={phase !== 'listening'}
            aria-label="Mark a problem here (M)"
            data-testid="mark"
          >
            ⚑ Mark
          </button>
          <span className="transport__time mono" ref={timeRef} aria-live="off" />
        </div>
        <p className="switch-info muted" aria-live="polite">
          {loop ? `Looping ${formatTime(loop.startS)}–${formatTime(loop.endS)} on ${current.toUpperCase()} · ` : ''}
          {switchInfo ?? ' '}
        </p>

        {(['a', 'b'] as const).map((s) => (
          <div key={s} className={`side${current === s ? ' side--active' : ''}`}>
            <div className="side__label">
              <span className="side__letter">{s.toUpperCase()}</span>
              <span className="muted mono">{formatTime(p.sides[s].timeline.durationS)}</span>
              <span className="muted">{p.sides[s].splices.length} splices</span>
              {revealed && (
                <span className="provenance" data-testid={`provenance-${s}`}>
                  {provenance(s === 'a' ? reveal.a : reveal.b)}
                </span>
              )}
            </div>
            <div style={{ width: `${(p.sides[s].timeline.durationS / longest) * 100}%` }}>
              <Waveform
                peaks={p.sides[s].peaks}
                durationS={p.sides[s].timeline.durationS}
                label={`Waveform of ${s.toUpperCase()}`}
                testId={`waveform-${s}`}
                active={current === s}
                position={() => (player.side === s ? player.position() : null)}
                loop={current === s ? loop : null}
                markers={markers(s)}
                onSeek={(t) => phase === 'listening' && seekSide(s, t)}
                onLoop={(r) => phase === 'listening' && loopSide(s, r)}
              />
            </div>
          </div>
        ))}

        <EditMap
          lanes={[
            { label: 'A', actions: p.sides.a.edit.actions, active: current === 'a' },
            { label: 'B', actions: p.sides.b.edit.actions, active: current === 'b' }
          ]}
          beatTimes={p.p.beatGrid.times}
          songDurationS={p.songDurationS}
          sourcePosition={() => sourcePositionAt(p.sides[player.side].timeline, player.position())}
        />

        <div className="listen-rule" data-testid="must-listen" data-met={status?.met ?? false}>
          <div className="listen-rule__bars">
            <span>A</span>
            <ProgressBar value={status?.progress.a ?? 0} label="Heard enough of A" />
            <span>B</span>
            <ProgressBar value={status?.progress.b ?? 0} label="Heard enough of B" />
          </div>
          <p
            className={`listen-rule__reason${blocked && !status?.met ? ' listen-rule__reason--blocked' : ''}`}
            role={blocked && !status?.met ? 'alert' : undefined}
            data-testid="must-listen-reason"
          >
            {phase === 'revealed'
              ? ' '
              : status?.met
                ? 'Both sides heard: give your verdict.'
                : (status?.reason ?? ' ')}
          </p>
        </div>

        <div className="verdicts" role="group" aria-label="Verdict">
          {VERDICT_BUTTONS.map((b) => (
            <button
              key={b.key}
              type="button"
              className={`btn verdict verdict--${b.testId}`}
              onClick={() => void submit(b.value.verdict, b.value.strength)}
              disabled={phase !== 'listening' || busy}
              aria-label={`${b.label} (key ${b.key})`}
              data-testid={b.testId}
            >
              <kbd>{b.key}</kbd> {b.label}
            </button>
          ))}
          <button
            type="button"
            className="btn verdict"
            onClick={() => void submit('skip', null)}
            disabled={phase !== 'listening' || busy}
            aria-label="Skip this pair (S)"
            data-testid="verdict-skip"
          >
            <kbd>S</kbd> Skip
          </button>
        </div>

        <div className="row note-row">
          <label htmlFor="verdict-note">Note</label>
          <input
            id="verdict-note"
            className="grow"
            value={note}
            onChange={(e) => setNote(e.target.value)}
            maxLength={2000}
            placeholder="Optional: what decided it (Esc to leave the field)"
            disabled={phase !== 'listening'}
            data-testid="verdict-note"
          />
          <span className="muted" data-testid="marks-count">
            {marks.length} mark{marks.length === 1 ? '' : 's'}
          </span>
        </div>

        <div className={`reveal${revealed ? ' reveal--on' : ''}`} data-testid="reveal" aria-live="polite">
          {revealed && (
            <>
              <strong>{verdictLabel(reveal.verdict.verdict, reveal.verdict.strength)}</strong> saved. A was{' '}
              {provenance(reveal.a)}; B was {provenance(reveal.b)}.
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => void goNext()}
                data-testid="next-pair"
                aria-label="Next pair (Enter)"
              >
                Next ⏎
              </button>
              <button
                type="button"
                className="btn"
                onClick={() => void undo()}
                data-testid="undo"
                aria-label="Undo this verdict (Z)"
              >
                Undo Z
              </button>
            </>
          )}
        </div>
      </section>
      <aside className="listen__side">
        {statsPanel}
        {cheatsheet}
        <button
          type="button"
          className="btn"
          onClick={() => setHelp((h) => !h)}
          aria-expanded={help}
          data-testid="toggle-help"
        >
          {help ? 'Hide keys (?)' : 'Show keys (?)'}
        </button>
      </aside>
    </div>
  )
}
