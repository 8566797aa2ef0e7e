import type { AbPlayer, Side } from '../../../audio/ab-player'
import type { SideControls } from '../use-side-controls'

const SIDE_LABEL: Record<Side, string> = { a: 'A', b: 'B', r: 'Original' }

/** Play/pause, the sides (A, B and the original on R), loop, bar steps, mark, volume; always says what is playing. */
export function TransportBar(props: {
  player: AbPlayer
  controls: SideControls
  enabled: boolean
  volume: number
  onVolume: (v: number) => void
  onMark: () => void
  onToggle: () => void
  timeRef: React.RefObject<HTMLSpanElement | null>
}): React.JSX.Element {
  const { player, controls, enabled, volume, onVolume, onMark, onToggle, timeRef } = props
  const current = player.side
  const loop = player.loop
  return (
    <div className="transport" role="group" aria-label="Playback">
      <button
        type="button"
        className="btn btn--primary transport__play"
        onClick={onToggle}
        disabled={!enabled}
        aria-label={player.playing ? 'Pause (Space)' : 'Play (Space)'}
        data-testid="play-toggle"
      >
        {player.playing ? '❚❚ Pause' : '▶ Play'}
      </button>
      {(['a', 'b', 'r'] as const).map((s) => (
        <button
          key={s}
          type="button"
          className={`btn side-btn${current === s ? ' side-btn--on' : ''}${s === 'r' ? ' side-btn--ref' : ''}`}
          aria-pressed={current === s}
          aria-label={
            s === 'r' ? 'Listen to the original song (R key)' : `Listen to ${SIDE_LABEL[s]} (${SIDE_LABEL[s]} key)`
          }
          onClick={() => controls.switchTo(s)}
          disabled={!enabled}
          data-testid={`switch-${s}`}
        >
          {s === 'r' ? 'R original' : SIDE_LABEL[s]}
        </button>
      ))}
      <span
        className={`now-playing now-playing--${current}${player.playing ? ' now-playing--on' : ''}`}
        role="status"
        data-testid="now-playing"
        data-side={current}
      >
        {player.playing ? '▶ Playing' : '❚❚ Paused on'} {SIDE_LABEL[current]}
      </span>
      <button
        type="button"
        className={`btn${loop ? ' btn--on' : ''}`}
        onClick={controls.loopBar}
        disabled={!enabled}
        aria-pressed={loop !== null}
        aria-label="Loop the bar around the playhead (L)"
        data-testid="loop-bar"
      >
        ⟲ Loop bar
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => controls.stepBars(-1)}
        disabled={!enabled}
        aria-label="Back one bar (Left arrow)"
      >
        ◀ bar
      </button>
      <button
        type="button"
        className="btn"
        onClick={() => controls.stepBars(1)}
        disabled={!enabled}
        aria-label="Forward one bar (Right arrow)"
      >
        bar ▶
      </button>
      <button
        type="button"
        className="btn"
        onClick={onMark}
        disabled={!enabled}
        aria-label="Mark a problem here (M)"
        data-testid="mark"
      >
        ⚑ Mark
      </button>
      <label className="volume">
        <span className="muted small">Volume</span>
        <input
          type="range"
          min={0}
          max={1}
          step={0.05}
          value={volume}
          onChange={(e) => onVolume(Number(e.target.value))}
          aria-label="Volume"
          data-testid="volume"
        />
      </label>
      <span className="transport__time mono" ref={timeRef} aria-live="off" />
    </div>
  )
}
