import { parentPort, workerData } from 'node:worker_threads'
import { jobWorkerDataSchema, type FromWorker } from './messages'
import { JobCancelled } from './job-context'
import { jobKindEntry } from './kinds'
import { AppFailure, toAppError } from '../../shared/result'

/** Worker thread entry: runs one job and reports through the messages in messages.ts, errors with their kind. */
const post = (m: FromWorker): void => parentPort?.postMessage(m)
const postError = (e: unknown): void => post({ type: 'error', error: toAppError(e) })

const data = jobWorkerDataSchema.safeParse(workerData)
if (!data.success)
  postError(new AppFailure('internal', `job worker started without a valid init: ${data.error.message}`))
else {
  const { init, cancelFlag } = data.data
  const flag = new Int32Array(cancelFlag)
  const isCancelled = (): boolean => Atomics.load(flag, 0) === 1
  const kind = jobKindEntry(init.kind)
  if (!kind) postError(new AppFailure('validation', `unknown job kind '${init.kind}'`, 'kind'))
  else
    kind.run(init, post, isCancelled).then(
      (result) => post(isCancelled() ? { type: 'cancelled' } : { type: 'done', result }),
      (e: unknown) => (e instanceof JobCancelled ? post({ type: 'cancelled' }) : postError(e))
    )
}
