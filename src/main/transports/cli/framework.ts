import { parseArgs, type ParseArgsConfig } from 'node:util'
import { AppFailure } from '../../../shared/result'
import type { AppContext } from '../../app/context'
import { createAppContext } from '../../app/context'
import { resolveDataDir } from '../../app/data-dir'
import { dispatch, type Handlers } from '../../api/dispatch'
import { createHandlers } from '../../api/handlers'
import type { RequestName, ResponseOf } from '../../../shared/api'

type OptionSpec = NonNullable<ParseArgsConfig['options']>

export interface CliIo {
  out(line: string): void
  err(line: string): void
  /** True on an interactive terminal without --json: progress bars are drawn. */
  interactive: boolean
}

export interface CommandArgs {
  positionals: string[]
  values: Record<string, string | boolean | string[] | boolean[] | undefined>
  json: boolean
  dataDir: string
}

export interface Command {
  name: string
  summary: string
  usage: string
  options?: OptionSpec
  /** Options that must be given (named in the error when missing, before anything runs). */
  required?: readonly string[]
  /** Returns the exit code. Throw AppFailure for a clean one-line error. */
  run(args: CommandArgs, io: CliIo, open: () => AppContext): Promise<number>
}

export const COMMON_OPTIONS: OptionSpec = {
  'data-dir': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false }
}

/** Node's parseArgs errors in this CLI's words (its own text suggests '--' tricks and repeats the usage). */
function describeParseError(command: Command, e: unknown): string {
  const code = (e as { code?: string }).code
  const message = e instanceof Error ? e.message : String(e)
  const option = /'(-{1,2}[^'\s=]+)/.exec(message)?.[1] ?? ''
  const known = Object.keys({ ...command.options, ...COMMON_OPTIONS }).map((o) => `--${o}`)
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
    return `unknown option ${option} (${command.name} takes ${known.join(', ')})`
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (/ambiguous/.test(message)) return `${option} needs a value (write ${option}=VALUE for one that starts with '-')`
    return /argument missing/.test(message) ? `${option} needs a value` : `${option} takes no value`
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return `unexpected argument ${option || message}`
  return message.split('\n')[0] ?? message
}

export function parseCommandArgs(command: Command, argv: string[]): CommandArgs {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...COMMON_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true
    })
  } catch (e) {
    throw new AppFailure('validation', `${describeParseError(command, e)}. Usage: editorbot ${command.usage}`)
  }
  const values = parsed.values as CommandArgs['values']
  if (values.help !== true) requireOptions(command, values, command.required ?? [])
  return {
    positionals: parsed.positionals,
    values,
    json: values.json === true,
    dataDir: resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined)
  }
}

/** Fails naming every option in `names` that was not given, with the command's usage. */
export function requireOptions(command: Command, values: CommandArgs['values'], names: readonly string[]): void {
  const missing = names.filter((o) => values[o] === undefined)
  if (missing.length > 0)
    throw new AppFailure(
      'validation',
      `missing ${missing.map((o) => `--${o}`).join(' and ')}. Usage: editorbot ${command.usage}`,
      missing[0]
    )
}

/** Opens the app context lazily so `--help` and argument errors never touch the database. */
export function lazyContext(dataDir: string): { open: () => AppContext; close: () => Promise<void> } {
  let ctx: AppContext | null = null
  return {
    open: () => (ctx ??= createAppContext({ dataDir })),
    close: async () => {
      if (ctx) await ctx.close()
    }
  }
}

const handlersOf = new WeakMap<AppContext, Handlers>()

/**
 * The CLI is a transport like IPC and HTTP: a command maps its flags onto a contract request and sends it
 * through the one dispatcher, so it validates with the same schemas and fails with the same messages.
 * `flags` names the option behind each input field, so a validation error names what the user typed.
 */
export async function callApi<K extends RequestName>(
  ctx: AppContext,
  name: K,
  input: unknown,
  flags: Readonly<Record<string, string>> = {}
): Promise<ResponseOf<K>> {
  let handlers = handlersOf.get(ctx)
  if (!handlers) {
    handlers = createHandlers(ctx, { transport: 'cli' })
    handlersOf.set(ctx, handlers)
  }
  const result = await dispatch(handlers, name, input)
  if (result.ok) return result.value as ResponseOf<K>
  const { kind, message, field } = result.error
  const flag = field === undefined ? undefined : flags[field.split('.')[0] ?? field]
  const prefix = `${name}: ${field}: `
  if (flag !== undefined && message.startsWith(prefix))
    throw new AppFailure(kind, `--${flag}: ${message.slice(prefix.length)}`, flag)
  throw new AppFailure(kind, message, field)
}

export function requireInt(value: unknown, field: string): number {
  const n = typeof value === 'string' ? Number(value) : NaN
  if (!Number.isInteger(n) || n <= 0)
    throw new AppFailure('validation', `${field} must be a positive integer, got '${String(value)}'`, field)
  return n
}

export function optionalNumber(value: string | boolean | undefined | unknown[], field: string): number | undefined {
  if (value === undefined) return undefined
  const n = typeof value === 'string' ? Number(value) : NaN
  if (!Number.isFinite(n))
    throw new AppFailure('validation', `${field} must be a number, got '${JSON.stringify(value)}'`, field)
  return n
}

/** A one-line progress bar on stderr; redraws at most 10 times a second. */
export class ProgressBar {
  private last = 0
  constructor(
    private readonly io: CliIo,
    private readonly label: string
  ) {}

  update(fraction: number, detail = ''): void {
    if (!this.io.interactive) return
    const now = Date.now()
    if (now - this.last < 100 && fraction < 1) return
    this.last = now
    const width = 28
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width)
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled)
    process.stderr.write(
      `\r${this.label} [${bar}] ${(fraction * 100).toFixed(0).padStart(3)}% ${detail}`.slice(0, 120).padEnd(120)
    )
  }

  done(): void {
    if (this.io.interactive) process.stderr.write('\r' + ' '.repeat(120) + '\r')
  }
}
