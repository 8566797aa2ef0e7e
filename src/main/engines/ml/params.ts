/**
 * Named parameters shared by every model here (reward transformer, policy and value MLPs): the
 * spec of each tensor in PyTorch terms, and the tfjs variables built from, and read back into, a
 * weight map.
 */
import * as tf from './tf'
import { AppFailure } from '../../../shared/result'

export type ParamKind = 'linear' | 'vector' | 'embedding'
export interface ParamSpec {
  name: string
  /** Shape as PyTorch stores it ([out, in] for Linear weights). */
  torchShape: number[]
  kind: ParamKind
}

/** tfjs shape of a parameter ([in, out] for Linear weights). */
export function tfShape(s: ParamSpec): number[] {
  return s.kind === 'linear' ? [s.torchShape[1]!, s.torchShape[0]!] : s.torchShape.slice()
}

export function paramCount(specs: readonly ParamSpec[]): number {
  return specs.reduce((a, s) => a + s.torchShape.reduce((x, y) => x * y, 1), 0)
}

/** Adds a trainable tf.Variable per spec from a weight map; a missing or mis-sized weight is refused by name. */
export function addVariables(
  into: Map<string, tf.Variable>,
  specs: readonly ParamSpec[],
  weights: ReadonlyMap<string, Float32Array>,
  prefix: string
): void {
  for (const s of specs) {
    const shape = tfShape(s)
    const w = weights.get(s.name)
    const n = shape.reduce((a, b) => a * b, 1)
    if (w === undefined || w.length !== n) {
      throw new AppFailure(
        'validation',
        `weight '${s.name}' is missing or has ${w?.length ?? 0} values, expected ${n}`,
        s.name
      )
    }
    // tf.variable keeps a reference to its initial tensor's data: dispose the tensor, or every model
    // built keeps a second copy of its initial weights alive after the variables are disposed.
    const initial = tf.tensor(w, shape, 'float32')
    into.set(s.name, tf.variable(initial, true, `${prefix}/${s.name}`))
    initial.dispose()
  }
}

/** The variables' current values in tfjs layout (copies). */
export function readWeights(vars: ReadonlyMap<string, tf.Variable>): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const [n, v] of vars) out.set(n, Float32Array.from(v.dataSync()))
  return out
}

/** Dispose every variable and empty the map. */
export function disposeVariables(vars: Map<string, tf.Variable>): void {
  for (const v of vars.values()) v.dispose()
  vars.clear()
}

/** Gradients keyed by parameter name (tfjs's variableGrads keys them by variable name). */
export function gradsByParam(vars: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap): tf.NamedTensorMap {
  const named: tf.NamedTensorMap = {}
  for (const [name, v] of vars) {
    const g = grads[v.name]
    if (g !== undefined) named[name] = g
  }
  return named
}
