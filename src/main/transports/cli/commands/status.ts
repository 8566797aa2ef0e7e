import type { Command } from '../framework'
import { initComputeBackend } from '../../../engines/ml/backend'
import { LATEST_SCHEMA_VERSION } from '../../../db/migrate'
import { listSongs } from '../../../db/queries/songs'
import { countQueuedPairs } from '../../../db/queries/pairs'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Data directory, schema version, compute backend and jobs',
  usage: 'status [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const ctx = open()
    const backend = await initComputeBackend({ log: () => {} }) // the notes are printed below
    const jobs = ctx.jobs.list()
    const songs = listSongs(ctx.db)
    const status = {
      appVersion: ctx.appVersion,
      dataDir: ctx.dataDir,
      schemaVersion: ctx.schemaVersion(),
      latestSchemaVersion: LATEST_SCHEMA_VERSION,
      backend,
      songs: songs.length,
      queuedPairs: countQueuedPairs(ctx.db),
      jobs
    }
    if (args.json) {
      io.out(JSON.stringify(status, null, 2))
      return 0
    }
    io.out(`EditorBot Studio ${status.appVersion}`)
    io.out(`data directory   ${status.dataDir}`)
    io.out(`schema version   ${status.schemaVersion} (latest ${status.latestSchemaVersion})`)
    io.out(`training backend ${backend.training}`)
    io.out(`inference        ${backend.inference}`)
    for (const note of backend.notes) io.out(`  note: ${note}`)
    io.out(`songs            ${status.songs}; queued pairs ${status.queuedPairs}`)
    io.out(jobs.length === 0 ? 'jobs             none' : 'jobs:')
    for (const j of jobs.slice(0, 20))
      io.out(
        `  #${j.id} ${j.kind.padEnd(14)} ${j.state.padEnd(11)} ${(j.progress * 100).toFixed(0)}%${j.error ? `  ${j.error}` : ''}`
      )
    return 0
  }
}
