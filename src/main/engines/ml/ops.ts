/**
 * Fused building blocks (linear(+GELU), layer norm, GELU, masked softmax, self-attention, tanh soft
 * clamp) with hand-written gradients. On 'cpu-ort' each direction is one cached onnxruntime graph
 * (runGraph); on plain 'cpu' they are single-pass JS loops (tfjs's composite versions take 5-10
 * passes and allocations each); on native backends (tensorflow, tensorflow-gpu) they are composed
 * from tfjs ops.
 */
import * as tf from '@tensorflow/tfjs'
import { isJsMemoryBackend, runGraph, ORT_BACKEND, type KernelGraph } from './onnx-kernels'
import { node, floatTensor, int64Tensor, type OnnxNode, type OnnxTensor } from './onnx-proto'

/** True when the fused ops should run their onnxruntime graphs (cpu-ort backend). */
function useOrt(): boolean {
  return tf.getBackend() === ORT_BACKEND
}

function scalar(name: string, v: number): ReturnType<typeof floatTensor> {
  return floatTensor(name, [], new Float32Array([v]))
}

/** Exact GELU as onnxruntime's fused com.microsoft Gelu kernel (one vectorised pass). */
const GELU_FWD = (): KernelGraph => ({
  nodes: [node('Gelu', ['X'], ['Y'], {}, 'com.microsoft')],
  inputs: [['X', 1]],
  outputs: ['Y']
})

// dx = dy * (cdf + x * exp(-x^2/2) / sqrt(2 pi))
function geluBwdNodes(x: string, dy: string, dx: string): OnnxNode[] {
  return [
    node('Mul', [x, 'inv_sqrt2'], ['g_xs']),
    node('Erf', ['g_xs'], ['g_e']),
    node('Add', ['g_e', 'one'], ['g_e1']),
    node('Mul', ['g_e1', 'half'], ['g_cdf']),
    node('Mul', [x, x], ['g_x2']),
    node('Mul', ['g_x2', 'neg_half'], ['g_x2h']),
    node('Exp', ['g_x2h'], ['g_ex']),
    node('Mul', ['g_ex', 'inv_sqrt_2pi'], ['g_pdf']),
    node('Mul', [x, 'g_pdf'], ['g_xpdf']),
    node('Add', ['g_cdf', 'g_xpdf'], ['g_d']),
    node('Mul', [dy, 'g_d'], [dx])
  ]
}

function geluBwdInits(): OnnxTensor[] {
  return [
    scalar('inv_sqrt2', INV_SQRT2),
    scalar('one', 1),
    scalar('half', 0.5),
    scalar('neg_half', -0.5),
    scalar('inv_sqrt_2pi', INV_SQRT_2PI)
  ]
}

const GELU_BWD = (): KernelGraph => ({
  nodes: geluBwdNodes('X', 'DY', 'DX'),
  inputs: [
    ['X', 1],
    ['DY', 1]
  ],
  outputs: ['DX'],
  initializers: geluBwdInits()
})

/** y = x @ W + b (optionally GELU(...)), x [N, in], W [in, out] (tfjs layout); z = pre-activation. */
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

/**
 * Linear layer x [N, in] @ w [in, out] + b, optionally followed by exact GELU. On cpu-ort the
 * forward is one onnxruntime graph (Gemm, plus com.microsoft Gelu) and the backward another (the
 * GELU derivative, dx, dW and db together); elsewhere tfjs's fused matMul (and gelu()).
 */
