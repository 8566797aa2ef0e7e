/**
 * Minimal ONNX protobuf schema (a subset of onnx/onnx.proto3, same field numbers) for protobufjs,
 * plus small graph-building helpers shared by the exporter, the importer and the onnxruntime kernels.
 */
import protobuf from 'protobufjs'

/** onnx.TensorProto.DataType values we use. */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11
} as const

export const OnnxAttrType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, FLOATS: 6, INTS: 7 } as const

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: { type: 'int64', id: 1 },
            opsetImport: { rule: 'repeated', type: 'OperatorSetIdProto', id: 8 },
            producerName: { type: 'string', id: 2 },
            producerVersion: { type: 'string', id: 3 },
            domain: { type: 'string', id: 4 },
            modelVersion: { type: 'int64', id: 5 },
            docString: { type: 'string', id: 6 },
            graph: { type: 'GraphProto', id: 7 },
            metadataProps: { rule: 'repeated', type: 'StringStringEntryProto', id: 14 }
          }
        },
        OperatorSetIdProto: {
          fields: { domain: { type: 'string', id: 1 }, version: { type: 'int64', id: 2 } }
        },
        StringStringEntryProto: {
          fields: { key: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } }
        },
        GraphProto: {
          fields: {
            node: { rule: 'repeated', type: 'NodeProto', id: 1 },
            name: { type: 'string', id: 2 },
            initializer: { rule: 'repeated', type: 'TensorProto', id: 5 },
            docString: { type: 'string', id: 10 },
            input: { rule: 'repeated', type: 'ValueInfoProto', id: 11 },
            output: { rule: 'repeated', type: 'ValueInfoProto', id: 12 },
            valueInfo: { rule: 'repeated', type: 'ValueInfoProto', id: 13 }
          }
        },
        NodeProto: {
          fields: {
            input: { rule: 'repeated', type: 'string', id: 1 },
            output: { rule: 'repeated', type: 'string', id: 2 },
            name: { type: 'string', id: 3 },
            opType: { type: 'string', id: 4 },
            domain: { type: 'string', id: 7 },
            attribute: { rule: 'repeated', type: 'AttributeProto', id: 5 },
            docString: { type: 'string', id: 6 }
          }
        },
        AttributeProto: {
          fields: {
            name: { type: 'string', id: 1 },
            refAttrName: { type: 'string', id: 21 },
            docString: { type: 'string', id: 13 },
            type: { type: 'int32', id: 20 },
            f: { type: 'float', id: 2 },
            i: { type: 'int64', id: 3 },
            s: { type: 'bytes', id: 4 },
            t: { type: 'TensorProto', id: 5 },
            floats: { rule: 'repeated', type: 'float', id: 7 },
            ints: { rule: 'repeated', type: 'int64', id: 8 },
            strings: { rule: 'repeated', type: 'bytes', id: 9 }
          }
        },
        TensorProto: {
          fields: {
            dims: { rule: 'repeated', type: 'int64', id: 1 },
            dataType: { type: 'int32', id: 2 },
            floatData: { rule: 'repeated', type: 'float', id: 4 },
            int32Data: { rule: 'repeated', type: 'int32', id: 5 },
            int64Data: { rule: 'repeated', type: 'int64', id: 7 },
            name: { type: 'string', id: 8 },
            rawData: { type: 'bytes', id: 9 },
            doubleData: { rule: 'repeated', type: 'double', id: 10 },
            docString: { type: 'string', id: 12 },
            externalData: { rule: 'repeated', type: 'StringStringEntryProto', id: 13 },
            dataLocation: { type: 'int32', id: 14 }
          }
        },
        ValueInfoProto: {
          fields: {
            name: { type: 'string', id: 1 },
            type: { type: 'TypeProto', id: 2 },
            docString: { type: 'string', id: 3 }
          }
        },
        TypeProto: {
          fields: {
            tensorType: { type: 'TypeProtoTensor', id: 1 },
            denotation: { type: 'string', id: 6 }
          }
        },
        TypeProtoTensor: {
          fields: {
            elemType: { type: 'int32', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 }
          }
        },
        TensorShapeProto: {
          fields: { dim: { rule: 'repeated', type: 'Dimension', id: 1 } }
        },
        Dimension: {
          oneofs: { value: { oneof: ['dimValue', 'dimParam'] } },
          fields: {
            dimValue: { type: 'int64', id: 1 },
            dimParam: { type: 'string', id: 2 },
            denotation: { type: 'string', id: 3 }
          }
        }
      }
    }
  }
}

const root = protobuf.Root.fromJSON(SCHEMA)
const ModelType = root.lookupType('onnx.ModelProto')

// ---- plain-object shapes (what we build and what decodeModel returns) ----

