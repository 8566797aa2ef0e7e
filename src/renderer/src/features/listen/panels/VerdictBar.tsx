import type { ReasonTag } from '../../../../../shared/settings'
import type { VerdictChoice } from '../../../../../shared/domain'
import { VERDICT_BUTTONS } from '../logic/keys'

/** Verdict and skip buttons, the reason tags (toggled by key or click) and the note field. */
export function VerdictBar(props: {
  enabled: boolean
  tags: readonly ReasonTag[]
  chosenTags: readonly string[]
  note: string
  marks: number
  onVerdict: (verdict: VerdictChoice, strength: 1 | 2 | null) => void
  onTag: (label: string) => void
  onNote: (note: string) => void
}): React.JSX.Element {
  return (
    <>
      <div className="verdicts" role="group" aria-label="Verdict">
        {VERDICT_BUTTONS.map((b) => (
          <button
            key={b.key}
            type="button"
            className={`btn verdict verdict--${b.testId}`}
            onClick={() => props.onVerdict(b.value.verdict, b.value.strength)}
            disabled={!props.enabled}
            aria-label={`${b.label} (key ${b.key})`}
            data-testid={b.testId}
          >
            <kbd>{b.key}</kbd> {b.label}
          </button>
        ))}
        <button
          type="button"
          className="btn verdict"
          onClick={() => props.onVerdict('skip', null)}
          disabled={!props.enabled}
          aria-label="Skip this pair (S)"
          data-testid="verdict-skip"
        >
          <kbd>S</kbd> Skip
        </button>
      </div>
      {props.tags.length > 0 && (
        <div className="tags" role="group" aria-label="Reasons (stored with the verdict)" data-testid="reason-tags">
          {props.tags.map((t) => {
            const on = props.chosenTags.includes(t.label)
            return (
              <button
                key={t.key}
                type="button"
                className={`btn btn--small tag-btn${on ? ' tag-btn--on' : ''}`}
                aria-pressed={on}
                onClick={() => props.onTag(t.label)}
                disabled={!props.enabled}
                data-testid={`tag-${t.key}`}
              >
                <kbd>{t.key.toUpperCase()}</kbd> {t.label}
              </button>
            )
          })}
        </div>
      )}
      <div className="row note-row">
        <label htmlFor="verdict-note">Note</label>
        <input
          id="verdict-note"
          className="grow"
          value={props.note}
          onChange={(e) => props.onNote(e.target.value)}
          maxLength={2000}
          placeholder="Optional: what decided it (Esc to leave the field)"
          disabled={!props.enabled}
          data-testid="verdict-note"
        />
        <span className="muted" data-testid="marks-count">
          {props.marks} mark{props.marks === 1 ? '' : 's'}
        </span>
      </div>
    </>
  )
}
