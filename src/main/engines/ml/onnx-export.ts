/**
 * Write ONNX files from tfjs weights for each model family (protobufjs + onnx-proto.ts).
 * Initializers are named by the PyTorch state_dict keys and kept in PyTorch layout ([out, in]
 * for Linear weights), so files from this exporter and from PyTorch's (with the reference module in
 * scripts/python/reward_model.py) warm-start the same way (onnx-import.ts).
 *
 * Reward signature: beat_features float32[B,T,F], action_ids int64[B,T], mask bool[B,T]
 * -> reward float32[B] (B and T dynamic).
 * Policy: obs float32[N,889] -> logits float32[N,9]. Value: obs float32[N,889] -> value float32[N].
 */
import { writeFileSync } from 'node:fs'
import { FEATURE_DIM, FEATURE_VERSION } from '../../../shared/features'
import {
  OnnxDataType,
  encodeModel,
  makeModel,
  node,
  valueInfo,
  floatTensor,
  int64Tensor,
  type AttrValue,
  type OnnxNode,
  type OnnxTensor
} from './onnx-proto'
import { MASK_NEG, REWARD_BOUND, type RewardModelConfig, rewardParamSpecs } from './reward-model'
import { type ParamSpec } from './params'
import { mlpParamSpecs } from './policy-nets'

export const REWARD_INPUTS = ['beat_features', 'action_ids', 'mask'] as const
export const REWARD_OUTPUT = 'reward'
export const ONNX_OPSET = 17

class GraphBuilder {
  readonly nodes: OnnxNode[] = []
  readonly inits: OnnxTensor[] = []
  private n = 0

  op(type: string, inputs: string[], attrs: Record<string, AttrValue> = {}, out?: string): string {
    const o = out ?? `${type.toLowerCase()}_${this.n++}`
    this.nodes.push(node(type, inputs, [o], attrs))
    return o
  }

  opN(type: string, inputs: string[], outs: number, attrs: Record<string, AttrValue> = {}): string[] {
    const names = Array.from({ length: outs }, () => `${type.toLowerCase()}_${this.n++}`)
    this.nodes.push(node(type, inputs, names, attrs))
    return names
  }

  f32(name: string, dims: number[], values: Float32Array): string {
    this.inits.push(floatTensor(name, dims, values))
    return name
  }

  scalar(v: number): string {
    return this.f32(`const_${this.n++}`, [], new Float32Array([v]))
  }

  i64(values: number[]): string {
    const name = `const_${this.n++}`
    this.inits.push(int64Tensor(name, [values.length], values))
    return name
  }
}

/** tfjs-layout weights -> PyTorch-layout initializer (transposes Linear weights back to [out, in]). */
function torchLayout(spec: ParamSpec, w: Float32Array): Float32Array {
  if (spec.kind !== 'linear') return w
  const [out, inp] = spec.torchShape as [number, number]
  const t = new Float32Array(w.length)
  for (let i = 0; i < inp; i++) for (let o = 0; o < out; o++) t[o * inp + i] = w[i * out + o]!
  return t
}

function addParams(g: GraphBuilder, specs: ParamSpec[], weights: ReadonlyMap<string, Float32Array>): void {
  for (const s of specs) {
    const w = weights.get(s.name)
    if (w === undefined) throw new Error(`missing weight ${s.name}`)
    g.f32(s.name, s.torchShape, torchLayout(s, w))
  }
}

/** y = x @ W^T + b for 2-D x: one Gemm (bias fused, W stays in PyTorch layout). */
function linear(g: GraphBuilder, x: string, name: string): string {
  return g.op('Gemm', [x, `${name}.weight`, `${name}.bias`], { transB: 1 })
}

/** Exact GELU in the op order PyTorch exports (onnxruntime fuses it into Gelu/BiasGelu). */
function gelu(g: GraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Div', [x, g.scalar(Math.SQRT2)])])
  return g.op('Mul', [g.op('Mul', [x, g.op('Add', [e, g.scalar(1)])]), g.scalar(0.5)])
}

function layerNorm(g: GraphBuilder, x: string, name: string): string {
  return g.op('LayerNormalization', [x, `${name}.weight`, `${name}.bias`], { axis: -1, epsilon: { float: 1e-5 } })
}

