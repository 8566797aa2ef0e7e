import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent } from 'react'
import { useAnimationFrame } from './useAnimationFrame'

export interface WaveformMarker {
  t: number
  kind: 'splice' | 'mark' | 'bar' | 'beat'
  title?: string
}

export interface WaveformProps {
  /** Interleaved min/max pairs. */
  peaks: ArrayLike<number>
  durationS: number
  label: string
  testId?: string
  active?: boolean
  /** Playhead position source, polled every frame; null hides the playhead. */
  position?: () => number | null
  loop?: { startS: number; endS: number } | null
  markers?: readonly WaveformMarker[]
  height?: number
  onSeek?: (t: number) => void
  onLoop?: (region: { startS: number; endS: number }) => void
}

const DRAG_PX = 5

/**
 * A waveform on a canvas with an overlay for the playhead, loop region and markers. Click seeks,
 * dragging selects a loop region; the playhead moves by transform only, so nothing reflows while
 * playing.
 */
export function Waveform(props: WaveformProps): React.JSX.Element {
  const { peaks, durationS, height = 96 } = props
  const wrap = useRef<HTMLDivElement>(null)
  const canvas = useRef<HTMLCanvasElement>(null)
  const head = useRef<HTMLDivElement>(null)
  const [width, setWidth] = useState(0)
  const [drag, setDrag] = useState<{ x0: number; x1: number; left: number; width: number } | null>(null)

  useEffect(() => {
    const el = wrap.current
    if (!el) return
    const ro = new ResizeObserver(() => setWidth(el.clientWidth))
    ro.observe(el)
    setWidth(el.clientWidth)
    return () => ro.disconnect()
  }, [])

  useEffect(() => {
    const c = canvas.current
    if (!c || width === 0) return
    const dpr = window.devicePixelRatio || 1
    c.width = Math.round(width * dpr)
    c.height = Math.round(height * dpr)
    const g = c.getContext('2d')
    if (!g) return
    g.setTransform(dpr, 0, 0, dpr, 0, 0)
    g.clearRect(0, 0, width, height)
    const n = Math.floor(peaks.length / 2)
    if (n === 0) return
    const mid = height / 2
    g.fillStyle = props.active === false ? '#55607a' : '#7fb2ff'
    for (let x = 0; x < width; x++) {
      const i = Math.min(n - 1, Math.floor((x / width) * n))
      const lo = peaks[2 * i] as number
      const hi = peaks[2 * i + 1] as number
      const y0 = mid - Math.max(0, hi) * mid * 0.95
      const y1 = mid - Math.min(0, lo) * mid * 0.95
      g.fillRect(x, y0, 1, Math.max(1, y1 - y0))
    }
  }, [peaks, width, height, props.active])

  useAnimationFrame(() => {
    const el = head.current
    if (!el || !props.position) return
    const p = props.position()
    if (p === null || durationS <= 0) {
      el.style.visibility = 'hidden'
      return
    }
    el.style.visibility = 'visible'
    el.style.transform = `translateX(${(Math.min(1, p / durationS) * width).toFixed(1)}px)`
  }, props.position !== undefined)

  const timeAt = (clientX: number): number => {
    const r = wrap.current?.getBoundingClientRect()
    if (!r || r.width === 0) return 0
    return Math.min(durationS, Math.max(0, ((clientX - r.left) / r.width) * durationS))
  }
  const xOf = (t: number): number => (durationS > 0 ? (t / durationS) * 100 : 0)

  const onPointerDown = (e: PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return
    e.currentTarget.setPointerCapture(e.pointerId)
    const r = e.currentTarget.getBoundingClientRect()
    setDrag({ x0: e.clientX, x1: e.clientX, left: r.left, width: r.width })
  }
  const onPointerMove = (e: PointerEvent<HTMLDivElement>): void => {
    if (drag) setDrag({ ...drag, x1: e.clientX })
  }
  const onPointerUp = (e: PointerEvent<HTMLDivElement>): void => {
    if (!drag) return
    setDrag(null)
    if (Math.abs(e.clientX - drag.x0) < DRAG_PX) props.onSeek?.(timeAt(e.clientX))
    else {
      const a = timeAt(Math.min(drag.x0, e.clientX))
      const b = timeAt(Math.max(drag.x0, e.clientX))
      props.onLoop?.({ startS: a, endS: b })
    }
  }
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    // Arrow keys belong to the page-level bar navigation; the waveform itself only takes Home.
    if (e.key === 'Home') {
      e.preventDefault()
      props.onSeek?.(0)
    }
  }

  const dragBox =
    drag && Math.abs(drag.x1 - drag.x0) >= DRAG_PX
      ? (() => {
          const l = Math.max(0, Math.min(drag.x0, drag.x1) - drag.left)
          const w = Math.min(drag.width - l, Math.abs(drag.x1 - drag.x0))
          return { left: `${l}px`, width: `${w}px` }
        })()
      : null

  return (
    <div
      ref={wrap}
      className={`waveform${props.active ? ' waveform--active' : ''}`}
      style={{ height }}
      data-testid={props.testId}
      role="slider"
      tabIndex={0}
      aria-label={`${props.label}: click to seek, drag to loop a region`}
      aria-valuemin={0}
      aria-valuemax={Math.round(durationS * 10) / 10}
      aria-valuenow={0}
      onPointerDown={props.onSeek || props.onLoop ? onPointerDown : undefined}
      onPointerMove={onPointerMove}
      onPointerUp={onPointerUp}
      onKeyDown={onKeyDown}
    >
      <canvas ref={canvas} style={{ width: '100%', height }} aria-hidden="true" />
      {props.markers?.map((m, i) => (
        <div
          key={`${m.kind}-${i}`}
          className={`wf-marker wf-marker--${m.kind}`}
          style={{ left: `${xOf(m.t)}%` }}
          title={m.title}
          data-testid={m.kind === 'splice' ? 'splice-marker' : m.kind === 'mark' ? 'problem-mark' : undefined}
        />
      ))}
      {props.loop && (
        <div
          className="wf-loop"
          data-testid="loop-region"
          style={{ left: `${xOf(props.loop.startS)}%`, width: `${xOf(props.loop.endS - props.loop.startS)}%` }}
        />
      )}
      {dragBox && <div className="wf-loop wf-loop--drag" style={dragBox} />}
      {props.position && <div ref={head} className="wf-playhead" style={{ visibility: 'hidden' }} />}
    </div>
  )
}
