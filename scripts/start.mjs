#!/usr/bin/env node
// `npm start`: the desktop app when the Electron runtime is available, otherwise serve mode in the browser.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'

const require = createRequire(import.meta.url)

/** Path of the Electron binary, or null when the package or its runtime download is missing. */
function electronBinary() {
  try {
    const candidate = require('electron') // the package exports the binary's path, and throws without it
    return typeof candidate === 'string' && fs.existsSync(candidate) ? candidate : null
  } catch {
    return null
  }
}

const run = (cmd, args, stdio = 'inherit', cwd = undefined) =>
  new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio, cwd })
    child.on('exit', (code) => resolve(code ?? 1))
  })

const npmCli = process.env.npm_execpath
const npm = (args) => (npmCli ? run(process.execPath, [npmCli, ...args]) : run('npm', args))

// `npm install` never downloads the runtime (package.json allowScripts denies electron's install script, so
// installs work from the npm registry alone); fetch it here once, where the network allows.
let binary = electronBinary()
if (!binary) {
  try {
    const installer = require.resolve('electron/install.js')
    await run(process.execPath, [installer], 'ignore')
  } catch {
    // the electron package itself is missing: serve mode below
  }
  binary = electronBinary()
}

/**
 * better-sqlite3 is compiled for Node's ABI (CLI, serve mode, tests). The desktop app gets its own copy built for
 * Electron's ABI under .electron-native/, passed to the app as EDITORBOT_SQLITE_BINDING, so neither breaks the other.
 */
async function electronSqliteBinding() {
  const electronVersion = require('electron/package.json').version
  const dir = path.resolve('.electron-native', 'better-sqlite3')
  const binding = path.join(dir, 'build', 'Release', 'better_sqlite3.node')
  const stamp = path.join(dir, '.electron-version')
  if (fs.existsSync(binding) && fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === electronVersion)
    return binding
  fs.rmSync(dir, { recursive: true, force: true })
  fs.cpSync(path.dirname(require.resolve('better-sqlite3/package.json')), dir, { recursive: true })
  fs.rmSync(path.join(dir, 'build'), { recursive: true, force: true })
  const prebuilt = await run(
    process.execPath,
    [require.resolve('prebuild-install/bin.js'), '--runtime', 'electron', '--target', electronVersion],
    'inherit',
    dir
  )
  if (prebuilt !== 0 || !fs.existsSync(binding)) {
    // No prebuilt binary for this Electron (or none reachable): compile against Electron's headers.
    console.log(
      `No prebuilt better-sqlite3 for Electron ${electronVersion}: building it from source (a minute or two).`
    )
    const compiled = await run(
      process.execPath,
      [
        require.resolve('node-gyp/bin/node-gyp.js'),
        'rebuild',
        '--release',
        `--target=${electronVersion}`,
        '--runtime=electron',
        '--dist-url=https://electronjs.org/headers'
      ],
      'inherit',
      dir
    )
    if (compiled !== 0 || !fs.existsSync(binding)) return null
  }
  fs.writeFileSync(stamp, electronVersion)
  return binding
}

if (binary) {
  const sqliteBinding = await electronSqliteBinding()
  if (!sqliteBinding) {
    console.log('Could not get better-sqlite3 built for Electron (no prebuilt binary reachable); starting serve mode.')
    binary = null
  } else process.env.EDITORBOT_SQLITE_BINDING = sqliteBinding
}

if (binary) {
  process.exitCode = await npm(['run', 'build:electron-and-open'])
} else {
  console.log(
    'The Electron runtime is not installed here (its download from outside the npm registry failed): starting serve mode instead, open the URL below in a browser.'
  )
  const built = await npm(['run', 'build:web', '--silent'])
  if (built !== 0) process.exit(built)
  // The URL carries the access token (like Jupyter's): serve prints it and opens it in the default browser.
  process.exitCode = await run(process.execPath, ['bin/editorbot.mjs', 'serve', '--open', ...process.argv.slice(2)])
}
