import fs from 'node:fs'
import path from 'node:path'

/** True when `candidate` (absolute) is `root` itself or lies below it, after resolving '..' segments. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate))
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/**
 * Resolves a client-supplied relative path inside the data directory, or returns null when it would
 * escape it ('..', absolute paths, NUL bytes). Lexical only: see resolveRealFile for serving.
 */
export function resolveInDataDir(dataDir: string, relative: string): string | null {
  if (relative.includes('\0')) return null
  const candidate = path.resolve(dataDir, relative)
  return isInside(dataDir, candidate) ? candidate : null
}

/** Data-directory folders the UI reads files from; the database, its WAL/SHM and uploads are never served. */
export const SERVED_DATA_FOLDERS: readonly string[] = ['renders', 'songs', 'demo']

export type RealFile =
  { ok: true; path: string; size: number } | { ok: false; reason: 'outside' | 'missing' | 'not_a_file' }

/**
 * Resolves a client-supplied relative path to a regular file by its real path (symlinks followed), and
 * accepts it only when that real path lies inside the real `root`, and, when `folders` is given, inside one
 * of those top-level folders. A symlink in the data directory pointing outside, or at the database, is
 * refused like a '..' path would be.
 */
export function resolveRealFile(root: string, relative: string, folders?: readonly string[]): RealFile {
  const lexical = resolveInDataDir(root, relative)
  if (!lexical) return { ok: false, reason: 'outside' }
  let realRoot: string
  let real: string
  try {
    realRoot = fs.realpathSync(root)
    real = fs.realpathSync(lexical)
  } catch {
    // A dangling symlink or a missing file: nothing to serve either way.
    return { ok: false, reason: 'missing' }
  }
  if (!isInside(realRoot, real)) return { ok: false, reason: 'outside' }
  if (folders) {
    const top = path.relative(realRoot, real).split(path.sep)[0] ?? ''
    if (!folders.some((folder) => top === folder && isInside(path.join(realRoot, folder), real)))
      return { ok: false, reason: 'outside' }
  }
  const stat = fs.statSync(real, { throwIfNoEntry: false })
  if (!stat) return { ok: false, reason: 'missing' }
  if (!stat.isFile()) return { ok: false, reason: 'not_a_file' }
  return { ok: true, path: real, size: stat.size }
}

/** Decodes a percent-encoded URL component, or null when the encoding is malformed ('%E0%A4%A', '%zz'). */
export function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text)
  } catch {
    return null
  }
}
