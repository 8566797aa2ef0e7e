// Compiles src/main/engines/ml/adamw.wat with wabt into adamw-wasm-bytes.ts (the module as
// base64, so it ships inside bundles without an asset). Run `npx tsx scripts/build-adamw-wasm.ts`
// after editing the .wat; test/unit/engines/ml/adamw-wasm.test.ts fails while the two disagree.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import wabtInit from 'wabt'

const dir = fileURLToPath(new URL('../src/main/engines/ml/', import.meta.url))
export const ADAMW_BYTES_FILE = `${dir}adamw-wasm-bytes.ts`

export async function compileAdamWat(): Promise<Uint8Array> {
  const wabt = await wabtInit()
  const mod = wabt.parseWat('adamw.wat', readFileSync(`${dir}adamw.wat`, 'utf8'), { simd: true })
  try {
    mod.validate()
    return new Uint8Array(mod.toBinary({}).buffer)
  } finally {
    mod.destroy()
  }
}

/** The generated TypeScript module for the compiled bytes. */
export function bytesModule(bytes: Uint8Array): string {
  const lines =
    Buffer.from(bytes)
      .toString('base64')
      .match(/.{1,100}/g) ?? []
  return [
    '// Generated from adamw.wat by scripts/build-adamw-wasm.ts: edit the .wat and rerun it.',
    'export const ADAMW_WASM_BASE64 =',
    lines.map((l) => `  '${l}'`).join(' +\n'),
    ''
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ADAMW_BYTES_FILE, bytesModule(await compileAdamWat()))
  console.log(`wrote ${ADAMW_BYTES_FILE}`)
}
