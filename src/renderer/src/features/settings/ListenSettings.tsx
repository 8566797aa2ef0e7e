import { useState, type FormEvent } from 'react'
import { DEFAULT_LISTEN_PREFS, type ListenPrefs, type ReasonTag } from '../../../../shared/settings'
import { useApp } from '../../components/app-context'

/** "q: click or glitch" lines <-> tags. */
const tagsToText = (tags: readonly ReasonTag[]): string => tags.map((t) => `${t.key}: ${t.label}`).join('\n')
function textToTags(text: string): ReasonTag[] | string {
  const tags: ReasonTag[] = []
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '') continue
    const m = /^(\S)\s*[:=]\s*(.+)$/.exec(line)
    if (!m) return `“${line}”: write each tag as “key: label”.`
    tags.push({ key: (m[1] as string).toLowerCase(), label: (m[2] as string).trim() })
  }
  return tags
}

/** The A/B screen's options: this annotator's (autoplay, auto-advance) and the project's (blind, loudness, tags...). */
export function ListenSettings(): React.JSX.Element {
  const { settings, updateSettings, annotator, notify } = useApp()
  const key = annotator ? String(annotator.id) : null
  const prefs: ListenPrefs = { ...DEFAULT_LISTEN_PREFS, ...(key ? settings.listenPrefs[key] : {}) }
  const [tagsText, setTagsText] = useState(() => tagsToText(settings.reasonTags))
  const [instructions, setInstructions] = useState(settings.instructions)
  const [goal, setGoal] = useState(String(settings.sessionGoal))
  const [breakMin, setBreakMin] = useState(String(settings.breakEveryMin))

  const setPrefs = (patch: Partial<ListenPrefs>): void => {
    if (key) void updateSettings({ listenPrefs: { ...settings.listenPrefs, [key]: { ...prefs, ...patch } } })
  }

  const saveProject = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const tags = textToTags(tagsText)
    if (typeof tags === 'string') return notify('error', `Reason tags: ${tags}`)
    const g = Number(goal)
    const b = Number(breakMin)
    if (!Number.isInteger(g) || g < 0 || g > 1000)
      return notify('error', 'Session goal: a whole number from 0 to 1000.')
    if (!(b >= 0 && b <= 240)) return notify('error', 'Break reminder: minutes from 0 to 240.')
    await updateSettings({ reasonTags: tags, instructions, sessionGoal: g, breakEveryMin: b })
    notify('info', 'Listening settings saved.')
  }

  return (
    <>
      <section className="panel" aria-labelledby="listen-prefs-title" data-testid="listen-prefs">
        <h2 id="listen-prefs-title">Listening: {annotator ? annotator.name : 'choose an annotator first'}</h2>
        <p className="muted small">Remembered for this annotator.</p>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.autoplay}
            disabled={!key}
            onChange={(e) => setPrefs({ autoplay: e.target.checked })}
            data-testid="pref-autoplay"
          />{' '}
          Start playback when a pair appears
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={prefs.autoAdvance}
            disabled={!key}
            onChange={(e) => setPrefs({ autoAdvance: e.target.checked })}
            data-testid="pref-auto-advance"
          />{' '}
          Go to the next pair after a verdict (Z still goes back)
        </label>
        <div className="field">
          <label htmlFor="pref-advance-delay">Auto-advance delay (ms)</label>
          <input
            id="pref-advance-delay"
            type="number"
            min={0}
            max={10000}
            step={100}
            value={prefs.advanceDelayMs}
            disabled={!key}
            onChange={(e) => {
              const v = Math.round(Number(e.target.value))
              if (v >= 0 && v <= 10000) setPrefs({ advanceDelayMs: v })
            }}
            data-testid="pref-advance-delay"
          />
        </div>
      </section>
      <form className="panel" onSubmit={(e) => void saveProject(e)} aria-labelledby="listen-project-title">
        <h2 id="listen-project-title">Listening: this project</h2>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.blindMode}
            onChange={(e) => void updateSettings({ blindMode: e.target.checked })}
            data-testid="setting-blindMode"
          />{' '}
          Blind mode: waveforms, splices and the edit map only after the verdict
        </label>
        <label className="check">
          <input
            type="checkbox"
            checked={settings.loudnessMatch}
            onChange={(e) => void updateSettings({ loudnessMatch: e.target.checked })}
            data-testid="setting-loudnessMatch"
          />{' '}
          Play both sides at matched loudness (ITU-R BS.1770)
        </label>
        <div className="field">
          <label htmlFor="setting-sessionGoal">Session goal (pairs, 0 = none)</label>
          <input
            id="setting-sessionGoal"
            type="number"
            min={0}
            max={1000}
            value={goal}
            onChange={(e) => setGoal(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="setting-breakEveryMin">Break reminder every (min, 0 = never)</label>
          <input
            id="setting-breakEveryMin"
            type="number"
            min={0}
            max={240}
            value={breakMin}
            onChange={(e) => setBreakMin(e.target.value)}
          />
        </div>
        <div className="field">
          <label htmlFor="setting-reasonTags">Reason tags, one “key: label” per line</label>
          <textarea
            id="setting-reasonTags"
            rows={6}
            value={tagsText}
            onChange={(e) => setTagsText(e.target.value)}
            data-testid="setting-reasonTags"
          />
        </div>
        <div className="field">
          <label htmlFor="setting-instructions">Instructions before the first pair (empty = none)</label>
          <textarea
            id="setting-instructions"
            rows={8}
            value={instructions}
            onChange={(e) => setInstructions(e.target.value)}
            data-testid="setting-instructions"
          />
        </div>
        <button type="submit" className="btn btn--primary" data-testid="listen-settings-save">
          Save
        </button>
      </form>
    </>
  )
}
