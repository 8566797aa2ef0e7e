/**
 * AdamW's element loop as a tiny WebAssembly SIMD kernel (f32x4, one pass over w, g, m, v). The
 * fused PPO path keeps its packed weights, gradients and moments in this module's memory, so
 * onnxruntime reads the weights in place and the update needs no copies. The module is assembled
 * here byte by byte (no toolchain); `wasmAdamAvailable()` is false where the engine lacks SIMD,
 * and callers then use AdamW.applyArrays.
 *
 *   g = grad * clip; m = m * b1 + g * (1 - b1); v = v * b2 + g * g * (1 - b2)
 *   w = w * shrink - (m * stepSize) / (sqrt(v * invBc2) + eps)
 */

function uleb(n: number): number[] {
  const out: number[] = []
  let v = n >>> 0
  do {
    let b = v & 0x7f
    v >>>= 7
    if (v !== 0) b |= 0x80
    out.push(b)
  } while (v !== 0)
  return out
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body]
}

const I32 = 0x7f
const F32 = 0x7d
const V128 = 0x7b
const simd = (op: number): number[] => [0xfd, ...uleb(op)]
const get = (i: number): number[] => [0x20, ...uleb(i)]
const set = (i: number): number[] => [0x21, ...uleb(i)]
const tee = (i: number): number[] => [0x22, ...uleb(i)]
const LOAD = [...simd(0x00), 0, 0]
const STORE = [...simd(0x0b), 0, 0]
const SPLAT = simd(0x13)
const SQRT = simd(0xe3)
const ADD = simd(0xe4)
const SUB = simd(0xe5)
const MUL = simd(0xe6)
const DIV = simd(0xe7)
const I32_ADD = [0x6a]

// params: 0 wOff, 1 gOff, 2 mOff, 3 vOff (byte offsets), 4 n (floats, multiple of 4),
//         5 clip, 6 b1, 7 omb1, 8 b2, 9 omb2, 10 stepSize, 11 invBc2, 12 eps, 13 shrink
// locals: 14 p, 15 end, 16..24 splats of params 5..13, 25 g, 26 m, 27 v
function adamBody(): number[] {
  const at = (base: number): number[] => [...get(base), ...get(14), ...I32_ADD]
  const code: number[] = []
  for (let i = 0; i < 9; i++) code.push(...get(5 + i), ...SPLAT, ...set(16 + i))
  code.push(...get(4), 0x41, 2, 0x74, ...set(15)) // end = n << 2
  code.push(0x41, 0, ...set(14)) // p = 0
  code.push(0x02, 0x40, 0x03, 0x40) // block loop
  code.push(...get(14), ...get(15), 0x4f, 0x0d, 1) // br_if exit (p >= end)
  code.push(...at(1), ...LOAD, ...get(16), ...MUL, ...set(25)) // g
  code.push(
    ...at(2),
    ...at(2),
    ...LOAD,
    ...get(17),
    ...MUL,
    ...get(25),
    ...get(18),
    ...MUL,
    ...ADD,
    ...tee(26),
    ...STORE
  )
  code.push(
    ...at(3),
    ...at(3),
    ...LOAD,
    ...get(19),
    ...MUL,
    ...get(25),
    ...get(25),
    ...MUL,
    ...get(20),
    ...MUL,
    ...ADD,
    ...tee(27),
    ...STORE
  )
  code.push(
    ...at(0),
    ...at(0),
    ...LOAD,
    ...get(24),
    ...MUL,
    ...get(26),
    ...get(21),
    ...MUL,
    ...get(27),
    ...get(22),
    ...MUL,
    ...SQRT,
    ...get(23),
    ...ADD,
    ...DIV,
    ...SUB,
    ...STORE
  )
  code.push(...get(14), 0x41, 16, ...I32_ADD, ...set(14)) // p += 16
  code.push(0x0c, 0, 0x0b, 0x0b, 0x0b) // br loop; end loop; end block; end func
  const locals = [2, 2, I32, 12, V128]
  return [...locals, ...code]
}