export interface OnnxDim {
  dimValue?: number
  dimParam?: string
}
export interface OnnxValueInfo {
  name: string
  type?: { tensorType?: { elemType?: number; shape?: { dim?: OnnxDim[] } } }
}
export interface OnnxTensor {
  name?: string
  dims?: number[]
  dataType?: number
  rawData?: Uint8Array
  floatData?: number[]
  int32Data?: number[]
  int64Data?: number[]
  doubleData?: number[]
  dataLocation?: number
}
export interface OnnxAttribute {
  name: string
  type: number
  f?: number
  i?: number
  s?: Uint8Array
  t?: OnnxTensor
  floats?: number[]
  ints?: number[]
}
export interface OnnxNode {
  input: string[]
  output: string[]
  name?: string
  opType: string
  domain?: string
  attribute?: OnnxAttribute[]
}
export interface OnnxGraph {
  name?: string
  node?: OnnxNode[]
  initializer?: OnnxTensor[]
  input?: OnnxValueInfo[]
  output?: OnnxValueInfo[]
  valueInfo?: OnnxValueInfo[]
}
export interface OnnxModel {
  irVersion?: number
  opsetImport?: { domain?: string; version?: number }[]
  producerName?: string
  producerVersion?: string
  docString?: string
  graph?: OnnxGraph
  metadataProps?: { key?: string; value?: string }[]
}

export function encodeModel(model: OnnxModel): Uint8Array {
  const msg = ModelType.fromObject(model)
  return ModelType.encode(msg).finish()
}

/** Throws protobufjs' decoding error on bytes that are not a protobuf message. */
export function decodeModel(bytes: Uint8Array): OnnxModel {
  const msg = ModelType.decode(bytes)
  return ModelType.toObject(msg, { longs: Number, defaults: false, arrays: true }) as OnnxModel
}

// ---- building helpers ----

export type AttrValue = number | string | number[] | { floats: number[] } | { float: number }

export function attr(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'string') return { name, type: OnnxAttrType.STRING, s: new TextEncoder().encode(v) }
  if (typeof v === 'number') return { name, type: OnnxAttrType.INT, i: v }
  if (Array.isArray(v)) return { name, type: OnnxAttrType.INTS, ints: v }
  if ('floats' in v) return { name, type: OnnxAttrType.FLOATS, floats: v.floats }
  return { name, type: OnnxAttrType.FLOAT, f: v.float }
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrValue> = {},
  domain?: string
): OnnxNode {
  const n: OnnxNode = {
    opType,
    input: inputs,
    output: outputs,
    attribute: Object.entries(attrs).map(([k, v]) => attr(k, v))
  }
  if (domain !== undefined) n.domain = domain
  return n
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): OnnxValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) }
      }
    }
  }
}

export function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  const copy = new Float32Array(values)
  return { name, dims, dataType: OnnxDataType.FLOAT, rawData: new Uint8Array(copy.buffer) }
}

export function int64Tensor(name: string, dims: number[], values: number[]): OnnxTensor {
  const arr = new BigInt64Array(values.map((v) => BigInt(v)))
  return { name, dims, dataType: OnnxDataType.INT64, rawData: new Uint8Array(arr.buffer) }
}

export function makeModel(
  graph: OnnxGraph,
  opts: { opset?: number; msOpset?: number; metadata?: Record<string, string>; docString?: string } = {}
): OnnxModel {
  const opsetImport: { domain?: string; version?: number }[] = [{ domain: '', version: opts.opset ?? 17 }]
  if (opts.msOpset !== undefined) opsetImport.push({ domain: 'com.microsoft', version: opts.msOpset })
  const m: OnnxModel = {
    irVersion: 8,
    opsetImport,
    producerName: 'editorbot-studio',
    producerVersion: '1',
    graph,
    metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value }))
  }
  if (opts.docString !== undefined) m.docString = opts.docString
  return m
}

/** Float values of an initializer (raw_data little-endian, or float_data). */
export function tensorFloats(t: OnnxTensor): Float32Array {
  const n = (t.dims ?? []).reduce((a, b) => a * b, 1)
  if (t.dataType !== OnnxDataType.FLOAT) {
    throw new Error(`initializer '${t.name ?? ''}' has data type ${t.dataType ?? 0}, expected float32`)
  }
  if (t.rawData !== undefined && t.rawData.byteLength > 0) {
    const bytes = t.rawData
    const out = new Float32Array(n)
    new Uint8Array(out.buffer).set(bytes.subarray(0, n * 4))
    return out
  }
  return Float32Array.from(t.floatData ?? [])
}

export function tensorInts(t: OnnxTensor): number[] {
  const n = (t.dims ?? []).reduce((a, b) => a * b, 1)
  if (t.rawData !== undefined && t.rawData.byteLength > 0) {
    const copy = new Uint8Array(t.rawData)
    if (t.dataType === OnnxDataType.INT64) return Array.from(new BigInt64Array(copy.buffer, 0, n), Number)
    if (t.dataType === OnnxDataType.INT32) return Array.from(new Int32Array(copy.buffer, 0, n))
  }
  if (t.int64Data !== undefined && t.int64Data.length > 0) return t.int64Data
  return t.int32Data ?? []
}
