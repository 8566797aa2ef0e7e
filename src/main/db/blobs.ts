/** Typed arrays <-> SQLite blobs. Copies on read so callers never alias a Buffer from the driver. */
export function toBlob(a: ArrayBufferView): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength)
}

function aligned(b: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(b.byteLength)
  new Uint8Array(out).set(b)
  return out
}

export const blobToFloat64 = (b: Buffer): Float64Array => new Float64Array(aligned(b))
export const blobToFloat32 = (b: Buffer): Float32Array => new Float32Array(aligned(b))
export const blobToInt32 = (b: Buffer): Int32Array => new Int32Array(aligned(b))
export const blobToUint8 = (b: Buffer): Uint8Array => new Uint8Array(aligned(b))