export function linear(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor, activation: 'linear' | 'gelu' = 'linear'): tf.Tensor {
  const act = activation === 'gelu'
  if (!useOrt() || x.rank !== 2) {
    const y = tf.fused.matMul({ a: x as tf.Tensor2D, b: w as tf.Tensor2D, bias: b })
    return act ? gelu(y) : y
  }
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, wi, bi] = [asTensor(args[0]), asTensor(args[1]), asTensor(args[2])]
    const [N, K] = xi.shape as [number, number]
    const M = wi.shape[1]!
    const xv = f32(xi)
    const wv = f32(wi)
    const out = runGraph(`linear_fwd:${act ? 'gelu' : 'id'}`, linearFwd(act), [
      ['X', xv, [N, K]],
      ['W', wv, [K, M]],
      ['B', f32(bi), [M]]
    ])
    const z = act ? out[1]!.data : null
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const feeds: [string, Float32Array, readonly number[]][] = [
        ['X', xv, [N, K]],
        ['W', wv, [K, M]],
        ['DY', f32(dy as tf.Tensor), [N, M]]
      ]
      if (z !== null) feeds.push(['Z', z, [N, M]])
      const [dx, dw, db] = runGraph(`linear_bwd:${act ? 'gelu' : 'id'}`, linearBwd(act), feeds)
      return [
        tf.tensor(dx!.data, [N, K], 'float32'),
        tf.tensor(dw!.data, [K, M], 'float32'),
        tf.tensor(db!.data, [M], 'float32')
      ]
    }
    return { value: tf.tensor(out[0]!.data, [N, M], 'float32'), gradFunc }
  })
  return fn(x, w, b)
}

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

// dx = scale * p * (dy - sum(dy * p, -1))
function softmaxBwd(scale: number): () => KernelGraph {
  return () => ({
    nodes: [
      node('Mul', ['DY', 'P'], ['dp']),
      node('ReduceSum', ['dp', 'axes'], ['dot'], { keepdims: 1 }),
      node('Sub', ['DY', 'dot'], ['diff']),
      node('Mul', ['P', 'diff'], ['g']),
      node('Mul', ['g', 'scale'], ['DX'])
    ],
    inputs: [
      ['DY', 4],
      ['P', 4]
    ],
    outputs: ['DX'],
    initializers: [scalar('scale', scale), int64Tensor('axes', [1], [-1])]
  })
}

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

/** Layer norm on cpu-ort: forward and backward are one onnxruntime graph each. */
function layerNormOrt(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, gi, bi] = [asTensor(args[0]), asTensor(args[1]), asTensor(args[2])]
    const shape = xi.shape
    const D = shape[shape.length - 1]!
    const N = xi.size / D
    const xv = f32(xi)
    const g = f32(gi)
    const [y, mean, rstd] = runGraph('layernorm_fwd', LN_FWD, [
      ['X', xv, [N, D]],
      ['G', g, [D]],
      ['B', f32(bi), [D]]
    ])
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const [dx, dg, db] = runGraph('layernorm_bwd', LN_BWD, [
        ['X', xv, [N, D]],
        ['DY', f32(dy as tf.Tensor), [N, D]],
        ['G', g, [D]],
        ['Mean', mean!.data, [N, 1]],
        ['InvStd', rstd!.data, [N, 1]]
      ])
      return [
        tf.tensor(dx!.data, shape, 'float32'),
        tf.tensor(dg!.data, [D], 'float32'),
        tf.tensor(db!.data, [D], 'float32')
      ]
    }
    return { value: tf.tensor(y!.data, shape, 'float32'), gradFunc }
  })
  return fn(x, gamma, beta)
}

function asTensor(a: tf.Tensor | tf.GradSaveFunc | undefined): tf.Tensor {
  if (a instanceof tf.Tensor) return a
  throw new Error('custom op expected a tensor input')
}

function f32(t: tf.Tensor): Float32Array {
  const d = t.dataSync()
  if (d instanceof Float32Array) return d
  return Float32Array.from(d)
}

/** Layer norm over the last axis. x [..., D], gamma [D], beta [D]. */
export function layerNorm(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  if (!isJsMemoryBackend()) {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true)
      return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, LN_EPS))), gamma), beta)
    })
  }
  if (useOrt()) return layerNormOrt(x, gamma, beta)
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xi, gi, bi] = [asTensor(args[0]), asTensor(args[1]), asTensor(args[2])]
    const shape = xi.shape
    const D = shape[shape.length - 1]!
    const N = xi.size / D
    const xv = f32(xi)
    const g = f32(gi)
    const b = f32(bi)
    const y = new Float32Array(xi.size)
    const xhat = new Float32Array(xi.size)
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
    const value = tf.tensor(y, shape, 'float32')
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dyv = f32(dy as tf.Tensor)
      const dx = new Float32Array(xi.size)
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
      return [tf.tensor(dx, shape, 'float32'), tf.tensor(dg, [D], 'float32'), tf.tensor(db, [D], 'float32')]
    }
    return { value, gradFunc }
  })
  return fn(x, gamma, beta)
}

