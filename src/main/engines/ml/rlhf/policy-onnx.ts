/**
 * Policies as ONNX files (docs/policy.md): input `obs` float32[B, 889], output `logits` float32[B, 9].
 * Import checks the signature (a mismatch names the input or output and both sizes), and where the
 * initializers follow the app's MLP (net.{2i}.weight) or Stable-Baselines3's actor
 * (mlp_extractor.policy_net.{2i}.weight + action_net.weight, tanh) the weights are extracted for
 * warm start, after checking onnxruntime and the app's network agree on a probe batch.
 * PolicyRunner generates edits with a policy file through onnxruntime, sampled or greedy.
 */
import * as tf from '../tf'
import { ACTION_COUNT } from '../../../../shared/actions'
import { AppFailure } from '../../../../shared/result'
import { EditingEnv, OBSERVATION_DIM, type EpisodeSong } from '../../policy'
import { readOnnx, type OnnxInfo } from '../onnx-import'
import { tensorFloats, type OnnxModel, type OnnxTensor } from '../onnx-proto'
import { OrtSession, floatData, tensor } from '../onnx-runtime'
import { mlpOnnxBytes } from '../onnx-export'
import { Mlp } from '../policy-nets'
import { Rng } from '../rng'
import { argmaxLogProbs, maskedLogSoftmax, sampleLogProbs } from './categorical'
import type { PolicyWeights } from './train-config'

export const POLICY_INPUT = 'obs'
export const POLICY_OUTPUT = 'logits'

/** Throws AppFailure('unsupported') naming the first mismatch with the documented policy signature. */
export function checkPolicySignature(info: OnnxInfo): void {
  const fail = (message: string, field: string): never => {
    throw new AppFailure(
      'unsupported',
      `${message} (policies take obs float32[B,${OBSERVATION_DIM}] and give logits float32[B,${ACTION_COUNT}], docs/policy.md)`,
      field
    )
  }
  const obs = info.inputs.find((i) => i.name === POLICY_INPUT)
  if (!obs)
    fail(
      `missing input '${POLICY_INPUT}' (model inputs: ${info.inputs.map((i) => `'${i.name}'`).join(', ') || 'none'})`,
      POLICY_INPUT
    )
  if (info.inputs.length !== 1)
    fail(`expected exactly one input '${POLICY_INPUT}', found ${info.inputs.length}`, POLICY_INPUT)
  if (obs!.type !== 'float32') fail(`input '${POLICY_INPUT}' is ${obs!.type}, expected float32`, POLICY_INPUT)
  if (obs!.shape.length !== 2) fail(`input '${POLICY_INPUT}' has rank ${obs!.shape.length}, expected 2`, POLICY_INPUT)
  if (obs!.shape[1] !== OBSERVATION_DIM)
    fail(
      `input '${POLICY_INPUT}' has ${String(obs!.shape[1])} features per row, expected ${OBSERVATION_DIM}`,
      POLICY_INPUT
    )
  const logits = info.outputs.find((o) => o.name === POLICY_OUTPUT)
  if (!logits)
    fail(
      `missing output '${POLICY_OUTPUT}' (model outputs: ${info.outputs.map((o) => `'${o.name}'`).join(', ')})`,
      POLICY_OUTPUT
    )
  if (logits!.type !== 'float32') fail(`output '${POLICY_OUTPUT}' is ${logits!.type}, expected float32`, POLICY_OUTPUT)
  if (logits!.shape.length !== 2 || logits!.shape[1] !== ACTION_COUNT)
    fail(
      `output '${POLICY_OUTPUT}' has shape [${logits!.shape.join(',')}], expected [B,${ACTION_COUNT}]`,
      POLICY_OUTPUT
    )
}

function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length)
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c]!
  return out
}

/** The layer list of an app-style or SB3-style MLP actor, or why there is none. */
function layersOf(model: OnnxModel): { weight: OnnxTensor; bias: OnnxTensor }[] | string {
  const byName = new Map<string, OnnxTensor>()
  for (const t of model.graph?.initializer ?? []) if (t.name !== undefined) byName.set(t.name, t)
  const find = (suffix: string): OnnxTensor | undefined => {
    for (const [n, t] of byName) if (n === suffix || n.endsWith(`.${suffix}`)) return t
    return undefined
  }
  const layers: { weight: OnnxTensor; bias: OnnxTensor }[] = []
  for (const stem of ['net', 'mlp_extractor.policy_net']) {
    for (let i = 0; ; i++) {
      const w = find(`${stem}.${2 * i}.weight`)
      const b = find(`${stem}.${2 * i}.bias`)
      if (!w || !b) break
      layers.push({ weight: w, bias: b })
    }
    if (layers.length > 0) {
      if (stem !== 'net') {
        const w = find('action_net.weight')
        const b = find('action_net.bias')
        if (!w || !b) return 'SB3-style layers without action_net.weight/bias'
        layers.push({ weight: w, bias: b })
      }
      return layers
    }
  }
  return "initializers are named neither like the app's MLP (net.0.weight, ...) nor like SB3's actor (mlp_extractor.policy_net.0.weight, action_net.weight)"
}

