import { useState, type FormEvent } from 'react'
import type { Settings } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { ListenSettings } from './ListenSettings'

type Editable = Pick<
  Settings,
  | 'switchCrossfadeMs'
  | 'mustListenS'
  | 'repeatEvery'
  | 'maxSongDurationS'
  | 'leaseMinutes'
  | 'overlapShare'
  | 'overlapAnnotators'
>

interface Field {
  key: keyof Editable
  label: string
  min: number
  max: number
  step: number
  integer?: boolean
  help: string
}

const FIELDS: readonly Field[] = [
  {
    key: 'switchCrossfadeMs',
    label: 'Switch crossfade (ms)',
    min: 0,
    max: 500,
    step: 1,
    help: 'Equal-power crossfade when switching A↔B.'
  },
  {
    key: 'mustListenS',
    label: 'Must listen (s per side)',
    min: 0,
    max: 60,
    step: 0.1,
    help: 'Each side must be heard this long (or whole, if shorter) before a verdict.'
  },
  {
    key: 'repeatEvery',
    label: 'Repeat every N pairs',
    min: 0,
    max: 1000,
    step: 1,
    integer: true,
    help: 'Every N-th pair is an earlier one again with sides swapped; 0 turns it off.'
  },
  {
    key: 'maxSongDurationS',
    label: 'Longest song (s)',
    min: 5,
    max: 7200,
    step: 1,
    help: 'Longer files are refused on import.'
  },
  {
    key: 'leaseMinutes',
    label: 'Pair lease (minutes)',
    min: 0.1,
    max: 1440,
    step: 0.1,
    help: 'A pair shown to one annotator is held for them this long; an abandoned pair then returns to the queue.'
  },
  {
    key: 'overlapShare',
    label: 'Overlap share (0-1)',
    min: 0,
    max: 1,
    step: 0.01,
    help: 'Share of new pairs judged by several annotators, for inter-annotator agreement.'
  },
  {
    key: 'overlapAnnotators',
    label: 'Annotators per overlap pair',
    min: 2,
    max: 20,
    step: 1,
    integer: true,
    help: 'How many annotators judge each overlap pair.'
  }
]

/** Listening settings and what the app runs on. */
export function SettingsView(): React.JSX.Element {
  const { settings, updateSettings, info, notify } = useApp()
  const [draft, setDraft] = useState<Record<keyof Editable, string>>(
    () => Object.fromEntries(FIELDS.map((f) => [f.key, String(settings[f.key])])) as Record<keyof Editable, string>
  )

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const patch: Partial<Editable> = {}
    for (const f of FIELDS) {
      const v = Number(draft[f.key])
      if (!Number.isFinite(v) || v < f.min || v > f.max) {
        notify('error', `${f.label}: enter a number from ${f.min} to ${f.max}.`)
        return
      }
      if (f.integer && !Number.isInteger(v)) {
        notify('error', `${f.label}: enter a whole number.`)
        return
      }
      patch[f.key] = v
    }
    await updateSettings(patch)
    notify('info', 'Settings saved.')
  }

  return (
    <div className="settings" data-testid="settings-view">
      <form className="panel" onSubmit={(e) => void save(e)} aria-labelledby="settings-title">
        <h1 id="settings-title">Settings</h1>
        {FIELDS.map((f) => (
          <div key={f.key} className="field">
            <label htmlFor={`setting-${f.key}`}>{f.label}</label>
            <input
              id={`setting-${f.key}`}
              type="number"
              min={f.min}
              max={f.max}
              step={f.step}
              value={draft[f.key]}
              onChange={(e) => setDraft((d) => ({ ...d, [f.key]: e.target.value }))}
              aria-describedby={`setting-${f.key}-help`}
              data-testid={`setting-${f.key}`}
            />
            <span id={`setting-${f.key}-help`} className="muted small">
              {f.help}
            </span>
          </div>
        ))}
        <button type="submit" className="btn btn--primary" data-testid="settings-save">
          Save
        </button>
      </form>
      <ListenSettings />
      <section className="panel" aria-labelledby="about-title" data-testid="about">
        <h2 id="about-title">Compute and storage</h2>
        <dl className="kv">
          <dt>Training backend</dt>
          <dd data-testid="backend-training">{info.backend.training}</dd>
          <dt>Inference</dt>
          <dd data-testid="backend-inference">{info.backend.inference}</dd>
          <dt>Data directory</dt>
          <dd className="mono" data-testid="data-dir">
            {info.dataDir}
          </dd>
          <dt>App version</dt>
          <dd>{info.appVersion}</dd>
          <dt>Schema / features</dt>
          <dd>
            schema v{info.schemaVersion} · features v{info.featureVersion}
          </dd>
          <dt>Transport</dt>
          <dd>{info.transport === 'http' ? 'serve mode (HTTP + WebSocket)' : 'desktop (Electron)'}</dd>
        </dl>
        {info.backend.notes.length > 0 && (
          <>
            <h3>Notes</h3>
            <ul className="notes">
              {info.backend.notes.map((n) => (
                <li key={n} className="muted small">
                  {n}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
    </div>
  )
}
