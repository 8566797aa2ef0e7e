import type { Command } from '../framework'
import { AppFailure } from '../../../../shared/result'

/**
 * Benchmarks print figures; they are scripts, not timed tests. Bench calls them directly, not through
 * callApi: it is a script runner that measures the engines and services (and the contract itself, over
 * HTTP, in 'verdicts'), not a use case of the app. Modules load lazily: each is heavy.
 */
const BENCHES: Record<
  string,
  (log: (line: string) => void, files: string[], quick: boolean, peer: boolean) => Promise<Record<string, unknown>>
> = {
  beats: async (log, files) =>
    (await import('../../../../../bench/analysis')).benchBeats({
      log,
      realMusicDirs: files.length ? files : undefined
    }),
  analysis: async (log, files) =>
    (await import('../../../../../bench/analysis')).benchAnalysis({ log, files: files.length ? files : undefined }),
  reward: async (log, _files, quick, peer) =>
    (await import('../../../../../bench/reward')).benchReward({ log, quick, peer }),
  render: async (log, files) => {
    const speed = await (await import('../../../../../bench/render')).benchRender({ log })
    log('splice clicks on real music (equal-power crossfades vs butt splices):')
    const { benchSplicesOnRealMusic } = await import('../../../../../bench/render-real-music')
    return { speed, realMusicSplices: await benchSplicesOnRealMusic({ log, paths: files }) }
  },
  engine: async (log, _files, quick) => (await import('../../../../../bench/engine')).benchEngine({ log, quick }),
  policy: async (log, _files, quick) => (await import('../../../../../bench/policy')).benchPolicy({ log, quick }),
  loop: async (log, _files, quick) => (await import('../../../../../bench/loop')).benchLoop({ log, quick }),
  verdicts: async (log, _files, quick) => (await import('../../../../../bench/verdicts')).benchVerdicts({ log, quick }),
  listen: async (log) => (await import('../../../../../bench/listen')).benchListen({ log }),
  stall: async (log, _files, quick) =>
    (await import('../../../../../bench/backend-stall')).benchBackendStall({ log, runs: quick ? 1 : 3 })
}

export const benchCommand: Command = {
  name: 'bench',
  summary: `Run a benchmark and print figures: ${Object.keys(BENCHES).join(' | ')}`,
  usage: `bench <${Object.keys(BENCHES).join('|')}> [files or folders...] [--quick] [--no-peer] [--json]`,
  // --no-peer skips the PyTorch peer (bench reward), which takes most of a full run's wall time.
  options: { quick: { type: 'boolean', default: false }, 'no-peer': { type: 'boolean', default: false } },
  async run(args, io) {
    const [which, ...files] = args.positionals
    const bench = which ? BENCHES[which] : undefined
    if (!bench)
      throw new AppFailure('validation', `choose a benchmark: ${Object.keys(BENCHES).join(', ')}`, 'benchmark')
    const log = (line: string): void => (args.json ? io.err(line) : io.out(line))
    const report = await bench(log, files, args.values.quick === true, args.values['no-peer'] !== true)
    if (args.json) io.out(JSON.stringify(report, null, 2))
    return 0
  }
}
