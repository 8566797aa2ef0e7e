import { createAppContext, type AppContext } from '../../src/main/app/context'
import { tempDataDir } from './temp'

/**
 * App contexts on fresh data directories, each with an inbox folder for files to import; `closeAll`
 * (an afterEach) closes every context and removes both folders.
 */
export function tempLibraries(opts: { recoverJobs?: boolean } = {}): {
  open(): { ctx: AppContext; inbox: string }
  closeAll(): Promise<void>
} {
  const open: { ctx: AppContext; cleanups: (() => void)[] }[] = []
  return {
    open() {
      const data = tempDataDir()
      const inbox = tempDataDir('editorbot-inbox-')
      const ctx = createAppContext({ dataDir: data.dir, ...opts })
      open.push({ ctx, cleanups: [data.cleanup, inbox.cleanup] })
      return { ctx, inbox: inbox.dir }
    },
    async closeAll() {
      for (const { ctx, cleanups } of open.splice(0)) {
        await ctx.close()
        for (const c of cleanups) c()
      }
    }
  }
}
