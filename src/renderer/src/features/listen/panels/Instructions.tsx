/** The project's instructions, shown before the first pair of a session. */
export function Instructions(props: { text: string; goal: number; onStart: () => void }): React.JSX.Element {
  return (
    <section className="panel instructions" aria-labelledby="instructions-title" data-testid="instructions">
      <h1 id="instructions-title">Before you start</h1>
      {props.text
        .split(/\n{2,}/)
        .filter((p) => p.trim() !== '')
        .map((p, i) => (
          <p key={i}>{p}</p>
        ))}
      {props.goal > 0 && <p className="muted">This session’s goal: {props.goal} pairs.</p>}
      <button
        type="button"
        className="btn btn--primary"
        onClick={props.onStart}
        // The screen opens on this page: Enter or a click starts (and unlocks audio playback).
        autoFocus
        data-testid="instructions-start"
      >
        Start listening ⏎
      </button>
    </section>
  )
}
