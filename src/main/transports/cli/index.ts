import { AppFailure, toAppError } from '../../../shared/result'
import { lazyContext, parseCommandArgs, type CliIo } from './framework'
import { COMMANDS } from './commands'

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'EditorBot Studio command line',
    '',
    'Usage: editorbot <command> [options] [--data-dir DIR] [--json]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Every command takes --data-dir DIR (default: $EDITORBOT_DATA_DIR, else the desktop app's data folder),",
    '--json for machine-readable output, and --help.'
  ].join('\n')
}

/** Runs one CLI command; returns the exit code. Errors print one clear line on stderr. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv
  const io: CliIo = {
    out: (line) => process.stdout.write(line + '\n'),
    err: (line) => process.stderr.write(line + '\n'),
    interactive: Boolean(process.stderr.isTTY) && !rest.includes('--json')
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help())
    return name ? 0 : 2
  }
  const command = COMMANDS.find((c) => c.name === name)
  if (!command) {
    io.err(`editorbot: unknown command '${name}'. Run 'editorbot --help' for the list.`)
    return 2
  }
  let context: ReturnType<typeof lazyContext> | null = null
  try {
    const args = parseCommandArgs(command, rest)
    if (args.values.help === true) {
      io.out(`Usage: editorbot ${command.usage}\n\n${command.summary}`)
      return 0
    }
    context = lazyContext(args.dataDir)
    return await command.run(args, io, context.open)
  } catch (e) {
    const error = toAppError(e)
    // One line on stderr, always (some errors carry stacks or require chains after the first line).
    io.err(`editorbot ${name}: ${error.message.split('\n')[0]}`)
    return e instanceof AppFailure && e.kind === 'validation' ? 2 : 1
  } finally {
    await context?.close()
  }
}
