/**
 * Multi-head self-attention core. On cpu-ort the forward and the backward are one onnxruntime
 * graph each (the [B,H,T,T] scores never enter tfjs); elsewhere tfjs ops and maskedSoftmax.
 */
import * as tf from '../tf'
import { node, int64Tensor, type OnnxNode, type OnnxTensor } from '../onnx-proto'
import { customOp, f32, out, runGraphData, useOrt, type KernelGraph } from './graph'
import { maskedSoftmax, softmaxBwdNodes } from './masked-softmax'

/** X [B*T, 3d] -> per-head q, k, v [B, H, T, dh]: the prologue both directions start with. */
function qkvNodes(): OnnxNode[] {
  return [
    node('Reshape', ['X', 'shape5'], ['R']),
    node('Transpose', ['R'], ['Tr'], { perm: [2, 0, 3, 1, 4] }),
    node('Split', ['Tr'], ['q5', 'k5', 'v5'], { axis: 0 }),
    node('Squeeze', ['q5', 'ax0'], ['q']),
    node('Squeeze', ['k5', 'ax0'], ['k']),
    node('Squeeze', ['v5', 'ax0'], ['v'])
  ]
}

function qkvInits(T: number, H: number, dh: number): OnnxTensor[] {
  return [int64Tensor('shape5', [5], [-1, T, 3, H, dh]), int64Tensor('ax0', [1], [0])]
}

function attnFwd(T: number, H: number, dh: number, scale: number): () => KernelGraph {
  return () => ({
    nodes: [
      ...qkvNodes(),
      node('FusedMatMul', ['q', 'k'], ['S'], { alpha: { float: scale }, transB: 1 }, 'com.microsoft'),
      node('Add', ['S', 'M'], ['Sm']),
      node('Softmax', ['Sm'], ['P'], { axis: -1 }),
      node('MatMul', ['P', 'v'], ['O']),
      node('Transpose', ['O'], ['Ot'], { perm: [0, 2, 1, 3] }),
      node('Reshape', ['Ot', 'shape2'], ['Y'])
    ],
    inputs: [
      ['X', 2],
      ['M', 4]
    ],
    outputs: ['Y', 'P'],
    initializers: [...qkvInits(T, H, dh), int64Tensor('shape2', [2], [-1, H * dh])]
  })
}

function attnBwd(T: number, H: number, dh: number, scale: number): () => KernelGraph {
  return () => ({
    nodes: [
      ...qkvNodes(),
      node('Reshape', ['DY', 'shape4'], ['dy4']),
      node('Transpose', ['dy4'], ['dO'], { perm: [0, 2, 1, 3] }),
      node('FusedMatMul', ['P', 'dO'], ['dV'], { alpha: { float: 1 }, transA: 1 }, 'com.microsoft'),
      node('FusedMatMul', ['dO', 'v'], ['dP'], { alpha: { float: 1 }, transB: 1 }, 'com.microsoft'),
      ...softmaxBwdNodes('dP', 'P', 'dS'),
      node('FusedMatMul', ['dS', 'k'], ['dQ'], { alpha: { float: scale } }, 'com.microsoft'),
      node('FusedMatMul', ['dS', 'q'], ['dK'], { alpha: { float: scale }, transA: 1 }, 'com.microsoft'),
      node('Unsqueeze', ['dQ', 'ax0'], ['dQ5']),
      node('Unsqueeze', ['dK', 'ax0'], ['dK5']),
      node('Unsqueeze', ['dV', 'ax0'], ['dV5']),
      node('Concat', ['dQ5', 'dK5', 'dV5'], ['dTr'], { axis: 0 }),
      node('Transpose', ['dTr'], ['dR'], { perm: [1, 3, 0, 2, 4] }),
      node('Reshape', ['dR', 'shape2'], ['DX'])
    ],
    inputs: [
      ['X', 2],
      ['P', 4],
      ['DY', 2]
    ],
    outputs: ['DX'],
    initializers: [
      ...qkvInits(T, H, dh),
      int64Tensor('shape4', [4], [-1, T, H, dh]),
      int64Tensor('shape2', [2], [-1, 3 * H * dh]),
      int64Tensor('axes', [1], [-1])
    ]
  })
}

function selfAttentionOrt(qkv: tf.Tensor, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor {
  const d = qkv.shape[1]! / 3
  const dh = d / H
  const scale = 1 / Math.sqrt(dh)
  const mb = f32(maskBias)
  const key = `${T}:${H}:${dh}`
  return customOp([qkv], ([x]) => {
    const xv = f32(x!)
    const [y, p] = runGraphData(`attention_fwd:${key}`, attnFwd(T, H, dh, scale), [
      ['X', xv, x!.shape],
      ['M', mb, [B, 1, 1, T]]
    ])
    return {
      value: out(y!, [B * T, d]),
      backward: (dy) => {
        const [dx] = runGraphData(`attention_bwd:${key}`, attnBwd(T, H, dh, scale), [
          ['X', xv, x!.shape],
          ['P', p!, [B, H, T, T]],
          ['DY', f32(dy), dy.shape]
        ])
        return [out(dx!, x!.shape)]
      }
    }
  })
}

/**
 * Multi-head self-attention core: qkv [B*T, 3*d] (q | k | v, heads contiguous) and
 * maskBias [B, T] -> context [B*T, d].
 */
export function selfAttention(qkv: tf.Tensor, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor {
  if (useOrt()) return selfAttentionOrt(qkv, maskBias, B, T, H)
  const d = qkv.shape[1]! / 3
  const dh = d / H
  return tf.tidy(() => {
    const heads = tf.transpose(tf.reshape(qkv, [B, T, 3, H, dh]), [2, 0, 3, 1, 4])
    const [q, k, v] = tf.unstack(heads, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]
    const probs = maskedSoftmax(tf.matMul(q, k, false, true), maskBias, 1 / Math.sqrt(dh))
    return tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B * T, d])
  })
}
