/**
 * Inspect and import ONNX reward models: verify the documented signature, and where the
 * architecture matches the app's reward transformer, extract its weights for warm start
 * (verified numerically against onnxruntime before they are offered).
 */
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import * as tf from './tf'
import { FEATURE_DIM } from '../../../shared/features'
import { ACTION_COUNT } from '../../../shared/actions'
import { AppFailure } from '../../../shared/result'
import { decodeModel, tensorFloats, type OnnxModel, type OnnxTensor, type OnnxValueInfo } from './onnx-proto'
import { OrtSession, ORT_TYPE_NAMES, scoreRewardBatch } from './onnx-runtime'
import {
  RewardModel,
  rewardParamSpecs,
  type RewardModelConfig,
  randomRewardInputs,
  disposeInputs
} from './reward-model'

export interface IoSignature {
  name: string
  /** onnxruntime type name ('float32', 'int64', 'bool', ...). */
  type: string
  /** Numbers for fixed dims, strings for symbolic ones ('?' when unnamed). */
  shape: (number | string)[]
}

export interface OnnxInfo {
  file: string
  irVersion: number
  opset: number
  producer: string
  inputs: IoSignature[]
  outputs: IoSignature[]
  metadata: Record<string, string>
  initializers: string[]
}

function ioOf(v: OnnxValueInfo): IoSignature {
  const t = v.type?.tensorType
  const elem = t?.elemType ?? 0
  return {
    name: v.name,
    type: ORT_TYPE_NAMES[elem] ?? `type${elem}`,
    shape: (t?.shape?.dim ?? []).map((d) => (d.dimValue !== undefined ? d.dimValue : (d.dimParam ?? '?')))
  }
}

