import * as tf from '../../../../src/main/engines/ml/tf'
import { registerOrtCpuBackend, ORT_BACKEND } from '../../../../src/main/engines/ml/onnx-kernels'

export { ORT_BACKEND }

let ready = false
export async function setupBackends(): Promise<void> {
  if (!ready) {
    registerOrtCpuBackend()
    tf.env().set('IS_TEST', true)
    ready = true
  }
  await tf.setBackend('cpu')
}

/** Run fn on a backend and return its result after switching. */
export async function on<T>(backend: string, fn: () => T): Promise<T> {
  await tf.setBackend(backend)
  return fn()
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`)
  let m = 0
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!))
  return m
}

/** max |a-b| / (1 + max|b|): relative to the tensor's scale. */
export function relDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!))
  return maxAbsDiff(a, b) / (1 + scale)
}
