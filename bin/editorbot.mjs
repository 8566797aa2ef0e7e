#!/usr/bin/env node
// The CLI runs the TypeScript services directly through tsx, so scripts always use the current code.
import { register } from 'tsx/esm/api'

// `editorbot beats 1 | head` closes the pipe early: that is not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  throw e
})

register()
const { main } = await import('../src/main/transports/cli/index.ts')
process.exitCode = await main(process.argv.slice(2))
