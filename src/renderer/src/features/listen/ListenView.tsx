import { useEffect, useRef, useState } from 'react'
import { queryKeys, useApiQuery } from '../../api/queries'
import { useAbPlayer } from '../../audio/use-ab-player'
import type { Annotator, EditDetail, ProblemMark } from '../../../../shared/domain'
import { DEFAULT_LISTEN_PREFS, type ListenPrefs } from '../../../../shared/settings'
import { useApp } from '../../components/app-context'
import { EditMap } from '../../components/EditMap'
import { EmptyState, ProgressBar } from '../../components/ui'
import { useAnimationFrame } from '../../components/useAnimationFrame'
import { useNow } from '../../components/useNow'
import { sourcePositionAt } from '../../lib/switching'
import { formatTime } from '../../lib/timeline'
import type { LoadedPair } from './load-pair'
import { listenStatus } from './logic/must-listen'
import { verdictLabel, type ListenCommand } from './logic/keys'
import { breakDue } from './session'
import { sideControls, sideData } from './use-side-controls'
import { useListenKeys } from './use-listen-keys'
import { useListenSession } from './use-listen-session'
import { Cheatsheet } from './panels/Cheatsheet'
import { Instructions } from './panels/Instructions'
import { SessionStats } from './panels/SessionStats'
import { SidePanel } from './panels/SidePanel'
import { TransportBar } from './panels/TransportBar'
import { VerdictBar } from './panels/VerdictBar'

function provenance(e: EditDetail | null): string {
  if (!e) return '…'
  const parts = [e.generator]
  if (e.policyId !== null) parts.push(`policy ${e.policyId}${e.policyVersion !== null ? ` v${e.policyVersion}` : ''}`)
  if (e.seed !== null) parts.push(`seed ${e.seed}`)
  if (e.targetDurationS !== null) parts.push(`target ${Math.round(e.targetDurationS)} s`)
  return `${parts.join(', ')} · edit #${e.id}`
}

/** This annotator's A/B screen preferences (Settings), and a setter that stores them. */
function useListenPrefs(annotatorId: number): [ListenPrefs, (patch: Partial<ListenPrefs>) => void] {
  const { settings, updateSettings } = useApp()
  const prefs = { ...DEFAULT_LISTEN_PREFS, ...settings.listenPrefs[String(annotatorId)] }
  const set = (patch: Partial<ListenPrefs>): void =>
    void updateSettings({ listenPrefs: { ...settings.listenPrefs, [String(annotatorId)]: { ...prefs, ...patch } } })
  return [prefs, set]
}

