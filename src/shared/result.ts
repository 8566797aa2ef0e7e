import { z } from 'zod'

/** Errors cross every process boundary (IPC, HTTP, worker messages) as values, never as throws. */
export const ERROR_KINDS = [
  'validation', // the request did not match its schema; message names the field
  'not_found',
  'conflict',
  'unsupported', // e.g. an audio format or model signature we do not handle
  'corrupt', // a file that claims a format but cannot be decoded / parsed
  'forbidden', // token missing, path outside the data directory
  'cancelled',
  'version', // database or model written by a newer app
  'internal'
] as const
export type ErrorKind = (typeof ERROR_KINDS)[number]

export interface AppError {
  kind: ErrorKind
  message: string
  /** The request field, file or model input the error is about, when there is one. */
  field?: string
}

/** An error value arriving from another process or thread (backend process, job worker): parsed, never cast. */
export const appErrorSchema = z.object({
  kind: z.enum(ERROR_KINDS),
  message: z.string(),
  field: z.string().optional()
})

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

export const ok = <T>(value: T): Result<T> => ({ ok: true, value })
export const err = (kind: ErrorKind, message: string, field?: string): Result<never> => ({
  ok: false,
  error: field === undefined ? { kind, message } : { kind, message, field }
})

/** Thrown inside services and converted to a Result at the boundary. */
export class AppFailure extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly field?: string
  ) {
    super(message)
    this.name = 'AppFailure'
  }
  toError(): AppError {
    return this.field === undefined
      ? { kind: this.kind, message: this.message }
      : { kind: this.kind, message: this.message, field: this.field }
  }
}

export function toAppError(e: unknown): AppError {
  if (e instanceof AppFailure) return e.toError()
  if (e instanceof Error) return { kind: 'internal', message: e.message }
  return { kind: 'internal', message: String(e) }
}
