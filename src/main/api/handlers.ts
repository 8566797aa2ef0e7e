import path from 'node:path'
import type { AppContext } from '../app/context'
import { DATABASE_FILE, explainDatabaseError } from '../db/connection'
import type { Handlers } from './dispatch'
import * as songsQ from '../db/queries/songs'
import * as editsQ from '../db/queries/edits'
import * as pairsQ from '../db/queries/pairs'
import * as annotatorsQ from '../db/queries/annotators'
import * as verdictsQ from '../db/queries/verdicts'
import { readSettings, writeSettings } from '../db/queries/settings'
import { FEATURE_VERSION } from '../../shared/features'
import { LATEST_SCHEMA_VERSION } from '../db/migrate'
import { CLI_ONLY_REQUESTS } from '../../shared/api'
import { AppFailure } from '../../shared/result'
import { importSongs, importStagedUploads } from '../services/songs/import-songs'
import type { StagedUploads } from '../services/songs/uploads'
import { getSongOrFail, loadBeatGrid, loadFeatureMatrix, loadWaveform } from '../services/songs/stored-song'
import { getEditOrFail } from '../services/edits/edit-service'
import * as editRequests from '../services/edits/edit-requests'
import { nextPair, annotatorStats } from '../services/listen'
import * as verdictRequests from '../services/listen/verdict-requests'
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

  const handlers: Handlers = {
    'app.info': () => ({
      appVersion: ctx.appVersion,
      dataDir: ctx.dataDir,
      schemaVersion: ctx.schemaVersion(),
      latestSchemaVersion: LATEST_SCHEMA_VERSION,
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
    'edits.generate': (input) => editRequests.generateEditRequest(ctx, input),
    'edits.create': (input) => editRequests.createEditRequest(ctx, input),
    'edits.render': ({ editId }) => ctx.renders.render(editId),

    'pairs.list': ({ status }) => pairsQ.listPairs(db, status),
    'pairs.queue': (input) => editRequests.queuePairsRequest(ctx, input),
    'pairs.create': (input) => editRequests.createPairRequest(ctx, input),
    'pairs.next': ({ annotatorId, exclude }) => nextPair(db, annotatorId, readSettings(db), undefined, { exclude }),

    'verdicts.submit': (input) => verdictRequests.submitVerdictRequest(ctx, input),
    'verdicts.record': (input) => verdictRequests.recordScriptedVerdict(ctx, input),
    'verdicts.undo': (input) => verdictRequests.undoVerdictRequest(ctx, input),
    'verdicts.list': ({ annotatorId }) => verdictsQ.listVerdicts(db, { annotatorId }),

    'annotators.list': () => annotatorsQ.listAnnotators(db),
    'annotators.create': ({ name }) => verdictRequests.annotatorNamed(db, name),
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
    'judge.simulate': (input) => verdictRequests.judgeSimulatedRequest(ctx, input),

    'jobs.list': () => ctx.jobs.list(),
    'jobs.cancel': ({ jobId }) => ctx.jobs.cancel(jobId),
    'jobs.resume': ({ jobId }) => ctx.jobs.resume(jobId),
    'jobs.start': ({ kind, config }) => ctx.jobs.startRequested(kind, config),

    'policies.list': () => policies.listPolicies(db),
    'policies.import': ({ path, name }) =>
      policies.importPolicyRequest(db, ctx.dataDir, path, name, opts.stagedUploads),
    'policies.queuePairs': (input) => editRequests.queuePolicyPairsRequest(ctx, input),
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
  // Scripted requests skip what a person at a screen must do (listen before judging): HTTP and IPC refuse them.
  if (opts.transport !== 'cli')
    for (const name of CLI_ONLY_REQUESTS)
      handlers[name] = () => {
        throw new AppFailure('forbidden', `${name} is served to the command line only`, 'name')
      }
  return withDatabaseErrorsExplained(handlers, path.join(ctx.dataDir, DATABASE_FILE))
}

/**
 * Damage found after the database opened (a corrupt page a request reaches, a disk that filled up) surfaces in
 * whichever request hits it: name the file and the way out there too, not SQLite's bare message.
 */
function withDatabaseErrorsExplained(handlers: Handlers, file: string): Handlers {
  const wrapped: Record<string, (input: never) => unknown> = {}
  for (const [name, handler] of Object.entries(handlers) as [string, (input: never) => unknown][])
    wrapped[name] = (input) => {
      try {
        const out = handler(input)
        if (!(out instanceof Promise)) return out
        return out.catch((e: unknown) => {
          throw explainDatabaseError(e, file)
        })
      } catch (e) {
        throw explainDatabaseError(e, file)
      }
    }
  return wrapped as unknown as Handlers
}
