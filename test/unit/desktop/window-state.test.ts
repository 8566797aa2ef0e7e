import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadWindowState, placeWindow, saveWindowState } from '../../../src/main/transports/electron/window-state'
import { tempDataDir } from '../../helpers/temp'

const sizing = { width: 1360, height: 860, minWidth: 1280, minHeight: 800 }
const laptop = { x: 0, y: 0, width: 1920, height: 1040 }
const rightMonitor = { x: 1920, y: 0, width: 2560, height: 1400 }

describe('placing the window on the connected displays', () => {
  it('keeps remembered bounds that are fully visible', () => {
    const saved = { x: 2200, y: 100, width: 1500, height: 900 }
    expect(placeWindow(saved, [laptop, rightMonitor], sizing)).toEqual(saved)
  })

  it('centres the default size on the primary display when nothing is remembered', () => {
    expect(placeWindow(null, [laptop, rightMonitor], sizing)).toEqual({ x: 280, y: 90, width: 1360, height: 860 })
  })

  it('brings back a window left on a monitor that was unplugged', () => {
    const saved = { x: 2200, y: 100, width: 1500, height: 900 }
    const placed = placeWindow(saved, [laptop], sizing)
    expect(placed).toEqual({ x: 280, y: 90, width: 1360, height: 860 })
  })

  it('moves a window hanging off an edge back inside the display it is mostly on', () => {
    const placed = placeWindow({ x: 1500, y: -200, width: 1400, height: 900 }, [laptop, rightMonitor], sizing)
    expect(placed).toEqual({ x: 1920, y: 0, width: 1400, height: 900 })
  })

  it('shrinks a window larger than its display (resolution lowered) but not below the minimum', () => {
    const small = { x: 0, y: 0, width: 1366, height: 768 }
    const placed = placeWindow({ x: 0, y: 0, width: 2400, height: 1300 }, [small], sizing)
    expect(placed).toEqual({ x: 0, y: 0, width: 1366, height: 768 })
    const tiny = placeWindow({ x: 10, y: 10, width: 300, height: 200 }, [laptop], sizing)
    expect(tiny.width).toBe(1280)
    expect(tiny.height).toBe(800)
  })

  it('treats a sliver left at a display edge as off-screen', () => {
    const placed = placeWindow({ x: 1900, y: 500, width: 1400, height: 900 }, [laptop], sizing)
    expect(placed).toEqual({ x: 280, y: 90, width: 1360, height: 860 })
  })

  it('uses displays with negative origins (a monitor left of the primary)', () => {
    const left = { x: -1920, y: 0, width: 1920, height: 1080 }
    const saved = { x: -1800, y: 50, width: 1400, height: 900 }
    expect(placeWindow(saved, [laptop, left], sizing)).toEqual(saved)
  })
})

describe('remembering the window state', () => {
  const data = tempDataDir()
  afterAll(() => data.cleanup())

  it('round-trips the state and ignores a corrupt or foreign file', () => {
    expect(loadWindowState(data.dir)).toBeNull()
    const state = { bounds: { x: 10, y: 20, width: 1300, height: 820 }, maximized: true, fullScreen: false }
    saveWindowState(data.dir, state)
    expect(loadWindowState(data.dir)).toEqual(state)
    fs.writeFileSync(path.join(data.dir, 'window-state.json'), '{"bounds": {"x": "left"}}')
    expect(loadWindowState(data.dir)).toBeNull()
    fs.writeFileSync(path.join(data.dir, 'window-state.json'), '{not json')
    expect(loadWindowState(data.dir)).toBeNull()
    expect(fs.readdirSync(data.dir).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
