/**
 * Fused PPO minibatch step for the cpu-ort backend: the policy and value MLPs' forward pass is one
 * onnxruntime graph, the PPO loss and its gradient w.r.t. the logits and values are a short JS
 * loop over [n, A] (n = minibatch), and the backward pass of both MLPs (tanh fused as 1 - y^2, plus
 * the gradients' sum of squares) is a second onnxruntime graph. Weights stay in Float32Arrays for
 * the whole update (in WebAssembly memory, updated by the SIMD AdamW kernel of adam-wasm.ts, or
 * by AdamW.applyArrays where SIMD is missing); the tfjs variables are written once at the end.
 *
 * The loss gradient follows tfjs's own gradient rules exactly (minimum: a <= b -> a; maximum:
 * a >= b -> a; clipByValue: passes inside [lo, hi] inclusive), so it matches the tfjs path
 * (ppoUpdate with impl 'tfjs') within float tolerance; test/unit/ml/ppo-fused.test.ts checks it.
 */
import * as tf from './tf'
import { node, int64Tensor, floatTensor, type OnnxNode } from './onnx-proto'
import { runGraph, type KernelGraph } from './onnx-kernels'
import { AppFailure } from '../../../shared/result'

/** One MLP's weights in tfjs layout: w[i] is [sizes[i], sizes[i+1]], b[i] is [sizes[i+1]]. */
export interface MlpArrays {
  sizes: readonly number[]
  w: Float32Array[]
  b: Float32Array[]
}

function mlpForwardNodes(p: string, L: number, nodes: OnnxNode[]): void {
  let h = 'X'
  for (let i = 0; i < L; i++) {
    const z = i < L - 1 ? `${p}z${i}` : `${p}out`
    nodes.push(node('Gemm', [h, `${p}W${i}`, `${p}b${i}`], [z]))
    if (i < L - 1) {
      nodes.push(node('Tanh', [z], [`${p}h${i}`]))
      h = `${p}h${i}`
    }
  }
}

/** X [n, D] -> policy logits, value [n, 1], and every hidden tanh output (needed by the backward). */
function forwardGraph(Lp: number, Lv: number): () => KernelGraph {
  return () => {
    const nodes: OnnxNode[] = []
    mlpForwardNodes('p', Lp, nodes)
    mlpForwardNodes('v', Lv, nodes)
    const inputs: [string, number][] = [['X', 2]]
    for (const [p, L] of [
      ['p', Lp],
      ['v', Lv]
    ] as const) {
      for (let i = 0; i < L; i++) inputs.push([`${p}W${i}`, 2], [`${p}b${i}`, 1])
    }
    const outputs = ['pout', 'vout']
    for (let i = 0; i < Lp - 1; i++) outputs.push(`ph${i}`)
    for (let i = 0; i < Lv - 1; i++) outputs.push(`vh${i}`)
    return { nodes, inputs, outputs }
  }
}

function mlpBackwardNodes(p: string, L: number, nodes: OnnxNode[], outputs: string[], dxOut?: string): void {
  // dz{L-1} = d{p}out; for i = L-1..0: dW_i = h_{i-1}^T dz_i, db_i = sum_rows dz_i,
  // dz_{i-1} = (dz_i W_i^T) * (1 - h_{i-1}^2)
  let dz = `${p}dout`
  const layerOut: string[] = []
  for (let i = L - 1; i >= 0; i--) {
    const hin = i === 0 ? 'X' : `${p}h${i - 1}`
    nodes.push(node('Gemm', [hin, dz], [`${p}dW${i}`], { transA: 1 }))
    nodes.push(node('ReduceSum', [dz, 'ax0'], [`${p}db${i}`], { keepdims: 0 }))
    layerOut.unshift(`${p}dW${i}`, `${p}db${i}`)
    if (i > 0) {
      nodes.push(node('Gemm', [dz, `${p}W${i}`], [`${p}dh${i - 1}`], { transB: 1 }))
      nodes.push(node('Mul', [hin, hin], [`${p}hh${i - 1}`]))
      nodes.push(node('Sub', ['one', `${p}hh${i - 1}`], [`${p}dt${i - 1}`]))
      nodes.push(node('Mul', [`${p}dh${i - 1}`, `${p}dt${i - 1}`], [`${p}dz${i - 1}`]))
      dz = `${p}dz${i - 1}`
    }
  }
  if (dxOut !== undefined) {
    nodes.push(node('Gemm', [dz, `${p}W0`], [dxOut], { transB: 1 }))
    layerOut.unshift(dxOut)
  }
  outputs.push(...layerOut)
}

