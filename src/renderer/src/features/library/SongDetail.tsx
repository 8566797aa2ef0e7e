import { useMemo, useState } from 'react'
import { api } from '../../api/client'
import { queryKeys, useApiQuery } from '../../api/queries'
import { decodeAudio } from '../../audio/ab-player'
import { useAbPlayer } from '../../audio/use-ab-player'
import type { SongSummary } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { Waveform, type WaveformMarker } from '../../components/Waveform'

/** One song: waveform with its beat and bar grid, and playback of the original. */
export function SongDetail(props: { song: SongSummary }): React.JSX.Element {
  const { attempt } = useApp()
  const { song } = props
  const wave = useApiQuery(queryKeys.waveform(song.id), 'songs.waveform', { songId: song.id, buckets: 1200 }).data
  const beats = useApiQuery(queryKeys.beats(song.id), 'songs.beats', { songId: song.id }).data
  const [loaded, setLoaded] = useState(false)
  const player = useAbPlayer()

  const markers = useMemo<WaveformMarker[]>(
    () =>
      beats
        ? beats.times.map((t, i) => ({
            t,
            kind: beats.barPosition[i] === 0 ? 'bar' : 'beat',
            title: `bar ${(beats.barIndex[i] ?? 0) + 1}, beat ${(beats.barPosition[i] ?? 0) + 1}`
          }))
        : [],
    [beats]
  )

  const toggle = async (): Promise<void> => {
    if (!loaded) {
      const buffer = await decodeAudio(api.fileUrl(song.audioPath))
      player.load({ a: buffer })
      setLoaded(true)
    }
    await player.toggle()
  }

  return (
    <section className="panel song-detail" aria-label={`Song ${song.title}`} data-testid="song-detail">
      <div className="row">
        <h2>{song.title}</h2>
        <span className="muted">
          {beats
            ? `${beats.tempoBpm.toFixed(1)} bpm · ${beats.beatsPerBar}/4 · ${beats.times.length} beats · ${(beats.barIndex[beats.barIndex.length - 1] ?? 0) + 1} bars`
            : ''}
        </span>
        <span className="grow" />
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => void attempt(toggle)}
          aria-label={player.playing ? 'Pause the original' : 'Play the original'}
          data-testid="song-play"
        >
          {player.playing ? '❚❚ Pause' : '▶ Play original'}
        </button>
      </div>
      {wave ? (
        <Waveform
          peaks={wave.peaks}
          durationS={wave.durationS}
          label={`Waveform of ${song.title}`}
          testId="song-waveform"
          active
          height={120}
          markers={markers}
          position={() => (loaded ? player.position() : null)}
          onSeek={(t) => player.seek(t)}
        />
      ) : (
        <div className="waveform waveform--placeholder" style={{ height: 120 }} />
      )}
      <p className="muted small">Bright lines: bar starts (downbeats); faint lines: beats.</p>
    </section>
  )
}
