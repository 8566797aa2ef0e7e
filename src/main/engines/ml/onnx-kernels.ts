/**
 * Native-speed matrix products for tfjs's CPU backend: a tfjs backend named 'cpu-ort' that is
 * tfjs's own MathBackendCPU with every cpu kernel copied over, except BatchMatMul, _FusedMatMul
 * and Transpose, which run through onnxruntime-node synchronously (MLAS sgemm, multi-threaded).
 * tfjs's gradients of matMul / fused matMul are themselves matMuls, so the backward pass's matrix
 * products go through these kernels too. Sessions are cached per rank/transpose/fusion signature
 * (dims are symbolic, so one session serves every shape of that signature).
 */
import * as tf from './tf'
import {
  OnnxDataType,
  encodeModel,
  makeModel,
  node,
  valueInfo,
  int64Tensor,
  type OnnxNode,
  type OnnxTensor,
  type AttrValue
} from './onnx-proto'
import { OrtSession, tensor, floatData, type OrtTensor } from './onnx-runtime'

export const ORT_BACKEND = 'cpu-ort'

type KernelArgs = Parameters<tf.KernelFunc>[0]

interface Stats {
  calls: number
  ms: number
}
const stats = new Map<string, Stats>()
let statsOn = false

/** Per-kernel call counts and time (only while enabled; for profiling). */
export function kernelStats(enable?: boolean): Map<string, Stats> {
  if (enable !== undefined) {
    statsOn = enable
    stats.clear()
  }
  return stats
}

const sessions = new Map<string, OrtSession>()

/** A small float32 graph: inputs with their ranks (dims symbolic), outputs by name. */
export interface KernelGraph {
  nodes: OnnxNode[]
  inputs: [string, number][]
  outputs: string[]
  initializers?: OnnxTensor[]
}

function sessionFor(key: string, build: () => KernelGraph): OrtSession {
  let s = sessions.get(key)
  if (s === undefined) {
    const g = build()
    const graph = {
      name: key.replace(/[^A-Za-z0-9_]/g, '_'),
      node: g.nodes,
      initializer: g.initializers ?? [],
      input: g.inputs.map(([n, rank]) => valueInfo(n, OnnxDataType.FLOAT, symbolic(n, rank))),
      output: g.outputs.map((o) => ({ name: o, type: { tensorType: { elemType: OnnxDataType.FLOAT } } }))
    }
    s = OrtSession.fromBytes(encodeModel(makeModel(graph, { opset: 17, msOpset: 1 })), { spinning: false })
    sessions.set(key, s)
  }
  return s
}

/**
 * Run a cached float32 graph synchronously on raw arrays (used by the kernels below and by the
 * fused ops in ops.ts). Returns the outputs in the order of `build().outputs`.
 */
export function runGraph(
  key: string,
  build: () => KernelGraph,
  feeds: [string, Float32Array, readonly number[]][]
): { data: Float32Array; dims: number[] }[] {
  const t0 = statsOn ? performance.now() : 0
  const s = sessionFor(key, build)
  const f: Record<string, OrtTensor> = {}
  for (const [n, data, dims] of feeds) f[n] = tensor('float32', data, dims)
  const res = s.runSync(f)
  const out = s.outputs.map((o) => {
    const t = res[o.name]
    if (t === undefined) throw new Error(`onnx kernel ${key} produced no output ${o.name}`)
    return { data: floatData(t), dims: t.dims.slice() }
  })
  if (statsOn) {
    const name = key.split(':')[0] ?? key
    const st = stats.get(name) ?? { calls: 0, ms: 0 }
    st.calls++
    st.ms += performance.now() - t0
    stats.set(name, st)
  }
  return out
}

function symbolic(prefix: string, rank: number): string[] {
  return Array.from({ length: rank }, (_, i) => `${prefix}_d${i}`)
}

/** Number of cached onnxruntime sessions (diagnostics). */
export function kernelSessionCount(): number {
  return sessions.size
}

function cpu(backend: unknown): tf.MathBackendCPU {
  return backend as tf.MathBackendCPU
}

function readF32(b: tf.MathBackendCPU, t: tf.TensorInfo): Float32Array | null {
  const v = b.readSync(t.dataId)
  return v instanceof Float32Array ? v : null
}

function run(
  b: tf.MathBackendCPU,
  key: string,
  build: () => KernelGraph,
  feeds: [string, Float32Array, readonly number[]][]
): tf.TensorInfo {
  const [out] = runGraph(key, build, feeds)
  if (out === undefined) throw new Error(`onnx kernel ${key} produced no output`)
  return b.makeTensorInfo(out.dims, 'float32', out.data)
}

/** Below this many multiply-adds the JS kernel is faster than a native call. */
const MIN_MACS = 2048

function macs(a: readonly number[], b: readonly number[], transposeA: boolean): number {
  const k = transposeA ? a[a.length - 2]! : a[a.length - 1]!
  const m = transposeA ? a[a.length - 1]! : a[a.length - 2]!
  const n = b.length === 0 ? 1 : b.reduce((x, y) => x * y, 1) / k
  const batch = a.slice(0, -2).reduce((x, y) => x * y, 1)
  return batch * m * n * k
}