/**
 * Gradients of both MLPs' weights, given the loss gradient w.r.t. their outputs, and the sum of
 * their squares (for the global grad-norm clip) as the last output.
 */
function backwardGraph(Lp: number, Lv: number): () => KernelGraph {
  return () => {
    const nodes: OnnxNode[] = []
    const outputs: string[] = []
    mlpBackwardNodes('p', Lp, nodes, outputs)
    mlpBackwardNodes('v', Lv, nodes, outputs)
    const sqs = outputs.map((g) => {
      nodes.push(node('ReduceSumSquare', [g], [`${g}_sq`], { keepdims: 0 }))
      return `${g}_sq`
    })
    nodes.push(node('Sum', sqs, ['sq']))
    const inputs: [string, number][] = [['X', 2]]
    for (const [p, L] of [
      ['p', Lp],
      ['v', Lv]
    ] as const) {
      for (let i = 1; i < L; i++) inputs.push([`${p}W${i}`, 2])
      for (let i = 0; i < L - 1; i++) inputs.push([`${p}h${i}`, 2])
      inputs.push([`${p}dout`, 2])
    }
    return {
      nodes,
      inputs,
      outputs: [...outputs, 'sq'],
      initializers: [int64Tensor('ax0', [1], [0]), floatTensor('one', [], new Float32Array([1]))]
    }
  }
}

type Feed = [string, Float32Array, readonly number[]]

function weightFeeds(p: string, m: MlpArrays, feeds: Feed[], withBias: boolean, from = 0): void {
  const L = m.sizes.length - 1
  for (let i = from; i < L; i++) {
    feeds.push([`${p}W${i}`, m.w[i]!, [m.sizes[i]!, m.sizes[i + 1]!]])
    if (withBias) feeds.push([`${p}b${i}`, m.b[i]!, [m.sizes[i + 1]!]])
  }
}

export interface MlpPairForward {
  /** [n, A] policy logits. */
  logits: Float32Array
  /** [n] values. */
  values: Float32Array
  /** Hidden tanh outputs of the policy and value nets (inputs of the backward graph). */
  hidden: { p: Float32Array[]; v: Float32Array[] }
}

/** Forward of both nets on x [n, D] in one onnxruntime run. */
export function mlpPairForward(policy: MlpArrays, value: MlpArrays, x: Float32Array, n: number): MlpPairForward {
  const Lp = policy.sizes.length - 1
  const Lv = value.sizes.length - 1
  const D = policy.sizes[0]!
  const feeds: Feed[] = [['X', x, [n, D]]]
  weightFeeds('p', policy, feeds, true)
  weightFeeds('v', value, feeds, true)
  const out = runGraph(`ppo_fwd:${Lp}:${Lv}`, forwardGraph(Lp, Lv), feeds)
  const hp: Float32Array[] = []
  const hv: Float32Array[] = []
  for (let i = 0; i < Lp - 1; i++) hp.push(out[2 + i]!.data)
  for (let i = 0; i < Lv - 1; i++) hv.push(out[1 + Lp + i]!.data)
  return { logits: out[0]!.data, values: out[1]!.data, hidden: { p: hp, v: hv } }
}

export interface MlpPairGrads {
  /** Per layer, same layout as MlpArrays. */
  p: { w: Float32Array[]; b: Float32Array[] }
  v: { w: Float32Array[]; b: Float32Array[] }
  /** Sum of squares of every gradient (float32 accumulation in onnxruntime). */
  sumSq: number
}

