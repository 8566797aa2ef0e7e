#!/usr/bin/env node
// `npm start`: the desktop app when the Electron runtime is installed, otherwise serve mode in the browser.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'

const require = createRequire(import.meta.url)
let electronBinary = null
try {
  const candidate = require('electron') // the package exports the binary's path
  if (typeof candidate === 'string' && fs.existsSync(candidate)) electronBinary = candidate
} catch {
  electronBinary = null
}

const run = (cmd, args) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: 'inherit' })
    child.on('exit', (code) => resolve(code ?? 1))
  })

const npmCli = process.env.npm_execpath
const npm = (args) => (npmCli ? run(process.execPath, [npmCli, ...args]) : run('npm', args))

if (electronBinary) {
  process.exitCode = await npm(['run', 'build:electron-and-open'])
} else {
  console.log(
    'The Electron runtime is not installed here (its binary download failed or was skipped): starting serve mode instead, open the URL below in a browser.'
  )
  const built = await npm(['run', 'build:web', '--silent'])
  if (built !== 0) process.exit(built)
  process.exitCode = await run(process.execPath, ['bin/editorbot.mjs', 'serve', ...process.argv.slice(2)])
}
