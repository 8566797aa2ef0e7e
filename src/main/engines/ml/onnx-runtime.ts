/**
 * The one module that owns onnxruntime-node sessions (transformers.js `backends/onnx.js` style):
 * load, run (async for inference, synchronous for the tfjs kernels), dispose, and inference helpers.
 */
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { cpus } from 'node:os'
import type * as OrtModule from 'onnxruntime-node'
import { AppFailure } from '../../../shared/result'

const require = createRequire(import.meta.url)

export type OrtTensor = OrtModule.Tensor
type SessionOptions = OrtModule.InferenceSession.SessionOptions

interface BindingValueMetadata {
  name: string
  isTensor: boolean
  symbolicDimensions: string[]
  shape: number[]
  type: number
}
interface BindingSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: SessionOptions): void
  readonly inputMetadata: BindingValueMetadata[]
  readonly outputMetadata: BindingValueMetadata[]
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, OrtTensor | null>,
    options: Record<string, unknown>
  ): Record<string, OrtTensor>
  dispose(): void
}
interface BindingModule {
  binding: { InferenceSession: new () => BindingSession }
  initOrt: () => void
}

let ortCache: typeof OrtModule | null = null
let bindingCache: BindingModule | null = null

/** onnxruntime-node, loaded lazily (it is a native module). */
export function ort(): typeof OrtModule {
  ortCache ??= require('onnxruntime-node') as typeof OrtModule
  return ortCache
}

/**
 * onnxruntime-node's private `dist/binding`: its public API runs sessions only asynchronously,
 * and the tfjs kernels must run synchronously. package.json pins the version exactly; this check
 * turns a changed binding into one clear error instead of a crash deep inside a kernel.
 */
export function checkBinding(mod: unknown, version: string): BindingModule {
  const m = mod as Partial<BindingModule> | null
  const ctor = m?.binding?.InferenceSession as unknown
  const proto = typeof ctor === 'function' ? (ctor.prototype as Record<string, unknown>) : null
  const missing = [
    typeof m?.initOrt === 'function' ? null : 'initOrt()',
    proto === null ? 'binding.InferenceSession' : null,
    ...(proto === null ? [] : ['loadModel', 'run', 'dispose'].filter((k) => typeof proto[k] !== 'function'))
  ].filter((x) => x !== null)
  if (missing.length > 0) {
    throw new AppFailure(
      'unsupported',
      `onnxruntime-node ${version} changed its private binding (dist/binding lacks ${missing.join(', ')}); ` +
        'install the exact version package.json pins',
      'onnxruntime-node'
    )
  }
  return m as BindingModule
}

function binding(): BindingModule {
  if (bindingCache === null) {
    ort()
    const version = (require('onnxruntime-node/package.json') as { version?: string }).version ?? 'unknown'
    bindingCache = checkBinding(require('onnxruntime-node/dist/binding'), version)
    bindingCache.initOrt()
  }
  return bindingCache
}

export const ORT_TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64'
}

export function defaultThreads(): number {
  const env = Number(process.env.EDITORBOT_ORT_THREADS ?? '')
  if (Number.isInteger(env) && env > 0) return env
  return Math.max(1, cpus().length)
}

export interface SessionIo {
  name: string
  /** onnxruntime type name, e.g. 'float32', 'int64', 'bool'. */
  type: string
  /** Numbers for fixed dims, strings for symbolic ones. */
  shape: (number | string)[]
}

export interface OrtSessionOptions {
  threads?: number
  /** Spin-wait between runs (lower latency for many small runs, burns CPU). */
  spinning?: boolean
}

function sessionOptions(o: OrtSessionOptions): SessionOptions {
  const threads = o.threads ?? defaultThreads()
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    enableCpuMemArena: true,
    extra: {
      session: {
        intra_op: { allow_spinning: o.spinning === false ? '0' : '1' }
      }
    }
  }
}

function toIo(m: BindingValueMetadata): SessionIo {
  return {
    name: m.name,
    type: ORT_TYPE_NAMES[m.type] ?? `type${m.type}`,
    shape: m.shape.map((d, i) => (d >= 0 ? d : (m.symbolicDimensions[i] ?? '?')))
  }
}

/**
 * A session run synchronously on the calling thread through onnxruntime-node's native binding
 * (the public API only wraps the same call in setImmediate).
 */