/** Backward of both nets in one onnxruntime run; dLogits [n, A], dValues [n]. */
export function mlpPairBackward(
  policy: MlpArrays,
  value: MlpArrays,
  x: Float32Array,
  n: number,
  fwd: MlpPairForward,
  dLogits: Float32Array,
  dValues: Float32Array
): MlpPairGrads {
  const Lp = policy.sizes.length - 1
  const Lv = value.sizes.length - 1
  const feeds = backwardFeeds(policy, value, x, n, fwd, dLogits, dValues)
  const out = runGraph(`ppo_bwd:${Lp}:${Lv}`, backwardGraph(Lp, Lv), feeds)
  const grads: MlpPairGrads = { p: { w: [], b: [] }, v: { w: [], b: [] }, sumSq: out[out.length - 1]!.data[0]! }
  let k = 0
  for (let i = 0; i < Lp; i++) {
    grads.p.w.push(out[k++]!.data)
    grads.p.b.push(out[k++]!.data)
  }
  for (let i = 0; i < Lv; i++) {
    grads.v.w.push(out[k++]!.data)
    grads.v.b.push(out[k++]!.data)
  }
  return grads
}

/** Name, size and tfjs shape of every parameter of the pair, in order (as PolicyValueNets.vars). */
export interface PackedParam {
  name: string
  size: number
  shape: number[]
}

/** policy net.0.weight, net.0.bias, ..., then value. */
export function pairLayout(policySizes: readonly number[], valueSizes: readonly number[]): PackedParam[] {
  const out: PackedParam[] = []
  for (const [prefix, sizes] of [
    ['policy', policySizes],
    ['value', valueSizes]
  ] as const) {
    for (let i = 0; i + 1 < sizes.length; i++) {
      const fin = sizes[i]!
      const fout = sizes[i + 1]!
      out.push(
        { name: `${prefix}.net.${2 * i}.weight`, size: fin * fout, shape: [fin, fout] },
        { name: `${prefix}.net.${2 * i}.bias`, size: fout, shape: [fout] }
      )
    }
  }
  return out
}

function backwardFeeds(
  policy: MlpArrays,
  value: MlpArrays,
  x: Float32Array,
  n: number,
  fwd: MlpPairForward,
  dLogits: Float32Array,
  dValues: Float32Array
): Feed[] {
  const feeds: Feed[] = [['X', x, [n, policy.sizes[0]!]]]
  for (const [p, m, hs, dout] of [
    ['p', policy, fwd.hidden.p, dLogits],
    ['v', value, fwd.hidden.v, dValues]
  ] as const) {
    weightFeeds(p, m, feeds, false, 1)
    const L = m.sizes.length - 1
    for (let i = 0; i < L - 1; i++) feeds.push([`${p}h${i}`, hs[i]!, [n, m.sizes[i + 1]!]])
    feeds.push([`${p}dout`, dout, [n, m.sizes[L]!]])
  }
  return feeds
}

export interface PpoLossInputs {
  n: number
  /** Number of actions. */
  A: number
  logits: Float32Array
  values: Float32Array
  actions: Int32Array
  oldLogProbs: Float32Array
  advantages: Float32Array
  returns: Float32Array
  oldValues: Float32Array | null
  clipRange: number
  clipRangeVf: number | undefined
  vfCoef: number
  entCoef: number
  /** [n * A] 1 = allowed; absent: every action is allowed. */
  masks?: Uint8Array
}

export interface PpoLossResult {
  dLogits: Float32Array
  dValues: Float32Array
  stats: { kl: number; clip: number; pl: number; vl: number; ent: number }
}

/**
 * SB3 PPO loss = pl + vfCoef * vl - entCoef * ent and its gradient w.r.t. logits and values,
 * mirroring the tfjs graph in ppoUpdate (impl 'tfjs') op by op, in float64. With `masks`, the
 * log-softmax runs over the allowed actions only: masked actions get probability 0 and gradient 0.
 */
