/**
 * Binary form of a reward trainer checkpoint: weights, moments and members as raw float32 (a JSON
 * copy of a default-size model would be ~50 MB of text). Layout: the magic line, a little-endian
 * u32 header length, the JSON header (scalars plus a directory of arrays), then the arrays' bytes.
 */
import { AppFailure } from '../../../shared/result'
import type { EpochReport, TrainerCheckpoint } from './reward-training'

const MAGIC = 'EDITORBOT-REWARD-CHECKPOINT 1\n'

interface ArrayEntry {
  group: string
  name: string
  length: number
}

interface Header {
  phase: TrainerCheckpoint['phase']
  member: number
  epoch: number
  sinceBest: number
  bestValLoss: number | null
  history: EpochReport[]
  optimizerStep: number
  hasBest: boolean
  hasStart: boolean
  finished: number
  arrays: ArrayEntry[]
}

export function encodeCheckpoint(cp: TrainerCheckpoint): Uint8Array {
  const arrays: ArrayEntry[] = []
  const chunks: Float32Array[] = []
  const add = (group: string, entries: Iterable<[string, Float32Array]>): void => {
    for (const [name, a] of entries) {
      arrays.push({ group, name, length: a.length })
      chunks.push(a)
    }
  }
  add('weights', cp.weights)
  if (cp.best) add('best', cp.best)
  if (cp.start) add('start', cp.start)
  cp.finished.forEach((m, i) => add(`finished.${i}`, m))
  add('m', Object.entries(cp.optimizer.m))
  add('v', Object.entries(cp.optimizer.v))
  const header: Header = {
    phase: cp.phase,
    member: cp.member,
    epoch: cp.epoch,
    sinceBest: cp.sinceBest,
    bestValLoss: Number.isFinite(cp.bestValLoss) ? cp.bestValLoss : null,
    history: cp.history,
    optimizerStep: cp.optimizer.step,
    hasBest: cp.best !== null,
    hasStart: cp.start !== null,
    finished: cp.finished.length,
    arrays
  }
  const magic = new TextEncoder().encode(MAGIC)
  const json = new TextEncoder().encode(JSON.stringify(header))
  const floats = chunks.reduce((a, c) => a + c.length, 0)
  // Pad the header so the float data starts 4-byte aligned.
  const headerEnd = magic.length + 4 + json.length
  const pad = (4 - (headerEnd % 4)) % 4
  const out = new Uint8Array(headerEnd + pad + floats * 4)
  out.set(magic, 0)
  new DataView(out.buffer).setUint32(magic.length, json.length + pad, true)
  out.set(json, magic.length + 4)
  out.fill(0x20, headerEnd, headerEnd + pad)
  const data = new Float32Array(out.buffer, headerEnd + pad, floats)
  let o = 0
  for (const c of chunks) {
    data.set(c, o)
    o += c.length
  }
  return out
}

export function decodeCheckpoint(bytes: Uint8Array): TrainerCheckpoint {
  const magic = new TextEncoder().encode(MAGIC)
  const fail = (why: string): never => {
    throw new AppFailure('corrupt', `reward training checkpoint: ${why}`, 'checkpoint')
  }
  if (bytes.length < magic.length + 4 || new TextDecoder().decode(bytes.subarray(0, magic.length)) !== MAGIC)
    fail('not a checkpoint file')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const headerLen = view.getUint32(magic.length, true)
  const start = magic.length + 4
  let header: Header
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(start, start + headerLen))) as Header
  } catch {
    return fail('header is not JSON')
  }
  if (!Array.isArray(header.arrays) || !Array.isArray(header.history)) fail('header is malformed')
  const floats = header.arrays.reduce((a, e) => a + e.length, 0)
  const dataStart = start + headerLen
  if (bytes.length !== dataStart + floats * 4) fail(`expected ${dataStart + floats * 4} bytes, found ${bytes.length}`)
  const copy = bytes.slice(dataStart)
  const data = new Float32Array(copy.buffer, copy.byteOffset, floats)
  const groups = new Map<string, Map<string, Float32Array>>()
  let o = 0
  for (const e of header.arrays) {
    const g = groups.get(e.group) ?? new Map<string, Float32Array>()
    g.set(e.name, data.subarray(o, o + e.length))
    groups.set(e.group, g)
    o += e.length
  }
  const group = (n: string): Map<string, Float32Array> => groups.get(n) ?? new Map<string, Float32Array>()
  return {
    phase: header.phase,
    member: header.member,
    epoch: header.epoch,
    sinceBest: header.sinceBest,
    bestValLoss: header.bestValLoss ?? Infinity,
    history: header.history,
    optimizer: {
      step: header.optimizerStep,
      m: Object.fromEntries(group('m')),
      v: Object.fromEntries(group('v'))
    },
    weights: group('weights'),
    best: header.hasBest ? group('best') : null,
    start: header.hasStart ? group('start') : null,
    finished: Array.from({ length: header.finished }, (_, i) => group(`finished.${i}`))
  }
}