function adamModule(): Uint8Array {
  const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))]
  const params = [I32, I32, I32, I32, I32, F32, F32, F32, F32, F32, F32, F32, F32, F32]
  const body = adamBody()
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(2, [1, ...name('env'), ...name('mem'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('adamw'), 0x00, 0]),
    ...section(10, [1, ...uleb(body.length), ...body])
  ])
}

type AdamFn = (
  wOff: number,
  gOff: number,
  mOff: number,
  vOff: number,
  n: number,
  clip: number,
  b1: number,
  omb1: number,
  b2: number,
  omb2: number,
  stepSize: number,
  invBc2: number,
  eps: number,
  shrink: number
) => void

/** The part of the WebAssembly JS API used here (the node tsconfig has no DOM/WebAssembly lib). */
interface WasmModule {
  readonly kind?: 'module'
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => WasmModule
  Instance: new (
    m: WasmModule,
    imports: Record<string, Record<string, unknown>>
  ) => { exports: Record<string, unknown> }
  Memory: new (d: { initial: number }) => { readonly buffer: ArrayBuffer }
}

let compiled: WasmModule | null | undefined

function adamWasmModule(): WasmModule | null {
  if (compiled === undefined) {
    const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
    const bytes = adamModule()
    compiled = api !== undefined && api.validate(bytes) ? new api.Module(bytes) : null
  }
  return compiled
}

function wasmApi(): WasmApi {
  const api = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly
  if (api === undefined) throw new Error('WebAssembly is not available')
  return api
}

let enabled = true

/** Turn the kernel off/on (tests of the AdamW.applyArrays fallback); returns the previous setting. */
export function setWasmAdamEnabled(on: boolean): boolean {
  const prev = enabled
  enabled = on
  return prev
}

/** True when this engine can run the SIMD kernel (and it is enabled). */
export function wasmAdamAvailable(): boolean {
  return enabled && adamWasmModule() !== null
}

export interface AdamStepScalars {
  clip: number
  beta1: number
  beta2: number
  eps: number
  stepSize: number
  invBc2: number
}

/**
 * Weights, gradients and moments of a list of parameters in one WebAssembly memory, each
 * parameter padded to a multiple of 4 floats. w[i], g[i], m[i], v[i] are views (no copies).
 */
export class WasmAdamArena {
  readonly w: Float32Array[] = []
  readonly g: Float32Array[] = []
  readonly m: Float32Array[] = []
  readonly v: Float32Array[] = []
  private readonly offsets: number[] = []
  private readonly padded: number[] = []
  private readonly region: number
  private readonly fn: AdamFn

  constructor(readonly sizes: readonly number[]) {
    const mod = adamWasmModule()
    if (mod === null) throw new Error('WebAssembly SIMD is not available')
    let total = 0
    for (const s of sizes) {
      const p = Math.ceil(s / 4) * 4
      this.offsets.push(total)
      this.padded.push(p)
      total += p
    }
    this.region = total
    const bytes = 4 * total * 4
    const api = wasmApi()
    const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) })
    const inst = new api.Instance(mod, { env: { mem: memory } })
    this.fn = inst.exports.adamw as AdamFn
    const all = new Float32Array(memory.buffer)
    sizes.forEach((s, i) => {
      const o = this.offsets[i]!
      this.w.push(all.subarray(o, o + s))
      this.g.push(all.subarray(total + o, total + o + s))
      this.m.push(all.subarray(2 * total + o, 2 * total + o + s))
      this.v.push(all.subarray(3 * total + o, 3 * total + o + s))
    })
  }

  /** One AdamW update of every parameter from the gradients in g; shrink[i] = 1 - lr * decay_i. */
  step(s: AdamStepScalars, shrink: readonly number[]): void {
    const R = 4 * this.region
    for (let i = 0; i < this.sizes.length; i++) {
      const o = 4 * this.offsets[i]!
      this.fn(
        o,
        R + o,
        2 * R + o,
        3 * R + o,
        this.padded[i]!,
        s.clip,
        s.beta1,
        1 - s.beta1,
        s.beta2,
        1 - s.beta2,
        s.stepSize,
        s.invBc2,
        s.eps,
        shrink[i]!
      )
    }
  }
}
