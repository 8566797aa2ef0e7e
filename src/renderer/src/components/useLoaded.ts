import { useCallback, useEffect, useState, type Dispatch, type SetStateAction } from 'react'

/**
 * A value fetched by `load` when the component mounts (and again whenever `load` changes), plus a
 * `refresh` for event handlers. `load` resolves to null when the request failed (already reported).
 */
export function useLoaded<T>(load: () => Promise<T | null | undefined>): {
  value: T | null
  setValue: Dispatch<SetStateAction<T | null>>
  refresh: () => Promise<void>
} {
  const [value, setValue] = useState<T | null>(null)
  const refresh = useCallback(async () => {
    const next = await load()
    if (next) setValue(next)
  }, [load])
  useEffect(() => {
    load()
      .then((next) => next && setValue(next))
      .catch(() => undefined)
  }, [load])
  return { value, setValue, refresh }
}