/** com.microsoft FusedMatMul: MatMul with transposes folded into the sgemm call. */
function matmulNodes(ta: boolean, tb: boolean, out: string): OnnxNode[] {
  return [
    node(
      'FusedMatMul',
      ['A', 'B'],
      [out],
      { alpha: { float: 1 }, transA: ta ? 1 : 0, transB: tb ? 1 : 0 },
      'com.microsoft'
    )
  ]
}

function makeBatchMatMul(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const b = cpu(args.backend)
    const a = args.inputs.a
    const bb = args.inputs.b
    const attrs = args.attrs as unknown as tf.BatchMatMulAttrs
    if (a === undefined || bb === undefined) return fallback(args)
    const av = readF32(b, a)
    const bv = readF32(b, bb)
    if (av === null || bv === null || macs(a.shape, bb.shape, attrs.transposeA) < MIN_MACS) return fallback(args)
    const ra = a.shape.length
    const rb = bb.shape.length
    const key = `BatchMatMul:${ra}:${rb}:${attrs.transposeA ? 1 : 0}${attrs.transposeB ? 1 : 0}`
    return run(
      b,
      key,
      () => ({
        nodes: matmulNodes(attrs.transposeA, attrs.transposeB, 'Y'),
        inputs: [
          ['A', ra],
          ['B', rb]
        ],
        outputs: ['Y']
      }),
      [
        ['A', av, a.shape],
        ['B', bv, bb.shape]
      ]
    )
  }
}

function activationNodes(
  act: string,
  input: string,
  alpha: number,
  hasPrelu: boolean
): { nodes: OnnxNode[]; ok: boolean } {
  const a = (op: string, extra: Record<string, AttrValue> = {}, more: string[] = []): OnnxNode[] => [
    node(op, [input, ...more], ['Y'], extra)
  ]
  switch (act) {
    case 'linear':
      return { nodes: [node('Identity', [input], ['Y'])], ok: true }
    case 'relu':
      return { nodes: a('Relu'), ok: true }
    case 'elu':
      return { nodes: a('Elu', { alpha: { float: 1 } }), ok: true }
    case 'sigmoid':
      return { nodes: a('Sigmoid'), ok: true }
    case 'leakyrelu':
      return { nodes: a('LeakyRelu', { alpha: { float: alpha } }), ok: true }
    case 'prelu':
      return { nodes: a('PRelu', {}, ['P']), ok: hasPrelu }
    default:
      return { nodes: [], ok: false }
  }
}

function makeFusedMatMul(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const b = cpu(args.backend)
    const { a, b: bb, bias, preluActivationWeights: prelu } = args.inputs
    const attrs = args.attrs as unknown as tf._FusedMatMulAttrs
    if (a === undefined || bb === undefined) return fallback(args)
    const act = attrs.activation
    const acts = activationNodes(act, bias === undefined ? 'M' : 'Z', attrs.leakyreluAlpha ?? 0.2, prelu !== undefined)
    const av = readF32(b, a)
    const bv = readF32(b, bb)
    const biasV = bias === undefined ? null : readF32(b, bias)
    const preluV = prelu === undefined ? null : readF32(b, prelu)
    if (
      !acts.ok ||
      av === null ||
      bv === null ||
      (bias !== undefined && biasV === null) ||
      (prelu !== undefined && preluV === null) ||
      macs(a.shape, bb.shape, attrs.transposeA) < MIN_MACS
    ) {
      return fallback(args)
    }
    const ra = a.shape.length
    const rb = bb.shape.length
    const rbias = bias?.shape.length ?? -1
    const rp = prelu?.shape.length ?? -1
    const key = `_FusedMatMul:${ra}:${rb}:${attrs.transposeA ? 1 : 0}${attrs.transposeB ? 1 : 0}:${rbias}:${act}:${rp}:${attrs.leakyreluAlpha ?? ''}`
    const build = (): KernelGraph => {
      const nodes = matmulNodes(attrs.transposeA, attrs.transposeB, 'M')
      const inputs: [string, number][] = [
        ['A', ra],
        ['B', rb]
      ]
      if (bias !== undefined) {
        nodes.push(node('Add', ['M', 'C'], ['Z']))
        inputs.push(['C', rbias])
      }
      if (prelu !== undefined) inputs.push(['P', rp])
      nodes.push(...acts.nodes)
      return { nodes, inputs, outputs: ['Y'] }
    }
    const feeds: [string, Float32Array, readonly number[]][] = [
      ['A', av, a.shape],
      ['B', bv, bb.shape]
    ]
    if (bias !== undefined && biasV !== null) feeds.push(['C', biasV, bias.shape])
    if (prelu !== undefined && preluV !== null) feeds.push(['P', preluV, prelu.shape])
    return run(b, key, build, feeds)
  }
}

