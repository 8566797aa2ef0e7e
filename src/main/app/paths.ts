import path from 'node:path'

/** True when `candidate` (absolute) is `root` itself or lies below it, after resolving '..' segments. */
export function isInside(root: string, candidate: string): boolean {
  const rel = path.relative(path.resolve(root), path.resolve(candidate))
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))
}

/**
 * Resolves a client-supplied relative path inside the data directory, or returns null when it would
 * escape it ('..', absolute paths, NUL bytes).
 */
export function resolveInDataDir(dataDir: string, relative: string): string | null {
  if (relative.includes('\0')) return null
  const candidate = path.resolve(dataDir, relative)
  return isInside(dataDir, candidate) ? candidate : null
}
