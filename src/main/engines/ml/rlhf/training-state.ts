/**
 * A training run's complete state as one file: a JSON header (counters, KL coefficient, data cursor,
 * config, anything else the trainer needs) followed by every named float array (weights of the
 * policy, value and reference nets, the optimiser's moments). Float arrays are stored bit-exact, so
 * a run resumed from this file continues with exactly the numbers it stopped with.
 */
import { AppFailure } from '../../../../shared/result'
import type { AdamWState } from '../optim'

const MAGIC = 'EBTS1'

export interface PackedState {
  meta: Record<string, unknown>
  arrays: Map<string, Float32Array>
}

export function packState(state: PackedState): Uint8Array {
  const index: { name: string; length: number }[] = []
  let floats = 0
  for (const [name, a] of state.arrays) {
    index.push({ name, length: a.length })
    floats += a.length
  }
  const header = new TextEncoder().encode(JSON.stringify({ magic: MAGIC, meta: state.meta, index }))
  // header length (4 bytes), header, padding to a 4-byte boundary, floats
  const pad = (4 - ((4 + header.length) % 4)) % 4
  const out = new Uint8Array(4 + header.length + pad + floats * 4)
  new DataView(out.buffer).setUint32(0, header.length, true)
  out.set(header, 4)
  const body = new Float32Array(out.buffer, 4 + header.length + pad, floats)
  let o = 0
  for (const a of state.arrays.values()) {
    body.set(a, o)
    o += a.length
  }
  return out
}

export function unpackState(bytes: Uint8Array, label = 'training state'): PackedState {
  const fail = (why: string): never => {
    throw new AppFailure('corrupt', `${label} is not a training-state file (${why})`)
  }
  if (bytes.length < 4) fail('too short')
  const copy = bytes.slice()
  const headerLength = new DataView(copy.buffer).getUint32(0, true)
  if (4 + headerLength > copy.length) fail('truncated header')
  let header: { magic?: string; meta?: Record<string, unknown>; index?: { name: string; length: number }[] }
  try {
    header = JSON.parse(new TextDecoder().decode(copy.subarray(4, 4 + headerLength))) as typeof header
  } catch {
    return fail('unreadable header')
  }
  if (header.magic !== MAGIC || !Array.isArray(header.index) || typeof header.meta !== 'object') fail('bad header')
  const pad = (4 - ((4 + headerLength) % 4)) % 4
  const start = 4 + headerLength + pad
  const total = header.index!.reduce((a, e) => a + e.length, 0)
  if (start + total * 4 !== copy.length) fail(`expected ${total} floats after the header`)
  const body = new Float32Array(copy.buffer, start, total)
  const arrays = new Map<string, Float32Array>()
  let o = 0
  for (const e of header.index!) {
    arrays.set(e.name, body.slice(o, o + e.length))
    o += e.length
  }
  return { meta: header.meta!, arrays }
}

/** Optimiser moments as named arrays ('opt.m.<name>', 'opt.v.<name>') plus the step for the header. */
export function optimizerArrays(s: AdamWState, into: Map<string, Float32Array>): number {
  for (const [k, a] of Object.entries(s.m)) into.set(`opt.m.${k}`, a)
  for (const [k, a] of Object.entries(s.v)) into.set(`opt.v.${k}`, a)
  return s.step
}

export function optimizerFromArrays(step: number, arrays: ReadonlyMap<string, Float32Array>): AdamWState {
  const m: Record<string, Float32Array> = {}
  const v: Record<string, Float32Array> = {}
  for (const [k, a] of arrays) {
    if (k.startsWith('opt.m.')) m[k.slice(6)] = a
    else if (k.startsWith('opt.v.')) v[k.slice(6)] = a
  }
  return { step, m, v }
}

/** Arrays whose names start with `prefix`, with the prefix removed. */
export function arraysWithPrefix(arrays: ReadonlyMap<string, Float32Array>, prefix: string): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  for (const [k, a] of arrays) if (k.startsWith(prefix)) out.set(k.slice(prefix.length), a)
  return out
}
