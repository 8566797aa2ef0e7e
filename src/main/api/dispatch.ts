import type { z } from 'zod'
import { requestSchemas, type ParsedInput, type RequestName, type ResponseOf } from '../../shared/api'
import { err, ok, toAppError, type Result } from '../../shared/result'

export type Handlers = {
  [K in RequestName]: (input: ParsedInput<K>) => ResponseOf<K> | Promise<ResponseOf<K>>
}

export function isRequestName(name: string): name is RequestName {
  return Object.hasOwn(requestSchemas, name)
}

/** "field.path: message" for the first issue, so the error names the field the caller got wrong. */
export function describeZodError(error: z.ZodError): { field: string; message: string } {
  const issue = error.issues[0]
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)'
  const message = issue ? issue.message : 'invalid input'
  return { field, message: `${field}: ${message}` }
}

/**
 * The single entry for every request from every transport: unknown names and malformed inputs become
 * 'validation' errors naming the field; exceptions from services become error values.
 */
export async function dispatch(handlers: Handlers, name: string, input: unknown): Promise<Result<unknown>> {
  if (!isRequestName(name)) return err('validation', `unknown request '${name}'`, 'name')
  const parsed = requestSchemas[name].safeParse(input ?? {})
  if (!parsed.success) {
    const { field, message } = describeZodError(parsed.error)
    return err('validation', `${name}: ${message}`, field)
  }
  try {
    const handler = handlers[name] as (i: unknown) => unknown
    return ok(await handler(parsed.data))
  } catch (e) {
    return { ok: false, error: toAppError(e) }
  }
}
