import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'

export interface Rect {
  x: number
  y: number
  width: number
  height: number
}

export interface WindowSizing {
  width: number
  height: number
  minWidth: number
  minHeight: number
}

const rectSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive()
})
const windowStateSchema = z.object({ bounds: rectSchema, maximized: z.boolean(), fullScreen: z.boolean() })
export type WindowState = z.infer<typeof windowStateSchema>

const WINDOW_STATE_FILE = 'window-state.json'
/** Less of the window than this on a display (a sliver at an edge) counts as off-screen. */
const MIN_VISIBLE_PX = 64

/** The visible part of `a` on `b` as [width, height]. */
const overlap = (a: Rect, b: Rect): [number, number] => [
  Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)),
  Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y))
]

const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), Math.max(lo, hi))

/**
 * Where the window opens: the remembered bounds when they are still visible on a connected display (moved and
 * shrunk to fit that display's work area), otherwise the default size centred on the primary display. `displays`
 * are work areas, the primary first. Handles unplugged monitors, changed resolutions and corrupt sizes.
 */
export function placeWindow(saved: Rect | null, displays: readonly Rect[], sizing: WindowSizing): Rect {
  const primary = displays[0] ?? { x: 0, y: 0, width: sizing.width, height: sizing.height }
  const fit = (bounds: Rect, area: Rect): Rect => {
    const width = clamp(bounds.width, Math.min(sizing.minWidth, area.width), area.width)
    const height = clamp(bounds.height, Math.min(sizing.minHeight, area.height), area.height)
    return {
      width,
      height,
      x: clamp(bounds.x, area.x, area.x + area.width - width),
      y: clamp(bounds.y, area.y, area.y + area.height - height)
    }
  }
  if (saved) {
    let best: Rect | null = null
    let bestOverlap = 0
    for (const area of displays) {
      const [w, h] = overlap(saved, area)
      if (w >= MIN_VISIBLE_PX && h >= MIN_VISIBLE_PX && w * h > bestOverlap) [best, bestOverlap] = [area, w * h]
    }
    if (best) return fit(saved, best)
  }
  const width = Math.min(sizing.width, primary.width)
  const height = Math.min(sizing.height, primary.height)
  return fit(
    {
      width,
      height,
      x: primary.x + Math.round((primary.width - width) / 2),
      y: primary.y + Math.round((primary.height - height) / 2)
    },
    primary
  )
}

/** The remembered window state, or null when there is none or the file is not one we wrote. */
export function loadWindowState(dataDir: string): WindowState | null {
  let text: string
  try {
    text = fs.readFileSync(path.join(dataDir, WINDOW_STATE_FILE), 'utf8')
  } catch {
    return null
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null
  }
  const parsed = windowStateSchema.safeParse(json)
  return parsed.success ? parsed.data : null
}

/** Written to a temporary file and renamed, so a crash mid-write never leaves half a file. */
export function saveWindowState(dataDir: string, state: WindowState): void {
  const file = path.join(dataDir, WINDOW_STATE_FILE)
  const temp = `${file}.${process.pid}.tmp`
  fs.writeFileSync(temp, JSON.stringify(state))
  fs.renameSync(temp, file)
}
