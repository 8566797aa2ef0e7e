import type { ReactNode } from 'react'

/** A labelled number input; `onChange` gets the typed number (clamping is the caller's). */
export function NumberField(props: {
  label: ReactNode
  value: number
  onChange: (value: number) => void
  min?: number
  max?: number
  step?: number
  testId?: string
}): React.JSX.Element {
  return (
    <label>
      {props.label}{' '}
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={props.step}
        value={props.value}
        onChange={(e) => props.onChange(Number(e.target.value))}
        data-testid={props.testId}
      />
    </label>
  )
}

export interface FieldOption<V extends string> {
  value: V
  label: string
}

/** A labelled select over fixed options; `onChange` only ever gets one of their values. */
export function SelectField<V extends string>(props: {
  label: ReactNode
  value: V
  options: readonly FieldOption<V>[]
  onChange: (value: V) => void
  testId?: string
}): React.JSX.Element {
  return (
    <label>
      {props.label}{' '}
      <select
        value={props.value}
        onChange={(e) => {
          const picked = props.options.find((o) => o.value === e.target.value)
          if (picked) props.onChange(picked.value)
        }}
        data-testid={props.testId}
      >
        {props.options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  )
}

/** A checkbox with its label after it. */
export function CheckField(props: {
  label: ReactNode
  checked: boolean
  onChange: (checked: boolean) => void
  testId?: string
}): React.JSX.Element {
  return (
    <label>
      <input
        type="checkbox"
        checked={props.checked}
        onChange={(e) => props.onChange(e.target.checked)}
        data-testid={props.testId}
      />{' '}
      {props.label}
    </label>
  )
}
