import type { ReasonTag } from '../../../../../shared/settings'
import { CHEATSHEET } from '../logic/keys'

/** The key list; the project's reason tags are listed with their keys. */
export function Cheatsheet(props: { tags: readonly ReasonTag[] }): React.JSX.Element {
  const rows: [string, string][] = [
    ...CHEATSHEET,
    ...props.tags.map((t): [string, string] => [t.key.toUpperCase(), `tag: ${t.label}`])
  ]
  return (
    <section className="panel cheatsheet" aria-label="Keyboard shortcuts" data-testid="cheatsheet">
      <h2>Keys</h2>
      <dl>
        {rows.map(([k, v]) => (
          <div key={k + v} className="cheatsheet__row">
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
    </section>
  )
}
