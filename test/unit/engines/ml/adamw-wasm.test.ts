import { describe, it, expect } from 'vitest'
import { readFileSync } from 'node:fs'
import { compileAdamWat, bytesModule, ADAMW_BYTES_FILE } from '../../../../scripts/build-adamw-wasm'
import { ADAMW_WASM_BASE64 } from '../../../../src/main/engines/ml/adamw-wasm-bytes'
import { wasmAdamAvailable } from '../../../../src/main/engines/ml/adam-wasm'

describe('AdamW WebAssembly kernel', () => {
  it('the shipped bytes are adamw.wat compiled (rerun scripts/build-adamw-wasm.ts after editing it)', async () => {
    const compiled = await compileAdamWat()
    expect(Buffer.from(ADAMW_WASM_BASE64, 'base64').equals(Buffer.from(compiled))).toBe(true)
    expect(readFileSync(ADAMW_BYTES_FILE, 'utf8')).toBe(bytesModule(compiled))
  })

  it('validates and loads on this engine (Node 20+ has WebAssembly SIMD; false means the bytes are broken)', () => {
    expect(wasmAdamAvailable()).toBe(true)
  })
})