export function ppoLossGrad(a: PpoLossInputs): PpoLossResult {
  const { n, A, logits, values, actions, oldLogProbs, advantages, returns, oldValues, masks } = a
  const allowed = (k: number): boolean => masks === undefined || masks[k] === 1
  const lo = 1 - a.clipRange
  const hi = 1 + a.clipRange
  const dLogits = new Float32Array(n * A)
  const dValues = new Float32Array(n)
  const lp = new Float64Array(A)
  const p = new Float64Array(A)
  const g = new Float64Array(A)
  let pl = 0
  let vl = 0
  let ent = 0
  let kl = 0
  let clipN = 0
  const invN = 1 / n
  for (let i = 0; i < n; i++) {
    const o = i * A
    let mx = -Infinity
    for (let j = 0; j < A; j++) if (allowed(o + j)) mx = Math.max(mx, logits[o + j]!)
    let se = 0
    for (let j = 0; j < A; j++) if (allowed(o + j)) se += Math.exp(logits[o + j]! - mx)
    const lse = mx + Math.log(se)
    let entI = 0
    for (let j = 0; j < A; j++) {
      if (allowed(o + j)) {
        lp[j] = logits[o + j]! - lse
        p[j] = Math.exp(lp[j]!)
        entI += p[j]! * lp[j]!
      } else {
        lp[j] = 0
        p[j] = 0
      }
    }
    ent -= entI
    const act = actions[i]!
    if (!allowed(o + act)) throw new AppFailure('internal', `minibatch row ${i}: action ${act} is masked`)
    const logRatio = lp[act]! - oldLogProbs[i]!
    const ratio = Math.exp(logRatio)
    const adv = advantages[i]!
    const s1 = ratio * adv
    const s2 = Math.min(Math.max(ratio, lo), hi) * adv
    pl -= Math.min(s1, s2)
    kl += ratio - 1 - logRatio
    if (Math.abs(ratio - 1) > a.clipRange) clipN++
    // d loss / d ratio: the unclipped branch is active (min picks it), or the clipped one inside [lo, hi]
    const dRatio = s1 <= s2 || (ratio >= lo && ratio <= hi) ? -adv * invN : 0
    const dLogp = dRatio * ratio
    // entropy term: -entCoef * ent, ent = -(1/n) sum_ij p lp -> d/dlp_ij = entCoef/n * p (lp + 1)
    const ec = a.entCoef * invN
    let gs = 0
    for (let j = 0; j < A; j++) {
      if (!allowed(o + j)) {
        g[j] = 0
        continue
      }
      let gj = ec * p[j]! * (lp[j]! + 1)
      if (j === act) gj += dLogp
      g[j] = gj
      gs += gj
    }
    // log-softmax backward: dlogits = g - softmax * sum(g)
    for (let j = 0; j < A; j++) dLogits[o + j] = allowed(o + j) ? g[j]! - p[j]! * gs : 0
    // value loss
    const v = values[i]!
    const r = returns[i]!
    let dv: number
    if (a.clipRangeVf !== undefined && oldValues !== null) {
      const ov = oldValues[i]!
      const dlt = v - ov
      const c = a.clipRangeVf
      const vc = ov + Math.min(Math.max(dlt, -c), c)
      const e1 = (r - v) * (r - v)
      const e2 = (r - vc) * (r - vc)
      vl += Math.max(e1, e2)
      if (e1 >= e2) dv = -2 * (r - v)
      else dv = dlt >= -c && dlt <= c ? -2 * (r - vc) : 0
    } else {
      vl += (r - v) * (r - v)
      dv = -2 * (r - v)
    }
    dValues[i] = a.vfCoef * invN * dv
  }
  return {
    dLogits,
    dValues,
    stats: { kl: kl * invN, clip: clipN * invN, pl: pl * invN, vl: vl * invN, ent: ent * invN }
  }
}

