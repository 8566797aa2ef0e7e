import { useState } from 'react'
import { useAbPlayer } from '../../audio/use-ab-player'
import type { AbPlayer } from '../../audio/ab-player'
import { loadRender, type LoadedRender } from '../../lib/renders'
import { useApp } from '../../components/app-context'

export interface EditPlayback {
  player: AbPlayer
  /** The render loaded in the player, if any. */
  rendered: LoadedRender | null
  /** Edit whose render is being made right now. */
  renderingId: number | null
  render: (editId: number) => Promise<LoadedRender | undefined>
  /** Renders when needed, then plays or pauses that edit. */
  toggle: (editId: number) => Promise<void>
}

/** Single-edit playback for the Edits view: one render in the player at a time. */
export function useEditPlayback(): EditPlayback {
  const { attempt } = useApp()
  const player = useAbPlayer()
  const [rendered, setRendered] = useState<LoadedRender | null>(null)
  const [renderingId, setRenderingId] = useState<number | null>(null)

  const render = async (editId: number): Promise<LoadedRender | undefined> => {
    if (rendered?.editId === editId) return rendered
    setRenderingId(editId)
    try {
      const r = await attempt(() => loadRender(editId))
      if (r) {
        setRendered(r)
        player.load({ a: r.buffer })
      }
      return r
    } finally {
      setRenderingId((id) => (id === editId ? null : id))
    }
  }

  const toggle = async (editId: number): Promise<void> => {
    const r = await render(editId)
    if (r) await attempt(() => player.toggle())
  }

  return { player, rendered, renderingId, render, toggle }
}
