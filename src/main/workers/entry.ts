import { Worker, type WorkerOptions } from 'node:worker_threads'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'
import fs from 'node:fs'

/** Bundle file names of worker scripts whose source is not in this folder (see scripts/build-cli.mjs). */
const BUNDLE_NAMES: Record<string, string> = { '../backend/entry': 'backend-entry' }

/**
 * Starts a worker from src/main/workers/<name>.ts. In a bundle (the desktop app's out/main, the CLI's
 * out/cli) the worker is a sibling <name>.js next to the main bundle; running from source (CLI through
 * tsx, tests) the .ts file is loaded through tsx (see tsx-bootstrap.mjs).
 */
export function startWorker(name: string, options: WorkerOptions): Worker {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const base = path.join(here, BUNDLE_NAMES[name] ?? name)
  // The desktop build writes ES modules (.js), the CLI bundle CommonJS (.cjs).
  const bundled = [`${base}.js`, `${base}.cjs`].find((file) => fs.existsSync(file))
  if (bundled !== undefined) return new Worker(bundled, options)
  const source = path.join(here, `${name}.ts`)
  if (!fs.existsSync(source)) throw new Error(`worker script not found: ${base}.js or ${source}`)
  // Loader hooks do not reach worker threads on Node 20, so a tiny JS bootstrap registers tsx inside the thread.
  const workerData: unknown = { ...(options.workerData as object), __tsEntry: pathToFileURL(source).href }
  return new Worker(path.join(here, 'tsx-bootstrap.mjs'), { ...options, workerData })
}
