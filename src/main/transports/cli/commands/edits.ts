import path from 'node:path'
import fs from 'node:fs'
import type { Command } from '../framework'
import { callApi, optionalNumber, requireInt } from '../framework'
import { ACTIONS } from '../../../../shared/actions'
import { AppFailure } from '../../../../shared/result'

const GENERATE_FLAGS = {
  songId: 'song',
  generator: 'generator',
  targetDurationS: 'target-duration',
  seed: 'seed',
  greedy: 'greedy'
}

export const generateCommand: Command = {
  name: 'generate',
  summary: 'Create an edit of a song with a generator and print its id',
  usage:
    'generate --song ID --generator identity|rule|random|policy:<id> [--target-duration S] [--seed N] [--greedy] [--json]',
  options: {
    song: { type: 'string' },
    generator: { type: 'string' },
    'target-duration': { type: 'string' },
    seed: { type: 'string' },
    greedy: { type: 'boolean', default: false }
  },
  required: ['song', 'generator'],
  async run(args, io, open) {
    const songId = requireInt(args.values.song, 'song')
    const input = {
      songId,
      generator: args.values.generator,
      targetDurationS: optionalNumber(args.values['target-duration'], 'target-duration'),
      seed: optionalNumber(args.values.seed, 'seed'),
      ...(args.values.greedy === true ? { greedy: true } : {})
    }
    const edit = await callApi(open(), 'edits.generate', input, GENERATE_FLAGS)
    if (args.json)
      io.out(
        JSON.stringify({
          editId: edit.id,
          songId,
          generator: edit.generator,
          seed: edit.seed,
          outputDurationS: edit.outputDurationS
        })
      )
    else io.out(String(edit.id))
    return 0
  }
}

export const editCommand: Command = {
  name: 'edit',
  summary: 'Show an edit: actions, decision list, output length and provenance',
  usage: 'edit <edit-id> [--data-dir DIR] [--json]',
  async run(args, io, open) {
    const edit = await callApi(open(), 'edits.get', { editId: requireInt(args.positionals[0], 'edit') })
    if (args.json) {
      io.out(JSON.stringify({ ...edit, actionNames: edit.actions.map((a) => ACTIONS[a]) }))
      return 0
    }
    io.out(
      `edit ${edit.id} of song ${edit.songId}: ${edit.generator}${edit.seed !== null ? ` seed ${edit.seed}` : ''}, ${edit.outputDurationS.toFixed(2)} s, ${edit.segments.length} segments`
    )
    io.out(`actions: ${edit.actions.map((a) => ACTIONS[a]).join(' ')}`)
    for (const s of edit.segments)
      io.out(
        `  out ${s.outStart.toFixed(3)}  src ${s.srcStart.toFixed(3)}-${s.srcEnd.toFixed(3)}  beat ${s.beat} ${ACTIONS[s.action]}`
      )
    return 0
  }
}

export const renderCommand: Command = {
  name: 'render',
  summary: 'Render an edit to a WAV file',
  usage: 'render <edit-id> --out FILE.wav [--data-dir DIR] [--json]',
  options: { out: { type: 'string' } },
  async run(args, io, open) {
    const editId = requireInt(args.positionals[0], 'edit')
    const out = args.values.out
    if (typeof out !== 'string') throw new AppFailure('validation', '--out FILE.wav is required', 'out')
    const ctx = open()
    const rendered = await callApi(ctx, 'edits.render', { editId })
    fs.mkdirSync(path.dirname(path.resolve(out)), { recursive: true })
    fs.copyFileSync(path.join(ctx.dataDir, rendered.renderPath), out)
    if (args.json) io.out(JSON.stringify({ editId, out: path.resolve(out), durationS: rendered.durationS }))
    else io.out(`wrote ${out} (${rendered.durationS.toFixed(2)} s)`)
    return 0
  }
}

export const pairsCommand: Command = {
  name: 'pairs',
  summary: 'Queue A/B pairs for a song (--song ID --count N), or list queued pairs',
  usage: 'pairs [--song ID --count N] [--status queued|judged|skipped] [--edits A,B] [--data-dir DIR] [--json]',
  options: {
    song: { type: 'string' },
    count: { type: 'string' },
    status: { type: 'string' },
    edits: { type: 'string' }
  },
  async run(args, io, open) {
    const ctx = open()
    if (typeof args.values.edits === 'string') {
      const [a, b] = args.values.edits.split(',').map((x, i) => requireInt(x, i === 0 ? 'edits[0]' : 'edits[1]'))
      const pair = await callApi(
        ctx,
        'pairs.create',
        { editAId: a, editBId: b },
        { editAId: 'edits', editBId: 'edits' }
      )
      io.out(args.json ? JSON.stringify(pair) : `queued pair ${pair.id}: edits ${pair.editAId} vs ${pair.editBId}`)
      return 0
    }
    if (args.values.song !== undefined) {
      const songId = requireInt(args.values.song, 'song')
      const count = args.values.count === undefined ? 1 : requireInt(args.values.count, 'count')
      const created = await callApi(ctx, 'pairs.queue', { songId, count }, { songId: 'song', count: 'count' })
      if (args.json) io.out(JSON.stringify(created))
      else for (const p of created) io.out(`queued pair ${p.id}: edits ${p.editAId} vs ${p.editBId}`)
      return 0
    }
    const status = (args.values.status as string | undefined) ?? 'queued'
    const pairs = await callApi(ctx, 'pairs.list', { status }, { status: 'status' })
    if (args.json) io.out(JSON.stringify(pairs))
    else if (pairs.length === 0) io.out(`No ${status} pairs. Queue some with: editorbot pairs --song ID --count N`)
    else
      for (const p of pairs)
        io.out(
          `pair ${p.id}: song ${p.songId}, edits ${p.editAId} vs ${p.editBId}, priority ${p.priority}${p.repeatOfPairId ? ` (repeat of ${p.repeatOfPairId})` : ''}`
        )
    return 0
  }
}
