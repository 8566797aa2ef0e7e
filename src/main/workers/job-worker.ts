import { parentPort, workerData } from 'node:worker_threads'
import type { FromWorker, JobWorkerInit } from './messages'
import { createJobContext, JobCancelled } from './job-context'
import { runJobKind } from './kinds'

/** Worker thread entry: runs one job and reports through typed messages. */
const { init, cancelFlag } = workerData as { init: JobWorkerInit; cancelFlag: SharedArrayBuffer }
const flag = new Int32Array(cancelFlag)
const post = (m: FromWorker): void => parentPort?.postMessage(m)
const ctx = createJobContext(init, post, () => Atomics.load(flag, 0) === 1)

runJobKind(init.kind, ctx).then(
  (result) => post(ctx.cancelled ? { type: 'cancelled' } : { type: 'done', result }),
  (e: unknown) => {
    if (e instanceof JobCancelled) post({ type: 'cancelled' })
    else post({ type: 'error', message: e instanceof Error ? e.message : String(e) })
  }
)
