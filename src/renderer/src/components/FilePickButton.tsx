import { useRef } from 'react'

export interface FilePickButtonProps {
  /** The button's text, and its text while `busy`. */
  label: string
  busyLabel: string
  busy: boolean
  accept: string
  multiple?: boolean
  /** The hidden input's accessible name. */
  inputLabel: string
  inputTestId: string
  buttonTestId: string
  className?: string
  onFiles: (files: File[]) => void
}

/** A button that opens the system file picker (a hidden file input), for the views that import files. */
export function FilePickButton(props: FilePickButtonProps): React.JSX.Element {
  const input = useRef<HTMLInputElement>(null)
  return (
    <>
      <input
        ref={input}
        type="file"
        multiple={props.multiple}
        accept={props.accept}
        className="visually-hidden"
        aria-label={props.inputLabel}
        data-testid={props.inputTestId}
        onChange={(e) => {
          props.onFiles(Array.from(e.target.files ?? []))
          // Picking the same file again must fire another change.
          e.target.value = ''
        }}
      />
      <button
        type="button"
        className={props.className ?? 'btn'}
        onClick={() => input.current?.click()}
        disabled={props.busy}
        data-testid={props.buttonTestId}
      >
        {props.busy ? props.busyLabel : props.label}
      </button>
    </>
  )
}