export class OrtSession {
  readonly inputs: SessionIo[]
  readonly outputs: SessionIo[]
  private readonly s: BindingSession
  private disposed = false
  private readonly fetches: Record<string, null> = {}

  private constructor(s: BindingSession) {
    this.s = s
    this.inputs = s.inputMetadata.map(toIo)
    this.outputs = s.outputMetadata.map(toIo)
    for (const o of this.outputs) this.fetches[o.name] = null
  }

  static fromBytes(bytes: Uint8Array, opts: OrtSessionOptions = {}): OrtSession {
    const b = binding()
    const s = new b.binding.InferenceSession()
    s.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, sessionOptions(opts))
    return new OrtSession(s)
  }

  /** Load from a file; a file onnxruntime cannot parse becomes AppFailure('corrupt'). */
  static fromFile(path: string, opts: OrtSessionOptions = {}): OrtSession {
    let bytes: Uint8Array
    try {
      bytes = readFileSync(path)
    } catch (e) {
      throw new AppFailure('not_found', `cannot read model file ${path}: ${(e as Error).message}`, path)
    }
    try {
      return OrtSession.fromBytes(bytes, opts)
    } catch (e) {
      throw new AppFailure('corrupt', `onnxruntime cannot load ${path}: ${(e as Error).message}`, path)
    }
  }

  /**
   * Run synchronously; returns every output. (The binding names results by output position, so
   * we always fetch all outputs to keep the names right.)
   */
  runSync(feeds: Record<string, OrtTensor>): Record<string, OrtTensor> {
    if (this.disposed) throw new AppFailure('internal', 'onnxruntime session used after dispose')
    return this.s.run(feeds, this.fetches, {})
  }

  /** Same as runSync but yields to the event loop first (for UI-facing inference). */
  async run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>> {
    await new Promise<void>((r) => setImmediate(r))
    return this.runSync(feeds)
  }

  dispose(): void {
    if (!this.disposed) {
      this.disposed = true
      this.s.dispose()
    }
  }
}

export function tensor(type: 'float32', data: Float32Array, dims: readonly number[]): OrtTensor
export function tensor(type: 'int64', data: BigInt64Array, dims: readonly number[]): OrtTensor
export function tensor(type: 'bool', data: Uint8Array, dims: readonly number[]): OrtTensor
export function tensor(
  type: 'float32' | 'int64' | 'bool',
  data: Float32Array | BigInt64Array | Uint8Array,
  dims: readonly number[]
): OrtTensor {
  const T = ort().Tensor
  if (type === 'float32') return new T('float32', data as Float32Array, dims)
  if (type === 'int64') return new T('int64', data as BigInt64Array, dims)
  return new T('bool', data as Uint8Array, dims)
}

export function floatData(t: OrtTensor): Float32Array {
  if (t.type !== 'float32') throw new AppFailure('internal', `expected a float32 output, got ${t.type}`)
  return t.data as Float32Array
}

export function ortVersion(): string {
  const v = ort().env.versions.node
  return typeof v === 'string' ? v : 'unknown'
}

// ---- inference helpers ----

export interface RewardBatch {
  /** [B*T*125] row-major features. */
  features: Float32Array
  /** [B*T] action ids 0..8. */
  actionIds: Int32Array | number[]
  /** [B*T] 1 for real beats, 0 for padding. */
  mask: Uint8Array | number[]
  batch: number
  beats: number
}

/** Score sequences with a reward model that has the documented signature; returns reward[B]. */
export function scoreRewardBatch(session: OrtSession, b: RewardBatch): Float32Array {
  const n = b.batch * b.beats
  const ids = new BigInt64Array(n)
  for (let i = 0; i < n; i++) ids[i] = BigInt(b.actionIds[i] ?? 0)
  const mask = new Uint8Array(n)
  for (let i = 0; i < n; i++) mask[i] = (b.mask[i] ?? 0) !== 0 ? 1 : 0
  const out = session.runSync({
    beat_features: tensor('float32', b.features, [b.batch, b.beats, b.features.length / n]),
    action_ids: tensor('int64', ids, [b.batch, b.beats]),
    mask: tensor('bool', mask, [b.batch, b.beats])
  })
  const r = out.reward
  if (r === undefined) throw new AppFailure('unsupported', "model has no output 'reward'", 'reward')
  return new Float32Array(floatData(r))
}