/** erf with |error| < 1.2e-7 (Numerical Recipes erfc, Chebyshev). */
export function erf(x: number): number {
  const z = Math.abs(x)
  const t = 1 / (1 + 0.5 * z)
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))))
    )
  return x >= 0 ? 1 - r : r - 1
}

const INV_SQRT2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

/** Exact (erf) GELU, as PyTorch's default nn.GELU. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (!isJsMemoryBackend()) {
    return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, INV_SQRT2)))))
  }
  if (useOrt()) {
    const fo = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const xi = asTensor(args[0])
      const xv = f32(xi)
      const dims = [xv.length]
      const [y] = runGraph('gelu_fwd', GELU_FWD, [['X', xv, dims]])
      const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
        const [dx] = runGraph('gelu_bwd', GELU_BWD, [
          ['X', xv, dims],
          ['DY', f32(dy as tf.Tensor), dims]
        ])
        return [tf.tensor(dx!.data, xi.shape, 'float32')]
      }
      return { value: tf.tensor(y!.data, xi.shape, 'float32'), gradFunc }
    })
    return fo(x)
  }
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const xi = asTensor(args[0])
    const xv = f32(xi)
    const n = xv.length
    const y = new Float32Array(n)
    const cdf = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      const v = xv[i]!
      const c = 0.5 * (1 + erf(v * INV_SQRT2))
      cdf[i] = c
      y[i] = v * c
    }
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dyv = f32(dy as tf.Tensor)
      const dx = new Float32Array(n)
      for (let i = 0; i < n; i++) {
        const v = xv[i]!
        dx[i] = dyv[i]! * (cdf[i]! + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))
      }
      return [tf.tensor(dx, xi.shape, 'float32')]
    }
    return { value: tf.tensor(y, xi.shape, 'float32'), gradFunc }
  })
  return fn(x)
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
  if (useOrt()) {
    const fo = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const s = asTensor(args[0])
      const [B, , , Tk] = s.shape as [number, number, number, number]
      const [p] = runGraph(`masked_softmax_fwd:${scale}`, softmaxFwd(scale), [
        ['S', f32(s), s.shape],
        ['M', mb, [B, 1, 1, Tk]]
      ])
      const pv = p!.data
      const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
        const [dx] = runGraph(`masked_softmax_bwd:${scale}`, softmaxBwd(scale), [
          ['DY', f32(dy as tf.Tensor), s.shape],
          ['P', pv, s.shape]
        ])
        return [tf.tensor(dx!.data, s.shape, 'float32')]
      }
      return { value: tf.tensor(pv, s.shape, 'float32'), gradFunc }
    })
    return fo(scores)
  }
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const s = asTensor(args[0])
    const [B, H, Tq, Tk] = s.shape as [number, number, number, number]
    const sv = f32(s)
    const p = new Float32Array(s.size)
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
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const dyv = f32(dy as tf.Tensor)
      const dx = new Float32Array(s.size)
      const rows = s.size / Tk
      for (let r = 0; r < rows; r++) {
        const o = r * Tk
        let dot = 0
        for (let j = 0; j < Tk; j++) dot += dyv[o + j]! * p[o + j]!
        for (let j = 0; j < Tk; j++) dx[o + j] = scale * p[o + j]! * (dyv[o + j]! - dot)
      }
      return [tf.tensor(dx, s.shape, 'float32')]
    }
    return { value: tf.tensor(p, s.shape, 'float32'), gradFunc }
  })
  return fn(scores)
}

/** 10 * tanh(x / 10): a soft clamp into [-10, 10] that keeps gradients alive. */
export function softClamp(x: tf.Tensor, bound: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.tanh(tf.div(x, bound)), bound))
}