/** Weights in the app's layout when the file's network is a tanh MLP the app can train. */
export function extractPolicyWeights(model: OnnxModel): PolicyWeights | string {
  const layers = layersOf(model)
  if (typeof layers === 'string') return layers
  const sizes: number[] = []
  const weights = new Map<string, Float32Array>()
  for (const [i, l] of layers.entries()) {
    const [out, inp] = l.weight.dims ?? []
    if (out === undefined || inp === undefined) return `layer ${i} weight is not a matrix`
    if (i === 0) sizes.push(inp)
    else if (inp !== sizes[sizes.length - 1])
      return `layer ${i} takes ${inp} inputs after a layer of ${sizes[sizes.length - 1]}`
    sizes.push(out)
    try {
      weights.set(`net.${2 * i}.weight`, transpose(tensorFloats(l.weight), out, inp))
      weights.set(`net.${2 * i}.bias`, tensorFloats(l.bias))
    } catch (e) {
      return (e as Error).message
    }
  }
  return { sizes, weights }
}

export interface ImportedPolicy {
  info: OnnxInfo
  /** Weights for training when the network matches the app's tanh MLP; else null with the reason. */
  warmStart: PolicyWeights | null
  warmStartNote: string | null
}

/** Largest |difference| between onnxruntime's logits and the app network's on a probe batch. */
function probeDiff(session: OrtSession, p: PolicyWeights): number {
  const n = 4
  const obs = new Rng(31).fillNormal(n * OBSERVATION_DIM, 1)
  const theirs = floatData(
    session.runSync({ [POLICY_INPUT]: tensor('float32', obs, [n, OBSERVATION_DIM]) })[POLICY_OUTPUT]!
  )
  const mlp = new Mlp(p.sizes, p.weights)
  try {
    const ours = tf.tidy(() => mlp.apply(tf.tensor2d(obs, [n, OBSERVATION_DIM])).dataSync())
    let mx = 0
    for (let i = 0; i < ours.length; i++) mx = Math.max(mx, Math.abs(ours[i]! - theirs[i]!))
    return Number.isFinite(mx) ? mx : Infinity
  } finally {
    mlp.dispose()
  }
}

/** Checks a policy file (signature, loads in onnxruntime) and extracts warm-start weights where possible. */
export function importPolicyOnnx(path: string): ImportedPolicy {
  const { model, info } = readOnnx(path)
  checkPolicySignature(info)
  const session = OrtSession.fromFile(path)
  try {
    const w = extractPolicyWeights(model)
    if (typeof w === 'string') return { info, warmStart: null, warmStartNote: w }
    const diff = probeDiff(session, w)
    if (!(diff < 1e-3))
      return {
        info,
        warmStart: null,
        warmStartNote: `the file's graph is not the app's tanh MLP (logits differ by ${diff.toExponential(2)})`
      }
    return { info, warmStart: w, warmStartNote: null }
  } finally {
    session.dispose()
  }
}

export function policyOnnxBytes(p: PolicyWeights): Uint8Array {
  return mlpOnnxBytes('policy', p.sizes, p.weights)
}

/** Generates edits with a policy file through onnxruntime (one forward per beat). */
export class PolicyRunner {
  private readonly session: OrtSession

  constructor(onnxFile: string) {
    this.session = OrtSession.fromFile(onnxFile)
  }

  /** Actions for a whole song: sampled with `seed`, or the most probable allowed action when greedy. */
  generate(song: EpisodeSong, opts: { seed?: number; greedy?: boolean; targetDurationS?: number }): Int32Array {
    const env = new EditingEnv(song, { targetS: opts.targetDurationS })
    const obs = new Float32Array(OBSERVATION_DIM)
    const mask = new Uint8Array(ACTION_COUNT)
    const lp = new Float64Array(ACTION_COUNT)
    const rng = opts.greedy ? null : new Rng(opts.seed ?? 0)
    while (!env.done) {
      env.writeObservation(obs)
      env.writeMask(mask)
      const out = this.session.runSync({ [POLICY_INPUT]: tensor('float32', obs, [1, OBSERVATION_DIM]) })
      maskedLogSoftmax(floatData(out[POLICY_OUTPUT]!), mask, 0, ACTION_COUNT, lp)
      env.step(rng === null ? argmaxLogProbs(lp) : sampleLogProbs(lp, rng.next()))
    }
    return env.actions
  }

  dispose(): void {
    this.session.dispose()
  }
}
