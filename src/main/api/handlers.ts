import type { AppContext } from '../app/context'
import type { Handlers } from './dispatch'
import * as songsQ from '../db/queries/songs'
import * as editsQ from '../db/queries/edits'
import * as pairsQ from '../db/queries/pairs'
import * as annotatorsQ from '../db/queries/annotators'
import * as verdictsQ from '../db/queries/verdicts'
import { readSettings, writeSettings } from '../db/queries/settings'
import { FEATURE_VERSION } from '../../shared/features'
import { importSongs, importStagedUploads } from '../services/songs/import-songs'
import type { StagedUploads } from '../services/songs/uploads'
import { getSongOrFail, loadBeatGrid, loadFeatureMatrix, loadWaveform } from '../services/songs/stored-song'
import { createEdit, createPair, generateEdit, getEditOrFail, queuePairs } from '../services/edits/edit-service'
import { nextPair, submitVerdict, undoLastVerdict, annotatorStats } from '../services/listen'
import { computeBackendInfo } from '../engines/ml/backend'
import * as rewardModels from '../services/reward-models'
import { runExport } from '../services/exports'
import * as policies from '../services/policies'
import * as iterations from '../services/iterations'

export interface HandlerOptions {
  transport: 'electron' | 'http' | 'cli'
  /** Serve mode: clients may import only the files they uploaded to this server, nothing else on its disk. */
  stagedUploads?: StagedUploads
}

export function createHandlers(ctx: AppContext, opts: HandlerOptions): Handlers {
  const db = ctx.db
  const announcePairs = (): void => ctx.events.emit('pairs.changed', { queued: pairsQ.countQueuedPairs(db) })

  return {
    'app.info': () => ({
      appVersion: ctx.appVersion,
      dataDir: ctx.dataDir,
      schemaVersion: ctx.schemaVersion(),
      transport: opts.transport,
      backend: computeBackendInfo(),
      featureVersion: FEATURE_VERSION
    }),
    'settings.get': () => readSettings(db),
    'settings.update': (patch) => writeSettings(db, patch),

    'songs.list': () => songsQ.listSongs(db),
    'songs.get': ({ songId }) => getSongOrFail(db, songId),
    'songs.import': ({ paths }) =>
      opts.stagedUploads ? importStagedUploads(ctx, opts.stagedUploads, paths) : importSongs(ctx, paths),
    'songs.beats': ({ songId }) => loadBeatGrid(db, songId),
    'songs.waveform': ({ songId, buckets }) => loadWaveform(db, songId, buckets),
    'songs.features': ({ songId }) => loadFeatureMatrix(db, songId),

    'edits.list': ({ songId }) => editsQ.listEdits(db, songId),
    'edits.get': ({ editId }) => getEditOrFail(db, editId),
    'edits.generate': ({ songId, generator, targetDurationS, seed, greedy }) => {
      const edit = generateEdit(db, songId, generator, { targetDurationS, seed, greedy })
      ctx.events.emit('edits.changed', { songId })
      return edit
    },
    'edits.create': ({ songId, actions, generator }) => {
      const edit = createEdit(db, songId, actions, { generator })
      ctx.events.emit('edits.changed', { songId })
      return edit
    },
    'edits.render': ({ editId }) => ctx.renders.render(editId),

    'pairs.list': ({ status }) => pairsQ.listPairs(db, status),
    'pairs.queue': ({ songId, count }) => {
      const pairs = queuePairs(db, songId, count)
      announcePairs()
      return pairs
    },
    'pairs.create': ({ editAId, editBId, priority }) => {
      const pair = createPair(db, editAId, editBId, priority ?? 0)
      announcePairs()
      return pair
    },
    'pairs.next': ({ annotatorId, exclude }) => nextPair(db, annotatorId, readSettings(db), undefined, { exclude }),

    'verdicts.submit': (input) => {
      const verdict = submitVerdict(db, input, readSettings(db), ctx.appVersion)
      announcePairs()
      return verdict
    },
    'verdicts.undo': ({ annotatorId }) => {
      const undone = undoLastVerdict(db, annotatorId, readSettings(db))
      announcePairs()
      return undone
    },
    'verdicts.list': ({ annotatorId }) => verdictsQ.listVerdicts(db, { annotatorId }),

    'annotators.list': () => annotatorsQ.listAnnotators(db),
    'annotators.create': ({ name }) =>
      annotatorsQ.findAnnotatorByName(db, name) ?? annotatorsQ.insertAnnotator(db, name),
    'annotators.stats': ({ annotatorId }) => annotatorStats(db, annotatorId),

    'exports.write': (input) => runExport(ctx, input, { confineToDataDir: opts.transport === 'http' }),

    'rewardModels.list': () => rewardModels.listRewardModelVersions(db),
    'rewardModels.import': ({ path, name }) =>
      rewardModels.importRewardModelRequest(db, ctx.dataDir, path, name, opts.stagedUploads),
    'rewardModels.activate': ({ name }) => rewardModels.activateRewardModel(db, name),
    'rewardModels.compare': ({ a, b }) => rewardModels.compareRewardModels(db, a, b),
    'rewardModels.score': ({ model, editId }) => rewardModels.scoreEdit(db, model, editId),
    'rewardModels.train': (input) => rewardModels.startRewardTraining(ctx.jobs, input),
    'rewardModels.resume': ({ jobId }) => rewardModels.resumeRewardTraining(ctx.jobs, jobId),
    'rewardModels.trainResult': ({ jobId }) => rewardModels.rewardTrainingResult(db, jobId),
    'judge.simulate': (input) => {
      const report = rewardModels.judgeSimulated(db, input, ctx.appVersion)
      announcePairs()
      return report
    },

    'jobs.list': () => ctx.jobs.list(),
    'jobs.cancel': ({ jobId }) => ctx.jobs.cancel(jobId),
    'jobs.resume': ({ jobId }) => ctx.jobs.resume(jobId),
    'jobs.start': ({ kind, config }) => ctx.jobs.startRequested(kind, config),

    'policies.list': () => policies.listPolicies(db),
    'policies.import': ({ path, name }) =>
      policies.importPolicyRequest(db, ctx.dataDir, path, name, opts.stagedUploads),
    'policies.queuePairs': (input) => {
      const pairs = policies.queuePolicyPairs(db, input.policyId, input)
      announcePairs()
      return pairs
    },
    'training.start': (input) => policies.startPolicyTraining(db, ctx.jobs, input),
    'training.resume': ({ runId }) => policies.resumePolicyTraining(db, ctx.jobs, runId),
    'training.runs': () => policies.listRuns(db),
    'training.get': ({ runId }) => policies.runOrFail(db, runId),
    'training.metrics': ({ runId, since }) => policies.readRunMetrics(db, ctx.dataDir, runId, since),

    'iterations.list': () => iterations.listIterationSummaries(db),
    'iterations.get': ({ iterationId }) => iterations.iterationDetail(db, iterationId),
    'iterations.plan': (input) => iterations.planIteration(db, input),
    'iterations.start': (input) => iterations.startIteration(db, ctx.jobs, input),
    'iterations.pairLineage': ({ pairId }) => iterations.pairLineage(db, pairId),
    'iterations.verdictLineage': ({ verdictId }) => iterations.verdictLineage(db, verdictId)
  }
}
