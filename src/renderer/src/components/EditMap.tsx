import { useRef } from 'react'
import { ACTIONS } from '../../../shared/actions'
import { editMapSpans } from '../lib/timeline'
import { useAnimationFrame } from './useAnimationFrame'

/** One colour per action id (KEEP .. JUMP), shared by the edit map and its legend. */
export const ACTION_COLOURS: readonly string[] = [
  '#3f8f5a', // KEEP
  '#2a2f3a', // CUT
  '#d9a03f', // LOOP
  '#8a6fe0', // CROSSFADE
  '#e0608a', // REORDER
  '#e07a3f', // LOOP_BAR
  '#4fb3c8', // FADE_IN
  '#2f7d91', // FADE_OUT
  '#c8c84f' // JUMP
]

export interface EditMapLane {
  label: string
  actions: readonly number[]
  active?: boolean
}

export interface EditMapProps {
  lanes: readonly EditMapLane[]
  beatTimes: readonly number[]
  songDurationS: number
  /** Source position to mark, polled every frame; null hides it. */
  sourcePosition?: () => number | null
  testId?: string
}

/**
 * Each edit drawn on the shared source timeline: what it kept, cut, looped, crossfaded, reordered,
 * coloured per action, with a legend and the current source position.
 */
export function EditMap(props: EditMapProps): React.JSX.Element {
  const head = useRef<HTMLDivElement>(null)
  const dur = Math.max(1e-6, props.songDurationS)
  useAnimationFrame(() => {
    const el = head.current
    if (!el || !props.sourcePosition) return
    const p = props.sourcePosition()
    el.style.visibility = p === null ? 'hidden' : 'visible'
    if (p !== null) el.style.left = `${Math.min(100, (p / dur) * 100).toFixed(3)}%`
  }, props.sourcePosition !== undefined)
  const used = new Set<number>()
  for (const l of props.lanes) for (const a of l.actions) used.add(a)
  return (
    <figure className="edit-map" data-testid={props.testId ?? 'edit-map'} aria-label="Edit map on the source timeline">
      <div className="edit-map__lanes">
        {props.lanes.map((lane) => (
          <div key={lane.label} className={`edit-map__lane${lane.active ? ' edit-map__lane--active' : ''}`}>
            <span className="edit-map__label">{lane.label}</span>
            <svg
              className="edit-map__bar"
              viewBox={`0 0 ${dur} 1`}
              preserveAspectRatio="none"
              role="img"
              aria-label={`${lane.label} edit map`}
            >
              {editMapSpans(lane.actions, props.beatTimes, dur).map((s, i) => (
                <rect
                  key={i}
                  x={s.startS}
                  y={0}
                  width={Math.max(0, s.endS - s.startS)}
                  height={1}
                  fill={ACTION_COLOURS[s.action] ?? '#888'}
                >
                  <title>{`${ACTIONS[s.action] ?? s.action}: ${s.startS.toFixed(1)}–${s.endS.toFixed(1)} s`}</title>
                </rect>
              ))}
            </svg>
          </div>
        ))}
        {props.sourcePosition && <div ref={head} className="edit-map__head" aria-hidden="true" />}
      </div>
      <figcaption className="legend">
        {ACTIONS.map((name, id) => (
          <span key={name} className={`legend__item${used.has(id) ? '' : ' legend__item--unused'}`}>
            <i style={{ background: ACTION_COLOURS[id] }} aria-hidden="true" />
            {name.toLowerCase().replace('_', ' ')}
          </span>
        ))}
        <span className="legend__item">
          <i className="legend__source" aria-hidden="true" />
          source position
        </span>
      </figcaption>
    </figure>
  )
}