/** The A/B screen: two blind edits of one song, seamless switching, verdicts by keyboard or mouse. */
export function ListenView(props: { annotator: Annotator }): React.JSX.Element {
  const { settings, attempt, notify, navigate } = useApp()
  const annotatorId = props.annotator.id
  const [prefs, setPrefs] = useListenPrefs(annotatorId)
  const player = useAbPlayer(settings.switchCrossfadeMs)
  const session = useListenSession({ annotatorId, player, settings, prefs })
  const { state, act } = session
  const { phase, pair } = state
  const stats = useApiQuery(queryKeys.annotatorStats(annotatorId), 'annotators.stats', { annotatorId }).data ?? null
  const now = useNow(1000)
  const [breakDismissedAt, setBreakDismissedAt] = useState<number | null>(null)
  const rootRef = useRef<HTMLElement>(null)
  const timeRef = useRef<HTMLSpanElement>(null)
  const [volume, setVolumeState] = useState(prefs.volume)
  useEffect(() => player.setVolume(volume), [player, volume])

  const listening = phase === 'listening'
  const controls = sideControls(player, pair, (text) => act({ type: 'switchInfo', text }))

  const addMark = (): void => {
    if (!pair || !listening || player.side === 'r') return
    const mark: ProblemMark = { side: player.side, atS: Math.round(player.position() * 1000) / 1000 }
    act({ type: 'mark', mark })
    notify('info', `Problem marked on ${mark.side.toUpperCase()} at ${formatTime(mark.atS)}`)
  }
  const toggle = (): void => void attempt(() => player.toggle())

  const run = (c: ListenCommand): void => {
    if (phase === 'instructions') {
      if (c.type === 'next') session.start()
      else if (c.type === 'help') setPrefs({ keysHidden: !prefs.keysHidden })
      return
    }
    switch (c.type) {
      case 'playPause':
        if (listening) toggle()
        break
      case 'switch':
        if (listening) controls.switchTo(c.to === 'other' ? (player.side === 'a' ? 'b' : 'a') : c.to)
        break
      case 'reference':
        if (listening) controls.switchTo('r')
        break
      case 'verdict':
        void session.submit(c.verdict, c.strength)
        break
      case 'tag':
        act({ type: 'toggleTag', tag: c.tag })
        break
      case 'mark':
        addMark()
        break
      case 'loopBar':
        if (listening) controls.loopBar()
        break
      case 'bar':
        if (listening) controls.stepBars(c.delta)
        break
      case 'undo':
        void session.undo()
        break
      case 'next':
        if (phase === 'revealed') void session.next()
        break
      case 'help':
        setPrefs({ keysHidden: !prefs.keysHidden })
        break
    }
  }
  useListenKeys(run, settings.reasonTags)

  // Status and test hooks on the player element, updated every frame without re-rendering.
  useAnimationFrame(() => {
    const el = rootRef.current
    if (!el || !pair) return
    const side = player.side
    const pos = player.position()
    const heard = player.listenedMs()
    const timeline = sideData(pair, side).timeline
    el.dataset.side = side
    el.dataset.playing = String(player.playing)
    el.dataset.outPos = pos.toFixed(4)
    el.dataset.sourcePos = sourcePositionAt(timeline, pos).toFixed(4)
    el.dataset.listenedAMs = String(Math.round(heard.a))
    el.dataset.listenedBMs = String(Math.round(heard.b))
    el.dataset.switches = String(player.switches)
    el.dataset.nextReady = String(session.nextReady())
    el.dataset.autoplayAt =
      session.autoplayStartedAt.current === null ? '' : session.autoplayStartedAt.current.toFixed(1)
    if (timeRef.current) {
      // Blind: the position only; the length would tell the edits apart.
      const blindNow = settings.blindMode && phase !== 'revealed' && side !== 'r'
      timeRef.current.textContent = blindNow
        ? formatTime(pos)
        : `${formatTime(pos)} / ${formatTime(timeline.durationS)}`
    }
  })

  const aside = (
    <aside className="listen__side">
      <SessionStats session={state.session} goal={settings.sessionGoal} now={now} stats={stats} />
      {!prefs.keysHidden && <Cheatsheet tags={settings.reasonTags} />}
      <button
        type="button"
        className="btn"
        onClick={() => setPrefs({ keysHidden: !prefs.keysHidden })}
        aria-expanded={!prefs.keysHidden}
        data-testid="toggle-help"
      >
        {prefs.keysHidden ? 'Show keys (?)' : 'Hide keys (?)'}
      </button>
    </aside>
  )

  if (phase === 'instructions' || phase === 'empty' || phase === 'failed' || (phase === 'loading' && !pair)) {
    return (
      <div className="listen" data-testid="ab-screen" data-phase={phase}>
        <div className="listen__main">
          {phase === 'instructions' && (
            <Instructions text={settings.instructions} goal={settings.sessionGoal} onStart={session.start} />
          )}
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
                <button
                  type="button"
                  className="btn"
                  onClick={() => void session.reload()}
                  data-testid="listen-refresh"
                >
                  Check again
                </button>
              </div>
            </EmptyState>
          )}
          {phase === 'failed' && (
            <div className="banner banner--error" role="alert">
              Could not load the next pair: {state.loadError}{' '}
              <button type="button" className="btn" onClick={() => void session.reload()}>
                Retry
              </button>
            </div>
          )}
        </div>
        {aside}
      </div>
    )
  }

  const p = pair as LoadedPair
  const revealed = phase === 'revealed' && state.reveal !== null
  const blind = settings.blindMode && !revealed
  const current = player.side
  const loop = player.loop
  const status = listenStatus({
    listenedMs: player.listenedMs(),
    durationS: { a: p.sides.a.timeline.durationS, b: p.sides.b.timeline.durationS },
    mustListenS: settings.mustListenS
  })
  const longest = Math.max(p.sides.a.timeline.durationS, p.sides.b.timeline.durationS, 1e-3)
  const showBreak = breakDue(state.session, now, settings.breakEveryMin, breakDismissedAt)

  return (
    <div className="listen" data-testid="ab-screen" data-phase={phase} data-blind={blind}>
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
        {showBreak && (
          <div className="banner" role="status" data-testid="break-reminder">
            {settings.breakEveryMin} minutes of listening: rest your ears for a minute.{' '}
            <button type="button" className="btn btn--small" onClick={() => setBreakDismissedAt(Date.now())}>
              Continue
            </button>
          </div>
        )}
        <div className="listen__head">
          <h1 className="listen__title">
            {p.p.songTitle}
            {revealed && p.p.isRepeat && (
              <span className="tag" title="A pair you judged before, shown again" data-testid="repeat-label">
                repeat
              </span>
            )}
          </h1>
          <span className="muted" data-testid="queue-count">
            pair #{p.p.pairId} · {p.p.remainingInQueue} more queued
          </span>
        </div>

        <TransportBar
          player={player}
          controls={controls}
          enabled={listening}
          volume={volume}
          onVolume={(v) => {
            setVolumeState(v)
            setPrefs({ volume: v })
          }}
          onMark={addMark}
          onToggle={toggle}
          timeRef={timeRef}
        />
        <p className="switch-info muted" aria-live="polite">
          {loop ? `Looping ${formatTime(loop.startS)}–${formatTime(loop.endS)} on ${current.toUpperCase()} · ` : ''}
          {state.switchInfo ?? ' '}
        </p>

        {(['a', 'b'] as const).map((s) => (
          <SidePanel
            key={s}
            side={s}
            data={p.sides[s]}
            longestS={longest}
            player={player}
            blind={blind}
            provenance={revealed ? provenance(s === 'a' ? state.reveal!.a : state.reveal!.b) : null}
            marks={state.marks}
            enabled={listening}
            onSeek={(t) => controls.seekSide(s, t)}
            onLoop={(r) => controls.loopSide(s, r)}
          />
        ))}

        {blind ? (
          <p className="muted small blind-note" data-testid="blind-mode">
            Blind mode: waveforms, splices and the edit map appear after your verdict.
          </p>
        ) : (
          <EditMap
            lanes={[
              { label: 'A', actions: p.sides.a.edit.actions, active: current === 'a' },
              { label: 'B', actions: p.sides.b.edit.actions, active: current === 'b' }
            ]}
            beatTimes={p.p.beatGrid.times}
            songDurationS={p.songDurationS}
            sourcePosition={() => sourcePositionAt(sideData(p, player.side).timeline, player.position())}
          />
        )}

        <div className="listen-rule" data-testid="must-listen" data-met={status.met}>
          <div className="listen-rule__bars">
            <span>A</span>
            <ProgressBar value={status.progress.a} label="Heard enough of A" />
            <span>B</span>
            <ProgressBar value={status.progress.b} label="Heard enough of B" />
          </div>
          <p
            className={`listen-rule__reason${state.blocked && !status.met ? ' listen-rule__reason--blocked' : ''}`}
            role={state.blocked && !status.met ? 'alert' : undefined}
            data-testid="must-listen-reason"
          >
            {phase === 'revealed' ? ' ' : status.met ? 'Both sides heard: give your verdict.' : (status.reason ?? ' ')}
          </p>
        </div>

        <VerdictBar
          enabled={listening && !state.busy}
          tags={settings.reasonTags}
          chosenTags={state.tags}
          note={state.note}
          marks={state.marks.length}
          onVerdict={(v, strength) => void session.submit(v, strength)}
          onTag={(tag) => act({ type: 'toggleTag', tag })}
          onNote={(note) => act({ type: 'note', note })}
        />

        <div className={`reveal${revealed ? ' reveal--on' : ''}`} data-testid="reveal" aria-live="polite">
          {revealed && (
            <>
              <strong>{verdictLabel(state.reveal!.verdict.verdict, state.reveal!.verdict.strength)}</strong> saved
              {state.reveal!.verdict.tags.length > 0 ? ` (${state.reveal!.verdict.tags.join(', ')})` : ''}. A was{' '}
              {provenance(state.reveal!.a)}; B was {provenance(state.reveal!.b)}.
              {prefs.autoAdvance && <span className="muted"> Next pair in a moment (Z to undo).</span>}
              <button
                type="button"
                className="btn btn--primary"
                onClick={() => void session.next()}
                data-testid="next-pair"
                aria-label="Next pair (Enter)"
              >
                Next ⏎
              </button>
              <button
                type="button"
                className="btn"
                onClick={() => void session.undo()}
                data-testid="undo"
                aria-label="Undo this verdict (Z)"
              >
                Undo Z
              </button>
            </>
          )}
        </div>
      </section>
      {aside}
    </div>
  )
}
