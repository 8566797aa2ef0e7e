/**
 * The one helper the fused ops are built on: a differentiable op whose forward and backward are
 * written by hand over Float32Arrays (an onnxruntime graph through runGraph on 'cpu-ort', a
 * single-pass JS loop on plain 'cpu'), wrapped once in tf.customGrad.
 */
import * as tf from '../tf'
import { isJsMemoryBackend, runGraph, ORT_BACKEND, type KernelGraph } from '../onnx-kernels'
import { floatTensor, type OnnxTensor } from '../onnx-proto'

export { isJsMemoryBackend, runGraph, type KernelGraph }

/** One graph input: name, values, dims. */
export type Feed = [string, Float32Array, readonly number[]]

/** True when the fused ops should run their onnxruntime graphs (cpu-ort backend). */
export function useOrt(): boolean {
  return tf.getBackend() === ORT_BACKEND
}

/** A float32 scalar initializer. */
export function scalar(name: string, v: number): OnnxTensor {
  return floatTensor(name, [], new Float32Array([v]))
}

/** A tensor's values as float32 (no copy when they already are). */
export function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync()
  if (d instanceof Float32Array) return d
  return Float32Array.from(d)
}

/** A float32 tensor over computed values. */
export function out(data: Float32Array, shape: readonly number[]): tf.Tensor {
  return tf.tensor(data, shape.slice(), 'float32')
}

export interface OpStep {
  value: tf.Tensor
  /** Gradients w.r.t. every input, in input order, from the output's gradient. */
  backward: (dy: tf.Tensor) => tf.Tensor[]
}

function asTensor(a: tf.Tensor | tf.GradSaveFunc | undefined): tf.Tensor {
  if (a instanceof tf.Tensor) return a
  throw new Error('custom op expected a tensor input')
}

/** Apply a hand-differentiated op to its inputs. */
export function customOp(inputs: tf.Tensor[], forward: (xs: tf.Tensor[]) => OpStep): tf.Tensor {
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const { value, backward } = forward(args.slice(0, inputs.length).map(asTensor))
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[]) => backward(Array.isArray(dy) ? dy[0]! : dy) }
  })
  return fn(...inputs)
}

/** Run a cached onnxruntime graph and return its outputs' values in `outputs` order. */
export function runGraphData(key: string, build: () => KernelGraph, feeds: Feed[]): Float32Array[] {
  return runGraph(key, build, feeds).map((o) => o.data)
}
