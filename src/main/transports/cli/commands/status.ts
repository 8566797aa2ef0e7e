import type { Command } from '../framework'
import { callApi } from '../framework'
import { initComputeBackend } from '../../../engines/ml/backend'

export const statusCommand: Command = {
  name: 'status',
  summary: 'Data directory, schema version, compute backend and jobs',
  usage: 'status [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const ctx = open()
    // Start-up work of a transport, as serve mode and the desktop backend do; the notes are printed below.
    await initComputeBackend({ log: () => {} })
    const info = await callApi(ctx, 'app.info', {})
    const jobs = await callApi(ctx, 'jobs.list', {})
    const status = {
      appVersion: info.appVersion,
      dataDir: info.dataDir,
      schemaVersion: info.schemaVersion,
      latestSchemaVersion: info.latestSchemaVersion,
      backend: info.backend,
      songs: (await callApi(ctx, 'songs.list', {})).length,
      queuedPairs: (await callApi(ctx, 'pairs.list', { status: 'queued' })).length,
      jobs
    }
    const { backend } = status
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