export function rewardOnnxBytes(config: RewardModelConfig, weights: ReadonlyMap<string, Float32Array>): Uint8Array {
  const specs = rewardParamSpecs(config)
  const F = config.featureDim ?? FEATURE_DIM
  const d = config.dModel
  const H = config.heads
  const dh = d / H
  const g = new GraphBuilder()
  addParams(g, specs, weights)

  // Work on [B*T, d] rows so every Linear is one Gemm.
  const shape = g.op('Shape', ['beat_features'])
  const T = g.op('Gather', [shape, g.i64([1])], { axis: 0 })
  const feats = g.op('Reshape', ['beat_features', g.i64([-1, F])])
  let x = linear(g, feats, 'input_proj')
  const ids = g.op('Reshape', ['action_ids', g.i64([-1])])
  x = g.op('Add', [x, g.op('Gather', ['action_embed.weight', ids], { axis: 0 })])
  const pos = g.op('Slice', ['pos_embed.weight', g.i64([0]), T, g.i64([0])])
  const rows3 = g.op('Concat', [g.i64([-1]), T, g.i64([d])], { axis: 0 })
  x = g.op('Reshape', [g.op('Add', [g.op('Reshape', [x, rows3]), pos]), g.i64([-1, d])])
  const maskF = g.op('Cast', ['mask'], { to: OnnxDataType.FLOAT })
  const maskBias = g.op('Unsqueeze', [
    g.op('Mul', [g.op('Sub', [g.scalar(1), maskF]), g.scalar(MASK_NEG)]),
    g.i64([1, 2])
  ])
  const heads5 = g.op('Concat', [g.i64([-1]), T, g.i64([3, H, dh])], { axis: 0 })
  const pre = (config.norm ?? 'pre') === 'pre'
  for (let i = 0; i < config.layers; i++) {
    const p = `layers.${i}`
    const a = pre ? layerNorm(g, x, `${p}.norm1`) : x
    const qkv = linear(g, a, `${p}.attn.in_proj`)
    const heads = g.op('Transpose', [g.op('Reshape', [qkv, heads5])], { perm: [2, 0, 3, 1, 4] })
    const [q5, k5, v5] = g.opN('Split', [heads], 3, { axis: 0 }) as [string, string, string]
    const ax0 = g.i64([0])
    const q = g.op('Squeeze', [q5, ax0])
    const k = g.op('Squeeze', [k5, ax0])
    const v = g.op('Squeeze', [v5, ax0])
    const scores = g.op('Mul', [
      g.op('MatMul', [q, g.op('Transpose', [k], { perm: [0, 1, 3, 2] })]),
      g.scalar(1 / Math.sqrt(dh))
    ])
    const probs = g.op('Softmax', [g.op('Add', [scores, maskBias])], { axis: -1 })
    const ctx = g.op('Reshape', [
      g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }),
      g.i64([-1, d])
    ])
    x = g.op('Add', [x, linear(g, ctx, `${p}.attn.out_proj`)])
    if (!pre) x = layerNorm(g, x, `${p}.norm1`)
    const f = pre ? layerNorm(g, x, `${p}.norm2`) : x
    x = g.op('Add', [x, linear(g, gelu(g, linear(g, f, `${p}.ff1`)), `${p}.ff2`)])
    if (!pre) x = layerNorm(g, x, `${p}.norm2`)
  }
  if (pre) x = layerNorm(g, x, 'norm_f')
  const m3 = g.op('Unsqueeze', [maskF, g.i64([-1])])
  const summed = g.op('ReduceSum', [g.op('Mul', [g.op('Reshape', [x, rows3]), m3]), g.i64([1])], { keepdims: 0 })
  const count = g.op('Max', [g.op('ReduceSum', [maskF, g.i64([1])], { keepdims: 1 }), g.scalar(1)])
  const pooled = g.op('Div', [summed, count])
  const h = gelu(g, linear(g, pooled, 'head1'))
  const raw = g.op('Reshape', [linear(g, h, 'head2'), g.i64([-1])])
  g.op('Mul', [g.op('Tanh', [g.op('Div', [raw, g.scalar(REWARD_BOUND)])]), g.scalar(REWARD_BOUND)], {}, REWARD_OUTPUT)

  const graph = {
    name: 'editorbot_reward',
    node: g.nodes,
    initializer: g.inits,
    input: [
      valueInfo('beat_features', OnnxDataType.FLOAT, ['B', 'T', F]),
      valueInfo('action_ids', OnnxDataType.INT64, ['B', 'T']),
      valueInfo('mask', OnnxDataType.BOOL, ['B', 'T'])
    ],
    output: [valueInfo(REWARD_OUTPUT, OnnxDataType.FLOAT, ['B'])]
  }
  return encodeModel(
    makeModel(graph, {
      opset: ONNX_OPSET,
      docString: 'EditorBot reward transformer',
      metadata: {
        'editorbot.family': 'reward-transformer',
        'editorbot.d_model': String(d),
        'editorbot.layers': String(config.layers),
        'editorbot.heads': String(H),
        'editorbot.ff_dim': String(config.ffDim),
        'editorbot.max_beats': String(config.maxBeats),
        'editorbot.norm': config.norm ?? 'pre',
        'editorbot.feature_version': String(FEATURE_VERSION)
      }
    })
  )
}

export type MlpFamily = 'policy' | 'value'

/** Policy (obs -> logits [N, 9]) or value (obs -> value [N]) MLP with tanh hidden layers. */
export function mlpOnnxBytes(
  family: MlpFamily,
  sizes: readonly number[],
  weights: ReadonlyMap<string, Float32Array>
): Uint8Array {
  const specs = mlpParamSpecs(sizes)
  const g = new GraphBuilder()
  addParams(g, specs, weights)
  let h = 'obs'
  const L = sizes.length - 1
  for (let i = 0; i < L; i++) {
    h = g.op('Gemm', [h, `net.${2 * i}.weight`, `net.${2 * i}.bias`], { transB: 1 })
    if (i < L - 1) h = g.op('Tanh', [h])
  }
  const out = family === 'policy' ? 'logits' : 'value'
  if (family === 'policy') g.op('Identity', [h], {}, out)
  else g.op('Reshape', [h, g.i64([-1])], {}, out)
  const outDims: (number | string)[] = family === 'policy' ? ['N', sizes[L]!] : ['N']
  const graph = {
    name: `editorbot_${family}`,
    node: g.nodes,
    initializer: g.inits,
    input: [valueInfo('obs', OnnxDataType.FLOAT, ['N', sizes[0]!])],
    output: [valueInfo(out, OnnxDataType.FLOAT, outDims)]
  }
  return encodeModel(
    makeModel(graph, {
      opset: ONNX_OPSET,
      metadata: { 'editorbot.family': family, 'editorbot.sizes': sizes.join(',') }
    })
  )
}

export function writeOnnx(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes)
}
