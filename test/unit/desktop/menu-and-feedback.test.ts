import fs from 'node:fs'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  annotationUrl,
  buildMenuTemplate,
  IMPORT_FILTERS,
  type MenuActions
} from '../../../src/main/transports/electron/menu'
import { JobFeedback, LONG_JOB_S, formatDuration, jobLabel } from '../../../src/main/transports/electron/job-feedback'
import { openLogFile } from '../../../src/main/transports/electron/log-file'
import { AUDIO_EXTENSIONS } from '../../../src/main/services/songs/import'
import { tempDataDir } from '../../helpers/temp'

type MenuItemConstructorOptions = ReturnType<typeof buildMenuTemplate>[number]

function flatten(items: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
  return items.flatMap((item) => [item, ...(Array.isArray(item.submenu) ? flatten(item.submenu) : [])])
}

function menuFor(platform: NodeJS.Platform, dev = false): { items: MenuItemConstructorOptions[]; calls: string[] } {
  const calls: string[] = []
  const actions = new Proxy({} as MenuActions, {
    get: (_t, name: string) => () => calls.push(name)
  })
  return { items: flatten(buildMenuTemplate({ platform, appName: 'EditorBot Studio', dev, actions })), calls }
}

describe('application menu', () => {
  it('has the usual edit roles, zoom, window roles and quit on every platform', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const roles = menuFor(platform)
        .items.map((i) => i.role)
        .filter(Boolean)
      for (const role of [
        'undo',
        'redo',
        'cut',
        'copy',
        'paste',
        'selectAll',
        'zoomIn',
        'zoomOut',
        'resetZoom',
        'minimize',
        'quit'
      ])
        expect(roles, `${platform}: ${role}`).toContain(role)
    }
    const mac = menuFor('darwin').items.map((i) => i.role)
    expect(mac).toEqual(expect.arrayContaining(['about', 'hide', 'hideOthers', 'unhide', 'services', 'front']))
  })

  it('offers import, the data folder, the logs and fullscreen annotation, wired to their actions', () => {
    const { items, calls } = menuFor('linux')
    const byLabel = (label: string): MenuItemConstructorOptions => {
      const item = items.find((i) => i.label === label)
      if (!item) throw new Error(`no menu item ${label}`)
      return item
    }
    expect(byLabel('Import Songs…').accelerator).toBe('CmdOrCtrl+O')
    expect(byLabel('Fullscreen Annotation').accelerator).toBe('F11')
    for (const label of ['Import Songs…', 'Import Folder…', 'Open Data Folder', 'Show Logs', 'Fullscreen Annotation'])
      (byLabel(label).click as () => void)()
    expect(calls).toEqual(['importFiles', 'importFolder', 'openDataFolder', 'showLogs', 'toggleAnnotationFullscreen'])
    expect(menuFor('darwin').items.find((i) => i.label === 'Fullscreen Annotation')?.accelerator).toBe('Ctrl+Cmd+F')
  })

  it('never takes a single-key shortcut from the Listen screen', () => {
    for (const platform of ['linux', 'darwin'] as const)
      for (const item of menuFor(platform).items)
        if (item.accelerator) expect(String(item.accelerator)).toMatch(/^(CmdOrCtrl|Ctrl|Cmd|Alt|Shift)\+|^F\d+$/)
  })

  it('shows reload and developer tools only in development', () => {
    expect(menuFor('linux').items.some((i) => i.role === 'toggleDevTools' || i.role === 'reload')).toBe(false)
    expect(menuFor('linux', true).items.some((i) => i.role === 'toggleDevTools')).toBe(true)
  })

  it('the import dialog filters the formats songs.import accepts', () => {
    const dialogExtensions = new Set(IMPORT_FILTERS[0]?.extensions.map((e) => `.${e}`))
    expect(dialogExtensions).toEqual(AUDIO_EXTENSIONS)
  })

  it('fullscreen annotation routes the page to the Listen view without reloading it', () => {
    expect(annotationUrl('file:///opt/app/out/renderer/index.html#/library')).toBe(
      'file:///opt/app/out/renderer/index.html#/listen'
    )
    expect(annotationUrl('http://localhost:5173/')).toBe('http://localhost:5173/#/listen')
  })
})

