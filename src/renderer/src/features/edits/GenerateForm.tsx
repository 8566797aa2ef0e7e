import { useState, type FormEvent } from 'react'
import { request } from '../../api/client'
import { TARGET_DURATION_RANGE, type EditDetail } from '../../../../shared/domain'
import { useApp } from '../../components/app-context'
import { formatDuration } from '../../components/ui'

type Generator = 'identity' | 'rule' | 'random'

/** Target lengths an edit of this song may ask for (docs/actions.md; enforced on the main side). */
export function targetRange(songDurationS: number): { minS: number; maxS: number } {
  return {
    minS: Math.round(songDurationS * TARGET_DURATION_RANGE.minFraction * 10) / 10,
    maxS: Math.round(songDurationS * TARGET_DURATION_RANGE.maxFraction * 10) / 10
  }
}

/** The generate-an-edit form: generator, optional target duration (range shown) and seed. */
export function GenerateForm(props: {
  songId: number
  songDurationS: number
  onCreated: (edit: EditDetail) => void
}): React.JSX.Element {
  const { attempt, notify } = useApp()
  const [generator, setGenerator] = useState<Generator>('rule')
  const [target, setTarget] = useState('')
  const [seed, setSeed] = useState('')
  const [busy, setBusy] = useState(false)
  const range = targetRange(props.songDurationS)

  const generate = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const t = target.trim() === '' ? undefined : Number(target)
    const s = seed.trim() === '' ? undefined : Number(seed)
    if (t !== undefined && !(t > 0)) return notify('error', 'Target duration must be a positive number of seconds.')
    if (s !== undefined && !(Number.isInteger(s) && s >= 0)) return notify('error', 'Seed must be a whole number ≥ 0.')
    setBusy(true)
    const made = await attempt(() =>
      request('edits.generate', {
        songId: props.songId,
        generator,
        ...(t !== undefined ? { targetDurationS: t } : {}),
        ...(s !== undefined ? { seed: s } : {})
      })
    )
    setBusy(false)
    if (made) {
      notify('info', `Edit #${made.id} (${made.generator}, ${formatDuration(made.outputDurationS)}) created.`)
      props.onCreated(made)
    }
  }

  return (
    <section className="panel">
      <form className="row" onSubmit={(e) => void generate(e)} aria-label="Generate an edit">
        <label htmlFor="gen-generator">Generator</label>
        <select
          id="gen-generator"
          value={generator}
          onChange={(e) => setGenerator(e.target.value as Generator)}
          data-testid="gen-generator"
        >
          <option value="identity">identity (whole song)</option>
          <option value="rule">rule</option>
          <option value="random">random</option>
        </select>
        <label htmlFor="gen-target">Target duration (s)</label>
        <input
          id="gen-target"
          type="number"
          step="any"
          value={target}
          onChange={(e) => setTarget(e.target.value)}
          placeholder="any"
          className="input--short"
          aria-describedby="gen-target-range"
          data-testid="gen-target"
        />
        <span id="gen-target-range" className="muted small" data-testid="gen-target-range">
          {range.minS}–{range.maxS} s
        </span>
        <label htmlFor="gen-seed">Seed</label>
        <input
          id="gen-seed"
          type="number"
          min={0}
          step={1}
          value={seed}
          onChange={(e) => setSeed(e.target.value)}
          placeholder="random"
          className="input--short"
          data-testid="gen-seed"
        />
        <button type="submit" className="btn btn--primary" disabled={busy} data-testid="gen-submit">
          {busy ? 'Generating…' : 'Generate edit'}
        </button>
      </form>
    </section>
  )
}
