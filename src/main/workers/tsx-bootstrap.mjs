// Runs a TypeScript worker from source (CLI and tests): registers tsx in this thread, then loads the worker.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.__tsEntry)