describe('job feedback (taskbar progress, notifications)', () => {
  it('shows the mean progress of running jobs and removes the bar when none runs', () => {
    let t = 0
    const feedback = new JobFeedback(() => t)
    expect(feedback.onEvent('job.state', { jobId: 1, kind: 'reward.train', state: 'running', error: null })).toEqual({
      progress: 0
    })
    expect(feedback.onEvent('job.progress', { jobId: 1, kind: 'reward.train', progress: 0.5 })).toEqual({
      progress: 0.5
    })
    expect(feedback.onEvent('job.progress', { jobId: 2, kind: 'songs.analyse', progress: 0.1 })).toEqual({
      progress: 0.3
    })
    // Changes under a percent do not repaint.
    expect(feedback.onEvent('job.progress', { jobId: 1, kind: 'reward.train', progress: 0.502 })).toEqual({})
    t = 3
    const quick = feedback.onEvent('job.state', { jobId: 2, kind: 'songs.analyse', state: 'done', error: null })
    expect(quick).toEqual({ progress: 0.5 })
    t = 3600 + 125
    const long = feedback.onEvent('job.state', { jobId: 1, kind: 'reward.train', state: 'done', error: null })
    expect(long.progress).toBe(-1)
    expect(long.notice).toEqual({ jobId: 1, failed: false, title: 'Reward train finished', body: 'Done in 1 h 2 min.' })
  })

  it('notifies every failure with its error, and nothing for cancelled or interrupted jobs', () => {
    let t = 0
    const feedback = new JobFeedback(() => t)
    feedback.onEvent('job.progress', { jobId: 7, kind: 'songs.analyse', progress: 0.2 })
    feedback.onEvent('job.progress', { jobId: 8, kind: 'iteration.run', progress: 0.2 })
    feedback.onEvent('job.progress', { jobId: 9, kind: 'iteration.run', progress: 0.2 })
    t = 1
    const failed = feedback.onEvent('job.state', {
      jobId: 7,
      kind: 'songs.analyse',
      state: 'failed',
      error: 'song.mp3: not audio'
    })
    expect(failed.notice).toMatchObject({
      failed: true,
      title: 'Import and analysis failed',
      body: 'song.mp3: not audio'
    })
    t = LONG_JOB_S * 10
    expect(
      feedback.onEvent('job.state', { jobId: 8, kind: 'iteration.run', state: 'cancelled', error: null }).notice
    ).toBeUndefined()
    expect(
      feedback.onEvent('job.state', { jobId: 9, kind: 'iteration.run', state: 'interrupted', error: null }).notice
    ).toBeUndefined()
  })

  it('ignores malformed payloads and unrelated events', () => {
    const feedback = new JobFeedback(() => 0)
    expect(feedback.onEvent('job.progress', { jobId: 'x' })).toEqual({})
    expect(feedback.onEvent('job.state', null)).toEqual({})
    expect(feedback.onEvent('pairs.changed', { queued: 3 })).toEqual({})
  })

  it('labels kinds and durations for people', () => {
    expect(jobLabel('songs.analyse')).toBe('Import and analysis')
    expect(jobLabel('policy.train-ppo')).toBe('Policy train ppo')
    expect(formatDuration(42)).toBe('42 s')
    expect(formatDuration(125)).toBe('2 min 5 s')
  })
})

describe('log file', () => {
  const data = tempDataDir()
  afterAll(() => data.cleanup())

  it('appends timestamped lines under the data directory and rotates past its size limit', () => {
    const log = openLogFile(data.dir, { maxBytes: 200 })
    expect(log.path).toBe(path.join(data.dir, 'logs', 'editorbot.log'))
    log.write('first line')
    expect(fs.readFileSync(log.path, 'utf8')).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z first line\n$/)
    for (let i = 0; i < 10; i++) log.write(`line ${i} ${'x'.repeat(20)}`)
    expect(fs.existsSync(`${log.path}.1`)).toBe(true)
    expect(fs.statSync(log.path).size).toBeLessThanOrEqual(200)
    expect(fs.readFileSync(log.path, 'utf8')).toContain('line 9')
  })
})
