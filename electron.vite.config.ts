import { defineConfig } from 'electron-vite'
import type { Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { resolve } from 'node:path'
import { contentSecurityPolicy } from './src/main/transports/electron/policy'

/** The desktop build's page carries the app's policy (policy.ts), not serve mode's, in its CSP meta tag. */
function desktopContentSecurityPolicy(): Plugin {
  let dev = false
  return {
    name: 'editorbot-desktop-csp',
    configResolved(config) {
      dev = config.command === 'serve'
    },
    transformIndexHtml(html) {
      const meta = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/
      if (!meta.test(html)) throw new Error('src/renderer/index.html lost its Content-Security-Policy meta tag')
      return html.replace(meta, `$1${contentSecurityPolicy({ dev, delivery: 'meta' })}$2`)
    }
  }
}

export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          // The app context and dispatcher, forked as an Electron utility process (src/main/backend/entry.ts).
          backend: resolve(__dirname, 'src/main/backend/entry.ts'),
          // Worker threads are separate bundles next to index.js (see src/main/workers/entry.ts).
          'job-worker': resolve(__dirname, 'src/main/workers/job-worker.ts'),
          'render-worker': resolve(__dirname, 'src/main/workers/render-worker.ts')
        },
        // Shared chunks sit beside the entries: code that finds its siblings through import.meta.url
        // (startWorker) then works from whichever bundle it lands in.
        output: { chunkFileNames: '[name]-[hash].js' }
      }
    }
  },
  preload: {
    build: {
      externalizeDeps: true,
      // Sandboxed preloads must be CommonJS.
      rollupOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } }
    }
  },
  renderer: {
    resolve: { alias: { '@renderer': resolve(__dirname, 'src/renderer/src') } },
    plugins: [react(), desktopContentSecurityPolicy()]
  }
})
