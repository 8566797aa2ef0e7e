/** Page helpers both A/B screen end-to-end tests use. */
import type { Page } from 'playwright-core'
import { apiOk, waitFor, type ServeHandle } from './harness'
import { synthSong } from './listen-song'

export const PLAYER = '[data-testid="ab-player"]'

export interface ImportedSong {
  id: number
  status: string
  error: string | null
  tempoBpm: number | null
  durationS: number
}

/** One data attribute of the A/B player ('' when absent). */
export async function playerAttr(page: Page, name: string): Promise<string> {
  return (await page.getAttribute(PLAYER, name)) ?? ''
}

/** Waits (by polling the page, never a fixed sleep) until the side has been heard for `ms`. */
export async function hear(page: Page, side: 'a' | 'b', ms: number): Promise<void> {
  await waitFor(
    async () => Number(await playerAttr(page, `data-listened-${side}-ms`)) >= ms,
    20_000,
    `side ${side} heard ${ms} ms`
  )
}

/**
 * Imports the generated song through the Library's file input (serve mode uploads the file, then
 * imports it) and waits until its analysis is done; a failed analysis fails at once.
 */
export async function importSongThroughUi(page: Page, server: ServeHandle, fileName: string): Promise<ImportedSong> {
  await page.getByTestId('import-input').setInputFiles({ name: fileName, mimeType: 'audio/wav', buffer: synthSong() })
  return waitFor(
    async () => {
      const s = (await apiOk<ImportedSong[]>(server.origin, 'songs.list', {}))[0]
      if (s?.status === 'failed') throw new Error(`analysis failed: ${s.error}`)
      return s?.status === 'ready' ? s : null
    },
    120_000,
    'the imported song to be analysed'
  )
}
