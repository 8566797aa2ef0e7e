import type { AbPlayer, Loop } from '../../../audio/ab-player'
import type { ProblemMark } from '../../../../../shared/domain'
import { Waveform, type WaveformMarker } from '../../../components/Waveform'
import { formatTime } from '../../../lib/timeline'
import { waveformWidthFraction } from '../../../lib/waveform-width'
import type { LoadedSide, SideName } from '../load-pair'

/** An equal-width flat trace: where the playhead is, nothing about the edit's length or splices. */
const NEUTRAL_PEAKS = new Float32Array(2)

/**
 * One side of the pair: its waveform with bar lines, splice markers, problem marks and the loop; in
 * blind mode, before the verdict, only a neutral bar with the playhead (length, splices and shape
 * could tell which edit is which).
 */
export function SidePanel(props: {
  side: SideName
  data: LoadedSide
  longestS: number
  player: AbPlayer
  blind: boolean
  provenance: string | null
  marks: readonly ProblemMark[]
  enabled: boolean
  onSeek: (t: number) => void
  onLoop: (r: Loop) => void
}): React.JSX.Element {
  const { side, data, player, blind } = props
  const active = player.side === side
  const durationS = data.timeline.durationS
  const markers: WaveformMarker[] = blind
    ? []
    : [
        ...data.bars.map((t): WaveformMarker => ({ t, kind: 'bar' })),
        ...data.splices.map((sp): WaveformMarker => ({
          t: sp.t,
          kind: 'splice',
          title: `splice (${sp.action.toLowerCase()})${sp.crossfadeS > 0 ? `, ${Math.round(sp.crossfadeS * 1000)} ms crossfade` : ''}`
        })),
        ...props.marks
          .filter((m) => m.side === side)
          .map((m): WaveformMarker => ({ t: m.atS, kind: 'mark', title: `problem at ${formatTime(m.atS)}` }))
      ]
  const letter = side.toUpperCase()
  return (
    <div className={`side${active ? ' side--active' : ''}`} data-testid={`side-${side}`} data-blind={blind}>
      <div className="side__label">
        <span className="side__letter">{letter}</span>
        {blind ? (
          <span className="muted" data-testid={`blind-note-${side}`}>
            length and splices shown after the verdict
          </span>
        ) : (
          <>
            <span className="muted mono">{formatTime(durationS)}</span>
            <span className="muted" data-testid={`splice-count-${side}`}>
              {data.splices.length} splices
            </span>
          </>
        )}
        {props.provenance !== null && (
          <span className="provenance" data-testid={`provenance-${side}`}>
            {props.provenance}
          </span>
        )}
      </div>
      <div style={{ width: `${(blind ? 1 : waveformWidthFraction(durationS, props.longestS)) * 100}%` }}>
        <Waveform
          peaks={blind ? NEUTRAL_PEAKS : data.peaks}
          durationS={durationS}
          label={`${blind ? 'Position in' : 'Waveform of'} ${letter}`}
          testId={blind ? `neutral-${side}` : `waveform-${side}`}
          active={active}
          position={() => (player.side === side ? player.position() : null)}
          loop={active ? player.loop : null}
          markers={markers}
          onSeek={(t) => props.enabled && props.onSeek(t)}
          onLoop={(r) => props.enabled && props.onLoop(r)}
        />
      </div>
    </div>
  )
}
