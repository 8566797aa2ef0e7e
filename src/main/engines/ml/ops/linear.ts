/**
 * Linear layer x [N, in] @ w [in, out] + b, optionally followed by exact GELU. On cpu-ort the
 * forward is one onnxruntime graph (Gemm, plus com.microsoft Gelu) and the backward another (the
 * GELU derivative, dx, dW and db together); elsewhere tfjs's fused matMul (and gelu()).
 */
import * as tf from '../tf'
import { node, int64Tensor } from '../onnx-proto'
import { customOp, f32, out, runGraphData, useOrt, type Feed, type KernelGraph } from './graph'
import { gelu, geluBwdInits, geluBwdNodes } from './gelu'

/** y = x @ W + b (optionally GELU(...)), W [in, out] (tfjs layout); z = pre-activation. */
function linearFwd(act: boolean): () => KernelGraph {
  return () => ({
    nodes: act
      ? [node('Gemm', ['X', 'W', 'B'], ['Z']), node('Gelu', ['Z'], ['Y'], {}, 'com.microsoft')]
      : [node('Gemm', ['X', 'W', 'B'], ['Y'])],
    inputs: [
      ['X', 2],
      ['W', 2],
      ['B', 1]
    ],
    outputs: act ? ['Y', 'Z'] : ['Y']
  })
}

/** dz = dy (* gelu'(z)); dx = dz W^T; dW = x^T dz; db = sum_rows dz: one run. */
function linearBwd(act: boolean): () => KernelGraph {
  return () => {
    const inputs: [string, number][] = [
      ['X', 2],
      ['W', 2],
      ['DY', 2]
    ]
    if (act) inputs.push(['Z', 2])
    return {
      nodes: [
        ...(act ? geluBwdNodes('Z', 'DY', 'DZ') : [node('Identity', ['DY'], ['DZ'])]),
        node('Gemm', ['DZ', 'W'], ['DX'], { transB: 1 }),
        node('Gemm', ['X', 'DZ'], ['DW'], { transA: 1 }),
        node('ReduceSum', ['DZ', 'ax0'], ['DB'], { keepdims: 0 })
      ],
      inputs,
      outputs: ['DX', 'DW', 'DB'],
      initializers: [int64Tensor('ax0', [1], [0]), ...(act ? geluBwdInits() : [])]
    }
  }
}

export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: 'linear' | 'gelu' = 'linear'): tf.Tensor {
  const act = activation === 'gelu'
  if (!useOrt() || x.rank !== 2) {
    const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b })
    return act ? gelu(y) : y
  }
  const tag = act ? 'gelu' : 'id'
  return customOp([x, w, b], ([xi, wi, bi]) => {
    const [N, K] = xi!.shape as [number, number]
    const M = wi!.shape[1]!
    const xv = f32(xi!)
    const wv = f32(wi!)
    const fwd = runGraphData(`linear_fwd:${tag}`, linearFwd(act), [
      ['X', xv, [N, K]],
      ['W', wv, [K, M]],
      ['B', f32(bi!), [M]]
    ])
    const z = act ? fwd[1]! : null
    return {
      value: out(fwd[0]!, [N, M]),
      backward: (dy) => {
        const feeds: Feed[] = [
          ['X', xv, [N, K]],
          ['W', wv, [K, M]],
          ['DY', f32(dy), [N, M]]
        ]
        if (z !== null) feeds.push(['Z', z, [N, M]])
        const [dx, dw, db] = runGraphData(`linear_bwd:${tag}`, linearBwd(act), feeds)
        return [out(dx!, [N, K]), out(dw!, [K, M]), out(db!, [M])]
      }
    }
  })
}
