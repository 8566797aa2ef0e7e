#!/usr/bin/env node
// Runs the CLI bundle (out/cli, `npm run build:cli`) while it is up to date with every source file in
// it, else the TypeScript sources through tsx: scripts and tests always run the current code.
import path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { cliBundleIsCurrent, cliBundlePath } from './cli-bundle.mjs'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

// `editorbot beats 1 | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

let main
if (cliBundleIsCurrent(root)) {
  ;({ main } = await import(pathToFileURL(cliBundlePath(root)).href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/main/transports/cli/index.ts'))
}
process.exitCode = await main(process.argv.slice(2))
