/** softmax(scores * scale + maskBias) over the last axis, with its hand-written backward. */
import * as tf from '../tf'
import { node, int64Tensor, type OnnxNode } from '../onnx-proto'
import { customOp, f32, isJsMemoryBackend, out, runGraphData, scalar, useOrt, type KernelGraph } from './graph'

function softmaxFwd(scale: number): () => KernelGraph {
  return () => ({
    nodes: [
      node('Mul', ['S', 'scale'], ['ss']),
      node('Add', ['ss', 'M'], ['sm']),
      node('Softmax', ['sm'], ['P'], { axis: -1 })
    ],
    inputs: [
      ['S', 4],
      ['M', 4]
    ],
    outputs: ['P'],
    initializers: [scalar('scale', scale)]
  })
}

/**
 * The softmax backward without its scale, ds = p * (dy - sum(dy * p, -1)), as graph nodes (the
 * attention backward reuses them); `axes` must be the int64 initializer [-1].
 */
export function softmaxBwdNodes(dy: string, p: string, ds: string): OnnxNode[] {
  return [
    node('Mul', [dy, p], ['sm_dp']),
    node('ReduceSum', ['sm_dp', 'axes'], ['sm_dot'], { keepdims: 1 }),
    node('Sub', [dy, 'sm_dot'], ['sm_diff']),
    node('Mul', [p, 'sm_diff'], [ds])
  ]
}

function softmaxBwd(scale: number): () => KernelGraph {
  return () => ({
    nodes: [...softmaxBwdNodes('DY', 'P', 'g'), node('Mul', ['g', 'scale'], ['DX'])],
    inputs: [
      ['DY', 4],
      ['P', 4]
    ],
    outputs: ['DX'],
    initializers: [scalar('scale', scale), int64Tensor('axes', [1], [-1])]
  })
}

function maskedSoftmaxOrt(scores: tf.Tensor, mb: Float32Array, scale: number): tf.Tensor {
  return customOp([scores], ([s]) => {
    const [B, , , Tk] = s!.shape as [number, number, number, number]
    const [p] = runGraphData(`masked_softmax_fwd:${scale}`, softmaxFwd(scale), [
      ['S', f32(s!), s!.shape],
      ['M', mb, [B, 1, 1, Tk]]
    ])
    return {
      value: out(p!, s!.shape),
      backward: (dy) => {
        const [dx] = runGraphData(`masked_softmax_bwd:${scale}`, softmaxBwd(scale), [
          ['DY', f32(dy), s!.shape],
          ['P', p!, s!.shape]
        ])
        return [out(dx!, s!.shape)]
      }
    }
  })
}

function maskedSoftmaxJs(scores: tf.Tensor, mb: Float32Array, scale: number): tf.Tensor {
  return customOp([scores], ([s]) => {
    const [B, H, Tq, Tk] = s!.shape as [number, number, number, number]
    const sv = f32(s!)
    const p = new Float32Array(s!.size)
    for (let b = 0; b < B; b++) {
      const mo = b * Tk
      for (let r = 0; r < H * Tq; r++) {
        const o = (b * H * Tq + r) * Tk
        let mx = -Infinity
        for (let j = 0; j < Tk; j++) {
          const v = sv[o + j]! * scale + mb[mo + j]!
          p[o + j] = v
          if (v > mx) mx = v
        }
        let sum = 0
        for (let j = 0; j < Tk; j++) {
          const e = Math.exp(p[o + j]! - mx)
          p[o + j] = e
          sum += e
        }
        const inv = 1 / sum
        for (let j = 0; j < Tk; j++) p[o + j]! *= inv
      }
    }
    return {
      value: out(p, s!.shape),
      backward: (dy) => {
        const dyv = f32(dy)
        const dx = new Float32Array(s!.size)
        const rows = s!.size / Tk
        for (let r = 0; r < rows; r++) {
          const o = r * Tk
          let dot = 0
          for (let j = 0; j < Tk; j++) dot += dyv[o + j]! * p[o + j]!
          for (let j = 0; j < Tk; j++) dx[o + j] = scale * p[o + j]! * (dyv[o + j]! - dot)
        }
        return [out(dx, s!.shape)]
      }
    }
  })
}

/**
 * softmax(scores * scale + maskBias) over the last axis.
 * scores [B, H, Tq, Tk]; maskBias [B, Tk] (0 for real keys, -1e9 for padding).
 * maskBias gets no gradient.
 */
export function maskedSoftmax(scores: tf.Tensor, maskBias: tf.Tensor, scale: number): tf.Tensor {
  if (!isJsMemoryBackend()) {
    return tf.tidy(() => {
      const [B, , , Tk] = scores.shape as [number, number, number, number]
      return tf.softmax(tf.add(tf.mul(scores, scale), tf.reshape(maskBias, [B, 1, 1, Tk])))
    })
  }
  const mb = f32(maskBias)
  return useOrt() ? maskedSoftmaxOrt(scores, mb, scale) : maskedSoftmaxJs(scores, mb, scale)
}