/** One MLP (tanh hidden layers): X -> out plus hidden outputs. */
function singleForwardGraph(L: number): () => KernelGraph {
  return () => {
    const nodes: OnnxNode[] = []
    mlpForwardNodes('p', L, nodes)
    const inputs: [string, number][] = [['X', 2]]
    for (let i = 0; i < L; i++) inputs.push([`pW${i}`, 2], [`pb${i}`, 1])
    const outputs = ['pout']
    for (let i = 0; i < L - 1; i++) outputs.push(`ph${i}`)
    return { nodes, inputs, outputs }
  }
}

/** One MLP's backward: dX and every dW/db. */
function singleBackwardGraph(L: number): () => KernelGraph {
  return () => {
    const nodes: OnnxNode[] = []
    const outputs: string[] = []
    mlpBackwardNodes('p', L, nodes, outputs, 'DX')
    const inputs: [string, number][] = [['X', 2]]
    for (let i = 0; i < L; i++) inputs.push([`pW${i}`, 2])
    for (let i = 0; i < L - 1; i++) inputs.push([`ph${i}`, 2])
    inputs.push(['pdout', 2])
    return {
      nodes,
      inputs,
      outputs,
      initializers: [int64Tensor('ax0', [1], [0]), floatTensor('one', [], new Float32Array([1]))]
    }
  }
}

function readF32(t: tf.Tensor): Float32Array {
  const d = t.dataSync()
  return d instanceof Float32Array ? d : Float32Array.from(d)
}

/**
 * A tanh MLP x [N, in] -> [N, out] as one onnxruntime graph (forward) and one for the backward
 * (gradients for x and every weight and bias), wrapped as a tfjs custom op so it works inside
 * tf.variableGrads. weights: [W0, b0, W1, b1, ...] in tfjs layout.
 */
export function mlpApplyOrt(sizes: readonly number[], x: tf.Tensor2D, weights: tf.Tensor[]): tf.Tensor2D {
  const L = sizes.length - 1
  const fn = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const ts = args.filter((a): a is tf.Tensor => a instanceof tf.Tensor)
    const xi = ts[0]!
    const n = xi.shape[0]!
    const xv = readF32(xi)
    const ws: Float32Array[] = []
    const feeds: Feed[] = [['X', xv, [n, sizes[0]!]]]
    for (let i = 0; i < L; i++) {
      const w = readF32(ts[1 + 2 * i]!)
      ws.push(w)
      feeds.push([`pW${i}`, w, [sizes[i]!, sizes[i + 1]!]], [`pb${i}`, readF32(ts[2 + 2 * i]!), [sizes[i + 1]!]])
    }
    const out = runGraph(`mlp_fwd:${L}`, singleForwardGraph(L), feeds)
    const hidden = out.slice(1).map((o) => o.data)
    const gradFunc = (dy: tf.Tensor | tf.Tensor[]): tf.Tensor[] => {
      const bf: Feed[] = [['X', xv, [n, sizes[0]!]]]
      for (let i = 0; i < L; i++) bf.push([`pW${i}`, ws[i]!, [sizes[i]!, sizes[i + 1]!]])
      for (let i = 0; i < L - 1; i++) bf.push([`ph${i}`, hidden[i]!, [n, sizes[i + 1]!]])
      bf.push(['pdout', readF32(dy as tf.Tensor), [n, sizes[L]!]])
      const g = runGraph(`mlp_bwd:${L}`, singleBackwardGraph(L), bf)
      const res: tf.Tensor[] = [tf.tensor(g[0]!.data, [n, sizes[0]!], 'float32')]
      for (let i = 0; i < L; i++) {
        res.push(
          tf.tensor(g[1 + 2 * i]!.data, [sizes[i]!, sizes[i + 1]!], 'float32'),
          tf.tensor(g[2 + 2 * i]!.data, [sizes[i + 1]!], 'float32')
        )
      }
      return res
    }
    return { value: tf.tensor(out[0]!.data, [n, sizes[L]!], 'float32'), gradFunc }
  })
  return fn(x, ...weights) as tf.Tensor2D
}
