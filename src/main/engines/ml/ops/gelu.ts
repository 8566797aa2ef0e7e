/** Exact (erf) GELU, as PyTorch's default nn.GELU: onnxruntime graphs, a JS loop, or tfjs ops. */
import * as tf from '../tf'
import { node, type OnnxNode, type OnnxTensor } from '../onnx-proto'
import { customOp, f32, isJsMemoryBackend, out, runGraphData, scalar, useOrt, type KernelGraph } from './graph'

const INV_SQRT2 = Math.SQRT1_2
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI)

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

/** Exact GELU as onnxruntime's fused com.microsoft Gelu kernel (one vectorised pass). */
const GELU_FWD = (): KernelGraph => ({
  nodes: [node('Gelu', ['X'], ['Y'], {}, 'com.microsoft')],
  inputs: [['X', 1]],
  outputs: ['Y']
})

/** dx = dy * (cdf + x * exp(-x^2/2) / sqrt(2 pi)), as graph nodes (the fused linear reuses them). */
export function geluBwdNodes(x: string, dy: string, dx: string): OnnxNode[] {
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

/** The constants geluBwdNodes reads. */
export function geluBwdInits(): OnnxTensor[] {
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

function geluOrt(x: tf.Tensor): tf.Tensor {
  return customOp([x], ([xi]) => {
    const xv = f32(xi!)
    const dims = [xv.length]
    const [y] = runGraphData('gelu_fwd', GELU_FWD, [['X', xv, dims]])
    return {
      value: out(y!, xi!.shape),
      backward: (dy) => {
        const [dx] = runGraphData('gelu_bwd', GELU_BWD, [
          ['X', xv, dims],
          ['DY', f32(dy), dims]
        ])
        return [out(dx!, xi!.shape)]
      }
    }
  })
}

function geluJs(x: tf.Tensor): tf.Tensor {
  return customOp([x], ([xi]) => {
    const xv = f32(xi!)
    const n = xv.length
    const y = new Float32Array(n)
    const cdf = new Float32Array(n)
    for (let i = 0; i < n; i++) {
      const v = xv[i]!
      const c = 0.5 * (1 + erf(v * INV_SQRT2))
      cdf[i] = c
      y[i] = v * c
    }
    return {
      value: out(y, xi!.shape),
      backward: (dy) => {
        const dyv = f32(dy)
        const dx = new Float32Array(n)
        for (let i = 0; i < n; i++) {
          const v = xv[i]!
          dx[i] = dyv[i]! * (cdf[i]! + v * INV_SQRT_2PI * Math.exp(-0.5 * v * v))
        }
        return [out(dx, xi!.shape)]
      }
    }
  })
}

/** Exact (erf) GELU, as PyTorch's default nn.GELU. */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (!isJsMemoryBackend()) {
    return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, INV_SQRT2)))))
  }
  return useOrt() ? geluOrt(x) : geluJs(x)
}