/** Parse an ONNX file's protobuf; anything that is not an ONNX model -> AppFailure('corrupt'). */
export function readOnnx(pathOrBytes: string | Uint8Array, label?: string): { model: OnnxModel; info: OnnxInfo } {
  const file = typeof pathOrBytes === 'string' ? pathOrBytes : (label ?? '<buffer>')
  let bytes: Uint8Array
  if (typeof pathOrBytes === 'string') {
    try {
      bytes = readFileSync(pathOrBytes)
    } catch (e) {
      throw new AppFailure('not_found', `cannot read ${file}: ${(e as Error).message}`, file)
    }
  } else {
    bytes = pathOrBytes
  }
  let model: OnnxModel
  try {
    model = decodeModel(bytes)
  } catch (e) {
    throw new AppFailure('corrupt', `${basename(file)} is not an ONNX model (${(e as Error).message})`, file)
  }
  const g = model.graph
  if (
    g === undefined ||
    (model.irVersion ?? 0) <= 0 ||
    (model.opsetImport ?? []).length === 0 ||
    (g.node ?? []).length === 0
  ) {
    throw new AppFailure('corrupt', `${basename(file)} is not an ONNX model (no graph / IR version / opset)`, file)
  }
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ''))
  const opset = (model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 0
  const info: OnnxInfo = {
    file,
    irVersion: model.irVersion ?? 0,
    opset,
    producer: `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim(),
    // Older exporters list initializers as graph inputs too; they are not model inputs.
    inputs: (g.input ?? []).filter((i) => !inits.has(i.name)).map(ioOf),
    outputs: (g.output ?? []).map(ioOf),
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
    initializers: [...inits]
  }
  return { model, info }
}

const EXPECTED_INPUTS: { name: string; type: string; rank: number }[] = [
  { name: 'beat_features', type: 'float32', rank: 3 },
  { name: 'action_ids', type: 'int64', rank: 2 },
  { name: 'mask', type: 'bool', rank: 2 }
]

/**
 * Check the documented reward signature; throws AppFailure('unsupported', ...) naming the first
 * mismatch (field = the input/output name).
 */
export function checkRewardSignature(info: OnnxInfo, featureDim = FEATURE_DIM): void {
  const f = basename(info.file)
  for (const exp of EXPECTED_INPUTS) {
    const io = info.inputs.find((i) => i.name === exp.name)
    if (io === undefined) {
      const names = info.inputs.map((i) => `'${i.name}'`).join(', ')
      throw new AppFailure(
        'unsupported',
        `${f}: missing input '${exp.name}' (model inputs: ${names || 'none'})`,
        exp.name
      )
    }
    if (io.type !== exp.type) {
      throw new AppFailure('unsupported', `${f}: input '${exp.name}' is ${io.type}, expected ${exp.type}`, exp.name)
    }
    if (io.shape.length !== exp.rank) {
      throw new AppFailure(
        'unsupported',
        `${f}: input '${exp.name}' has rank ${io.shape.length}, expected ${exp.rank}`,
        exp.name
      )
    }
  }
  const bf = info.inputs.find((i) => i.name === 'beat_features')!
  const last = bf.shape[2]
  if (last !== featureDim) {
    throw new AppFailure(
      'unsupported',
      `${f}: input 'beat_features' has last dim ${String(last)}, expected ${featureDim}`,
      'beat_features'
    )
  }
  const extra = info.inputs.filter((i) => !EXPECTED_INPUTS.some((e) => e.name === i.name))
  if (extra.length > 0) {
    throw new AppFailure('unsupported', `${f}: unexpected input '${extra[0]!.name}'`, extra[0]!.name)
  }
  const out = info.outputs.find((o) => o.name === 'reward')
  if (out === undefined) {
    const names = info.outputs.map((o) => `'${o.name}'`).join(', ')
    throw new AppFailure('unsupported', `${f}: missing output 'reward' (model outputs: ${names || 'none'})`, 'reward')
  }
  if (out.type !== 'float32')
    throw new AppFailure('unsupported', `${f}: output 'reward' is ${out.type}, expected float32`, 'reward')
  if (out.shape.length !== 1) {
    throw new AppFailure(
      'unsupported',
      `${f}: output 'reward' has rank ${out.shape.length}, expected 1 ([B])`,
      'reward'
    )
  }
}

export interface WarmStart {
  config: RewardModelConfig
  /** tfjs layout (Linear weights [in, out]). */
  weights: Map<string, Float32Array>
  /** Max |tfjs - onnxruntime| on a random probe batch. */
  maxAbsDiff: number
}

export interface ImportedRewardModel {
  info: OnnxInfo
  session: OrtSession
  warmStart: WarmStart | null
  /** Why warmStart is null. */
  warmStartReason?: string
}

function transpose2d(w: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(w.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c]!
  return t
}

/** Infer the app's architecture from initializer names/shapes; returns a reason string when it does not match. */
export function extractRewardWeights(
  model: OnnxModel,
  heads: number
): { config: RewardModelConfig; weights: Map<string, Float32Array> } | string {
  const byName = new Map<string, OnnxTensor>()
  for (const t of model.graph?.initializer ?? []) if (t.name !== undefined) byName.set(t.name, t)
  const dims = (n: string): number[] | null => {
    const t = byName.get(n)
    return t === undefined ? null : (t.dims ?? [])
  }
  const inp = dims('input_proj.weight')
  const pos = dims('pos_embed.weight')
  const ff = dims('layers.0.ff1.weight')
  if (inp === null || pos === null || ff === null) {
    return 'initializers are not named like the app reward transformer (input_proj.weight, pos_embed.weight, layers.N...; see docs/onnx.md)'
  }
  let layers = 0
  while (byName.has(`layers.${layers}.attn.in_proj.weight`)) layers++
  const config: RewardModelConfig = {
    dModel: inp[0]!,
    layers,
    heads,
    ffDim: ff[0]!,
    maxBeats: pos[0]!,
    norm: byName.has('norm_f.weight') ? 'pre' : 'post',
    featureDim: inp[1]!,
    actionCount: dims('action_embed.weight')?.[0] ?? ACTION_COUNT
  }
  if (config.dModel % heads !== 0) return `d_model ${config.dModel} is not divisible by ${heads} heads`
  const weights = new Map<string, Float32Array>()
  for (const s of rewardParamSpecs(config)) {
    const t = byName.get(s.name)
    if (t === undefined) return `initializer '${s.name}' is missing`
    const d = t.dims ?? []
    if (d.length !== s.torchShape.length || d.some((x, i) => x !== s.torchShape[i])) {
      return `initializer '${s.name}' has shape [${d.join(',')}], expected [${s.torchShape.join(',')}]`
    }
    let w: Float32Array
    try {
      w = tensorFloats(t)
    } catch (e) {
      return (e as Error).message
    }
    weights.set(s.name, s.kind === 'linear' ? transpose2d(w, s.torchShape[0]!, s.torchShape[1]!) : w)
  }
  return { config, weights }
}

/** Compare tfjs (with these weights) to onnxruntime on a random probe batch. */
function probeDiff(session: OrtSession, config: RewardModelConfig, weights: Map<string, Float32Array>): number {
  const m = new RewardModel(config, weights)
  const B = 2
  const T = Math.min(config.maxBeats, 12)
  const inp = randomRewardInputs(B, T, 4242, config.featureDim ?? FEATURE_DIM)
  try {
    const a = m.apply(inp)
    const ours = a.dataSync()
    a.dispose()
    const theirs = scoreRewardBatch(session, {
      features: Float32Array.from(inp.features.dataSync()),
      actionIds: Array.from(inp.actionIds.dataSync()),
      mask: Array.from(inp.mask.dataSync()),
      batch: B,
      beats: T
    })
    let mx = 0
    for (let i = 0; i < B; i++) mx = Math.max(mx, Math.abs(ours[i]! - theirs[i]!))
    return Number.isFinite(mx) ? mx : Infinity
  } finally {
    disposeInputs(inp)
    m.dispose()
  }
}

/**
 * Load a reward model from an ONNX file: signature check (AppFailure 'unsupported'), parse
 * (AppFailure 'corrupt'), an onnxruntime session for scoring, and warm-start weights when the
 * architecture is the app's (heads from metadata 'editorbot.heads', else tried 1..16).
 */
export function importRewardOnnx(path: string, opts: { heads?: number; tolerance?: number } = {}): ImportedRewardModel {
  const { model, info } = readOnnx(path)
  checkRewardSignature(info)
  const session = OrtSession.fromFile(path)
  const tol = opts.tolerance ?? 1e-4
  const metaHeads = Number(info.metadata['editorbot.heads'] ?? '')
  const candidates = [opts.heads, Number.isInteger(metaHeads) && metaHeads > 0 ? metaHeads : undefined, 4, 8, 2, 1, 16]
    .filter((h): h is number => h !== undefined)
    .filter((h, i, a) => a.indexOf(h) === i)
  let reason = ''
  for (const heads of candidates) {
    const ex = extractRewardWeights(model, heads)
    if (typeof ex === 'string') {
      reason = ex
      if (!ex.includes('divisible')) break
      continue
    }
    const diff = tf.tidy(() => probeDiff(session, ex.config, ex.weights))
    if (diff <= tol) return { info, session, warmStart: { ...ex, maxAbsDiff: diff } }
    reason = `weights are named like the app model but its outputs differ (max |diff| ${diff.toExponential(2)} with ${heads} heads)`
  }
  return { info, session, warmStart: null, warmStartReason: reason }
}
