// Whether the CLI bundle in <root>/out/cli (scripts/build-cli.mjs) is up to date: it exists and no
// source file in it changed, moved or disappeared since it was built.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'

export function cliBundlePath(root) {
  return path.join(root, 'out/cli/index.cjs')
}

export function cliBundleIsCurrent(root) {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(path.join(root, 'out/cli/inputs.json'), 'utf8'))
    if (typeof builtAt !== 'number' || !Array.isArray(inputs) || inputs.length === 0) return false
    statSync(cliBundlePath(root))
    return inputs.every((file) => typeof file === 'string' && statSync(path.join(root, file)).mtimeMs <= builtAt)
  } catch {
    return false
  }
}
