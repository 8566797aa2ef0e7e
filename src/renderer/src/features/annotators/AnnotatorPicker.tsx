import { useEffect, useState, type FormEvent } from 'react'
import { request } from '../../api/client'
import type { Annotator } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'

/** Choose or create the named annotator profile; the choice is remembered in settings. */
export function AnnotatorPicker(props: { current: Annotator | null; onCancel?: () => void }): React.JSX.Element {
  const { chooseAnnotator, attempt } = useApp()
  const [list, setList] = useState<Annotator[] | null>(null)
  const [name, setName] = useState('')

  useEffect(() => {
    let live = true
    void attempt(() => request('annotators.list', {})).then((l) => live && setList(l ?? []))
    return () => {
      live = false
    }
  }, [attempt])

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const trimmed = name.trim()
    if (!trimmed) return
    const a = await attempt(() => request('annotators.create', { name: trimmed }))
    if (a) chooseAnnotator(a)
  }

  return (
    <section className="panel picker" aria-labelledby="picker-title" data-testid="annotator-picker">
      <h1 id="picker-title">Who is listening?</h1>
      <p className="muted">Verdicts and stats are kept per annotator. Your choice is remembered on this machine.</p>
      {list === null ? (
        <p className="muted">Loading annotators…</p>
      ) : list.length > 0 ? (
        <ul className="picker__list">
          {list.map((a) => (
            <li key={a.id}>
              <button
                type="button"
                className={`btn${props.current?.id === a.id ? ' btn--primary' : ''}`}
                onClick={() => chooseAnnotator(a)}
                data-testid={`annotator-${a.name}`}
                aria-label={`Listen as ${a.name}`}
              >
                {a.name}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">No annotators yet: create one.</p>
      )}
      <form className="row" onSubmit={(e) => void create(e)}>
        <label htmlFor="annotator-name">New annotator</label>
        <input
          id="annotator-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={64}
          placeholder="Name"
          data-testid="annotator-name"
          autoFocus
        />
        <button type="submit" className="btn btn--primary" disabled={!name.trim()} data-testid="annotator-create">
          Create and start
        </button>
        {props.onCancel && (
          <button type="button" className="btn" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </form>
    </section>
  )
}
