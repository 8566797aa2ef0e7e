import { useEffect, useState } from 'react'
import { request } from '../../api/client'
import { useAbPlayer } from '../../audio/use-ab-player'
import { loadRender } from '../../lib/renders'
import { switchTarget, type TimelineSide } from '../../lib/switching'
import { useApp } from '../../components/app-context'
import type { IterationExample } from '../../../../shared/domain'

/**
 * One example to listen to right on the dashboard: the new policy's edit (A) against the previous
 * policy's edit of the same song (B), switched seamlessly at the same source position as on the
 * Listen screen.
 */
export function ExampleAb(props: { example: IterationExample; newLabel: string }): React.JSX.Element {
  const { settings, attempt } = useApp()
  const player = useAbPlayer(settings.switchCrossfadeMs)
  const { example } = props
  const [sides, setSides] = useState<Record<'a' | 'b', TimelineSide> | null>(null)
  const [loading, setLoading] = useState(false)

  useEffect(() => () => player.stop(), [player])

  const load = async (): Promise<void> => {
    setLoading(true)
    try {
      const loaded = await attempt(async () => {
        const [a, b, ea, eb] = await Promise.all([
          loadRender(example.editId),
          loadRender(example.previousEditId),
          request('edits.get', { editId: example.editId }),
          request('edits.get', { editId: example.previousEditId })
        ])
        player.load({ a: a.buffer, b: b.buffer })
        return {
          a: { segments: ea.segments, durationS: a.buffer.duration },
          b: { segments: eb.segments, durationS: b.buffer.duration }
        }
      })
      if (loaded) setSides(loaded)
    } finally {
      setLoading(false)
    }
  }

  const switchTo = (to: 'a' | 'b'): void => {
    if (!sides || player.side === to) return
    const from = player.side === 'b' ? 'b' : 'a'
    player.switchTo(to, switchTarget(sides[from], sides[to], player.position()).outS)
  }

  return (
    <div className="row" data-testid={`example-${example.songId}`}>
      <span>
        <strong>{example.songTitle}</strong>{' '}
        <span className="muted small">
          A: {props.newLabel} (edit {example.editId}) · B: {example.previousLabel} (edit {example.previousEditId})
        </span>
      </span>
      <span className="grow" />
      {sides === null ? (
        <button
          type="button"
          className="btn btn--small"
          disabled={loading}
          onClick={() => void load()}
          data-testid={`example-load-${example.songId}`}
        >
          {loading ? 'Loading…' : 'Listen A/B'}
        </button>
      ) : (
        <>
          <button
            type="button"
            className="btn btn--small"
            onClick={() => void player.toggle()}
            data-testid={`example-play-${example.songId}`}
          >
            {player.playing ? 'Pause' : 'Play'}
          </button>
          {(['a', 'b'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={`btn btn--small${player.side === s ? ' btn--primary' : ''}`}
              aria-pressed={player.side === s}
              onClick={() => switchTo(s)}
              data-testid={`example-side-${s}-${example.songId}`}
            >
              {s.toUpperCase()}
            </button>
          ))}
        </>
      )}
    </div>
  )
}
