import type { HTMLAttributes, ReactNode } from 'react'

export interface Column<T> {
  key: string
  /** Header text; `hidden` keeps it for screen readers only (e.g. an actions column). */
  header: string
  hidden?: boolean
  numeric?: boolean
  className?: string
  /** Fixed width (CSS length): tables with the same columns then line up, whatever their rows say. */
  width?: string
  cell: (row: T) => ReactNode
}

export interface DataTableProps<T> {
  columns: readonly Column<T>[]
  rows: readonly T[]
  rowKey: (row: T) => string | number
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | number | undefined>
  testId?: string
}

/** The app's one table markup: header row, one row per item, numeric columns right-aligned. */
export function DataTable<T>(props: DataTableProps<T>): React.JSX.Element {
  const fixed = props.columns.some((c) => c.width !== undefined)
  const cls = (c: Column<T>): string | undefined =>
    [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ') || undefined
  return (
    <table className={`table${fixed ? ' table--fixed' : ''}`} data-testid={props.testId}>
      {fixed && (
        <colgroup>
          {props.columns.map((c) => (
            <col key={c.key} style={c.width ? { width: c.width } : undefined} />
          ))}
        </colgroup>
      )}
      <thead>
        <tr>
          {props.columns.map((c) => (
            <th key={c.key} scope="col" className={cls(c)}>
              {c.hidden ? <span className="visually-hidden">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((r) => (
          <tr key={props.rowKey(r)} {...props.rowProps?.(r)}>
            {props.columns.map((c) => (
              <td key={c.key} className={cls(c)}>
                {c.cell(r)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  )
}
