import path from 'node:path'
import type { Command } from '../framework'
import { callApi } from '../framework'
import { restoreProject } from '../../../services/exports'
import { AppFailure } from '../../../../shared/result'
import { EXPORT_KINDS } from '../../../../shared/api'

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

export const exportCommand: Command = {
  name: 'export',
  summary: 'Export preferences, models, policies, edits (WAV), run metrics or the whole project (one archive)',
  usage: `export --what ${EXPORT_KINDS.join('|')} [--format jsonl|csv] --out PATH [--data-dir DIR] [--json]`,
  options: {
    what: { type: 'string' },
    format: { type: 'string' },
    out: { type: 'string' }
  },
  async run(args, io, open) {
    if (typeof args.values.what !== 'string')
      throw new AppFailure('validation', `--what ${EXPORT_KINDS.join('|')} is required`, 'what')
    if (typeof args.values.out !== 'string') throw new AppFailure('validation', '--out PATH is required', 'out')
    const summary = await callApi(open(), 'exports.write', {
      what: args.values.what,
      format: args.values.format,
      out: path.resolve(args.values.out)
    })
    io.out(
      args.json
        ? JSON.stringify(summary)
        : `wrote ${summary.what}: ${summary.count} ${summary.what === 'preferences' ? 'rows' : 'items'}, ${summary.files.length} file(s), ${megabytes(summary.bytes)} to ${summary.out}`
    )
    return 0
  }
}

/**
 * Restore runs before any app context exists (the target must not hold a database yet), so it calls the
 * restore service directly instead of a contract request; it never opens the target as a data directory.
 */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'Restore a project archive (from export --what project) into a new or empty data directory',
  usage: 'restore ARCHIVE --data-dir DIR [--json]',
  async run(args, io) {
    const [archive, ...extra] = args.positionals
    if (archive === undefined || extra.length > 0)
      throw new AppFailure(
        'validation',
        'restore takes one ARCHIVE. Usage: editorbot restore ARCHIVE --data-dir DIR',
        'archive'
      )
    if (typeof args.values['data-dir'] !== 'string' && !process.env.EDITORBOT_DATA_DIR)
      throw new AppFailure('validation', '--data-dir DIR is required: the folder to restore into', 'data-dir')
    const restored = await restoreProject(archive, args.dataDir)
    io.out(
      args.json
        ? JSON.stringify(restored)
        : `restored ${restored.files} files (${megabytes(restored.bytes)}, app ${restored.appVersion}, schema ${restored.archiveSchemaVersion}${restored.schemaVersion !== restored.archiveSchemaVersion ? ` -> ${restored.schemaVersion}` : ''}) into ${restored.dataDir}`
    )
    return 0
  }
}
