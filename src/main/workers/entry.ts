import { Worker, type WorkerOptions } from 'node:worker_threads'
import { fileURLToPath, pathToFileURL } from 'node:url'
import path from 'node:path'
import fs from 'node:fs'

/**
 * Starts a worker from src/main/workers/<name>.ts. In the bundled app the worker is a sibling
 * <name>.js next to the main bundle; running from source (CLI through tsx, tests) the .ts file is
 * loaded through tsx (see tsx-bootstrap.mjs).
 */
export function startWorker(name: string, options: WorkerOptions): Worker {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const bundled = path.join(here, `${name}.js`)
  if (fs.existsSync(bundled)) return new Worker(bundled, options)
  const source = path.join(here, `${name}.ts`)
  if (!fs.existsSync(source)) throw new Error(`worker script not found: ${bundled} or ${source}`)
  // Loader hooks do not reach worker threads on Node 20, so a tiny JS bootstrap registers tsx inside the thread.
  const workerData: unknown = { ...(options.workerData as object), __tsEntry: pathToFileURL(source).href }
  return new Worker(path.join(here, 'tsx-bootstrap.mjs'), { ...options, workerData })
}