function makeTranspose(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const b = cpu(args.backend)
    const x = args.inputs.x
    const perm = (args.attrs as unknown as tf.TransposeAttrs).perm
    if (x === undefined) return fallback(args)
    const xv = readF32(b, x)
    if (xv === null || xv.length < 4096) return fallback(args)
    return run(
      b,
      `Transpose:${perm.join(',')}`,
      () => ({ nodes: [node('Transpose', ['A'], ['Y'], { perm })], inputs: [['A', perm.length]], outputs: ['Y'] }),
      [['A', xv, x.shape]]
    )
  }
}

/** Elementwise float32 ops below this size stay in JS. */
const MIN_ELEMENTWISE = 16384

function makeBinary(op: string): (fallback: tf.KernelFunc) => tf.KernelFunc {
  return (fallback) => (args: KernelArgs) => {
    const b = cpu(args.backend)
    const { a, b: bb } = args.inputs
    if (a === undefined || bb === undefined) return fallback(args)
    const size = Math.max(
      a.shape.reduce((x, y) => x * y, 1),
      bb.shape.reduce((x, y) => x * y, 1)
    )
    if (a.dtype !== 'float32' || bb.dtype !== 'float32' || size < MIN_ELEMENTWISE) return fallback(args)
    const av = readF32(b, a)
    const bv = readF32(b, bb)
    if (av === null || bv === null) return fallback(args)
    return run(
      b,
      `${op}:${a.shape.length}:${bb.shape.length}`,
      () => ({
        nodes: [node(op, ['A', 'B'], ['Y'])],
        inputs: [
          ['A', a.shape.length],
          ['B', bb.shape.length]
        ],
        outputs: ['Y']
      }),
      [
        ['A', av, a.shape],
        ['B', bv, bb.shape]
      ]
    )
  }
}

function makeSum(fallback: tf.KernelFunc): tf.KernelFunc {
  return (args: KernelArgs) => {
    const b = cpu(args.backend)
    const x = args.inputs.x
    if (x === undefined || x.dtype !== 'float32' || x.shape.length === 0) return fallback(args)
    const attrs = args.attrs as unknown as tf.SumAttrs
    const rank = x.shape.length
    const axes = (Array.isArray(attrs.axis) ? attrs.axis : [attrs.axis]).map((a) => (a < 0 ? a + rank : a))
    const xv = readF32(b, x)
    if (xv === null || xv.length < MIN_ELEMENTWISE) return fallback(args)
    const sorted = [...new Set(axes)].sort((p, q) => p - q)
    const keep = attrs.keepDims ? 1 : 0
    const key = `ReduceSum:${rank}:${sorted.join(',')}:${keep}`
    return run(
      b,
      key,
      () => ({
        nodes: [node('ReduceSum', ['A', 'axes'], ['Y'], { keepdims: keep })],
        inputs: [['A', rank]],
        outputs: ['Y'],
        initializers: [int64Tensor('axes', [sorted.length], sorted)]
      }),
      [['A', xv, x.shape]]
    )
  }
}

const OVERRIDES: Record<string, (fallback: tf.KernelFunc) => tf.KernelFunc> = {
  BatchMatMul: makeBatchMatMul,
  _FusedMatMul: makeFusedMatMul,
  Transpose: makeTranspose,
  Sum: makeSum,
  Add: makeBinary('Add'),
  Sub: makeBinary('Sub'),
  Multiply: makeBinary('Mul'),
  RealDiv: makeBinary('Div')
}

let registered = false

/**
 * Register the 'cpu-ort' backend (idempotent): a tf.MathBackendCPU with all cpu kernels, and
 * onnxruntime-backed BatchMatMul/_FusedMatMul/Transpose. Throws if onnxruntime-node cannot load.
 */
export function registerOrtCpuBackend(): void {
  if (registered) return
  // Fail early (and let the caller log why) if the native binding does not load.
  sessionFor('probe', () => ({ nodes: [node('Identity', ['A'], ['Y'])], inputs: [['A', 1]], outputs: ['Y'] }))
  tf.registerBackend(
    ORT_BACKEND,
    () => {
      const be = new tf.MathBackendCPU()
      // Silence tfjs's "install tfjs-node" banner: backend selection logs its own reasons.
      Reflect.set(be, 'firstUse', false)
      return be
    },
    1
  )
  for (const k of tf.getKernelsForBackend('cpu')) {
    const override = OVERRIDES[k.kernelName]
    tf.registerKernel({
      kernelName: k.kernelName,
      backendName: ORT_BACKEND,
      kernelFunc: override === undefined ? k.kernelFunc : override(k.kernelFunc),
      ...(k.setupFunc === undefined ? {} : { setupFunc: k.setupFunc }),
      ...(k.disposeFunc === undefined ? {} : { disposeFunc: k.disposeFunc })
    })
  }
  registered = true
}

/** True when the active tfjs backend keeps tensors in JS memory (plain cpu or cpu-ort). */
export function isJsMemoryBackend(): boolean {
  const name = tf.getBackend()
  return name === 'cpu' || name === ORT_BACKEND
}
