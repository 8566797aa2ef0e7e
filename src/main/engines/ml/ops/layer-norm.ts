/** Layer norm over the last axis: onnxruntime graphs on cpu-ort, a JS loop on cpu, tfjs ops elsewhere. */
import * as tf from '../tf'
import { node, int64Tensor } from '../onnx-proto'
import { customOp, f32, isJsMemoryBackend, out, runGraphData, useOrt, type KernelGraph } from './graph'

const LN_EPS = 1e-5

/** x [N, D] -> y, and the row mean and 1/std [N, 1] that the backward reuses. */
const LN_FWD = (): KernelGraph => ({
  nodes: [
    node('LayerNormalization', ['X', 'G', 'B'], ['Y', 'Mean', 'InvStd'], { axis: -1, epsilon: { float: LN_EPS } })
  ],
  inputs: [
    ['X', 2],
    ['G', 1],
    ['B', 1]
  ],
  outputs: ['Y', 'Mean', 'InvStd']
})

// xhat = (x - mean) * rstd; dh = dy * g; dx = rstd * (dh - mean(dh) - xhat * mean(dh * xhat))
// dg = sum_rows(dy * xhat); db = sum_rows(dy)
const LN_BWD = (): KernelGraph => ({
  nodes: [
    node('Sub', ['X', 'Mean'], ['xc']),
    node('Mul', ['xc', 'InvStd'], ['xhat']),
    node('Mul', ['DY', 'xhat'], ['dyx']),
    node('ReduceSum', ['dyx', 'ax0'], ['DG'], { keepdims: 0 }),
    node('ReduceSum', ['DY', 'ax0'], ['DB'], { keepdims: 0 }),
    node('Mul', ['DY', 'G'], ['dh']),
    node('ReduceMean', ['dh'], ['s1'], { axes: [-1], keepdims: 1 }),
    node('Mul', ['dh', 'xhat'], ['dhx']),
    node('ReduceMean', ['dhx'], ['s2'], { axes: [-1], keepdims: 1 }),
    node('Mul', ['xhat', 's2'], ['xs2']),
    node('Sub', ['dh', 's1'], ['d1']),
    node('Sub', ['d1', 'xs2'], ['d2']),
    node('Mul', ['d2', 'InvStd'], ['DX'])
  ],
  inputs: [
    ['X', 2],
    ['DY', 2],
    ['G', 1],
    ['Mean', 2],
    ['InvStd', 2]
  ],
  outputs: ['DX', 'DG', 'DB'],
  initializers: [int64Tensor('ax0', [1], [0])]
})

function layerNormOrt(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return customOp([x, gamma, beta], ([xi, gi, bi]) => {
    const shape = xi!.shape
    const D = shape[shape.length - 1]!
    const N = xi!.size / D
    const xv = f32(xi!)
    const g = f32(gi!)
    const [y, mean, rstd] = runGraphData('layernorm_fwd', LN_FWD, [
      ['X', xv, [N, D]],
      ['G', g, [D]],
      ['B', f32(bi!), [D]]
    ])
    return {
      value: out(y!, shape),
      backward: (dy) => {
        const [dx, dg, db] = runGraphData('layernorm_bwd', LN_BWD, [
          ['X', xv, [N, D]],
          ['DY', f32(dy), [N, D]],
          ['G', g, [D]],
          ['Mean', mean!, [N, 1]],
          ['InvStd', rstd!, [N, 1]]
        ])
        return [out(dx!, shape), out(dg!, [D]), out(db!, [D])]
      }
    }
  })
}

function layerNormJs(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  return customOp([x, gamma, beta], ([xi, gi, bi]) => {
    const shape = xi!.shape
    const D = shape[shape.length - 1]!
    const N = xi!.size / D
    const xv = f32(xi!)
    const g = f32(gi!)
    const b = f32(bi!)
    const y = new Float32Array(xi!.size)
    const xhat = new Float32Array(xi!.size)
    const rstd = new Float32Array(N)
    for (let r = 0; r < N; r++) {
      const o = r * D
      let mean = 0
      for (let j = 0; j < D; j++) mean += xv[o + j]!
      mean /= D
      let v = 0
      for (let j = 0; j < D; j++) {
        const d = xv[o + j]! - mean
        v += d * d
      }
      const rs = 1 / Math.sqrt(v / D + LN_EPS)
      rstd[r] = rs
      for (let j = 0; j < D; j++) {
        const h = (xv[o + j]! - mean) * rs
        xhat[o + j] = h
        y[o + j] = h * g[j]! + b[j]!
      }
    }
    return {
      value: out(y, shape),
      backward: (dy) => {
        const dyv = f32(dy)
        const dx = new Float32Array(xi!.size)
        const dg = new Float32Array(D)
        const db = new Float32Array(D)
        for (let r = 0; r < N; r++) {
          const o = r * D
          let s1 = 0
          let s2 = 0
          for (let j = 0; j < D; j++) {
            const d = dyv[o + j]!
            const h = xhat[o + j]!
            dg[j]! += d * h
            db[j]! += d
            const dh = d * g[j]!
            s1 += dh
            s2 += dh * h
          }
          s1 /= D
          s2 /= D
          const rs = rstd[r]!
          for (let j = 0; j < D; j++) {
            const dh = dyv[o + j]! * g[j]!
            dx[o + j] = rs * (dh - s1 - xhat[o + j]! * s2)
          }
        }
        return [out(dx, shape), out(dg, [D]), out(db, [D])]
      }
    }
  })
}

/** Layer norm over the last axis. x [..., D], gamma [D], beta [D]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  if (!isJsMemoryBackend()) {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true)
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), gamma), beta)
    })
  }
  return useOrt() ? layerNormOrt(x, gamma, beta) : layerNormJs(x, gamma, beta)
}