function attnFwd(T: number, H: number, dh: number, scale: number): () => KernelGraph {
  const d = H * dh
  return () => ({
    nodes: [
      node('Reshape', ['X', 'shape5'], ['R']),
      node('Transpose', ['R'], ['Tr'], { perm: [2, 0, 3, 1, 4] }),
      node('Split', ['Tr'], ['q5', 'k5', 'v5'], { axis: 0 }),
      node('Squeeze', ['q5', 'ax0'], ['q']),
      node('Squeeze', ['k5', 'ax0'], ['k']),
      node('Squeeze', ['v5', 'ax0'], ['v']),
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
    initializers: [
      int64Tensor('shape5', [5], [-1, T, 3, H, dh]),
      int64Tensor('shape2', [2], [-1, d]),
      int64Tensor('ax0', [1], [0])
    ]
  })
}

function attnBwd(T: number, H: number, dh: number, scale: number): () => KernelGraph {
  const d = H * dh
  return () => ({
    nodes: [
      node('Reshape', ['X', 'shape5'], ['R']),
      node('Transpose', ['R'], ['Tr'], { perm: [2, 0, 3, 1, 4] }),
      node('Split', ['Tr'], ['q5', 'k5', 'v5'], { axis: 0 }),
      node('Squeeze', ['q5', 'ax0'], ['q']),
      node('Squeeze', ['k5', 'ax0'], ['k']),
      node('Squeeze', ['v5', 'ax0'], ['v']),
      node('Reshape', ['DY', 'shape4'], ['dy4']),
      node('Transpose', ['dy4'], ['dO'], { perm: [0, 2, 1, 3] }),
      node('FusedMatMul', ['P', 'dO'], ['dV'], { alpha: { float: 1 }, transA: 1 }, 'com.microsoft'),
      node('FusedMatMul', ['dO', 'v'], ['dP'], { alpha: { float: 1 }, transB: 1 }, 'com.microsoft'),
      node('Mul', ['dP', 'P'], ['dpp']),
      node('ReduceSum', ['dpp', 'axm1'], ['dot'], { keepdims: 1 }),
      node('Sub', ['dP', 'dot'], ['diff']),
      node('Mul', ['P', 'diff'], ['dS']),
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
      int64Tensor('shape5', [5], [-1, T, 3, H, dh]),
      int64Tensor('shape4', [4], [-1, T, H, dh]),
      int64Tensor('shape2', [2], [-1, 3 * d]),
      int64Tensor('ax0', [1], [0]),
      int64Tensor('axm1', [1], [-1])
    ]
  })
}

/**
 * Multi-head self-attention core: qkv [B*T, 3*d] (q | k | v, heads contiguous) and
 * maskBias [B, T] -> context [B*T, d]. On cpu-ort the forward and the backward are one
 * onnxruntime graph each (the [B,H,T,T] scores never enter tfjs).
 */
export function selfAttention(qkv: tf.Tensor, maskBias: tf.Tensor, B: number, T: number, H: number): tf.Tensor {
  const d = qkv.shape[1]! / 3
  const dh = d / H
  const scale = 1 / Math.sqrt(dh)
  if (useOrt()) {
    const mb = f32(maskBias)
    const fo = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const x = asTensor(args[0])
      const xv = f32(x)
      const key = `${T}:${H}:${dh}`
      const [y, p] = runGraph(`attention_fwd:${key}`, attnFwd(T, H, dh, scale), [
        ['X', xv, x.shape],
        ['M', mb, [B, 1, 1, T]]
      ])
      const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
        const g = dy as tf.Tensor
        const [dx] = runGraph(`attention_bwd:${key}`, attnBwd(T, H, dh, scale), [
          ['X', xv, x.shape],
          ['P', p!.data, p!.dims],
          ['DY', f32(g), g.shape]
        ])
        return [tf.tensor(dx!.data, x.shape, 'float32')]
      }
      return { value: tf.tensor(y!.data, [B * T, d], 'float32'), gradFunc }
    })
    return fo(qkv)
  }
  return tf.tidy(() => {
    const heads = tf.transpose(tf.reshape(qkv, [B, T, 3, H, dh]), [2, 0, 3, 1, 4])
    const [q, k, v] = tf.unstack(heads, 0) as [tf.Tensor, tf.Tensor, tf.Tensor]
    const probs = maskedSoftmax(tf.matMul(q, k, false, true), maskBias, scale)
    return tf.reshape(tf.transpose(tf.matMul(probs, v), [0, 2, 1, 3]), [B * T, d])
  })
}
