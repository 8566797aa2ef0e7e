/** The editing environment for policies: observations, action masks, the dense reward (docs/policy.md). */
export {
  OBSERVATION_DIM,
  OBS_BEATS,
  OBS_CONTEXT,
  OBS_WINDOW,
  CONTEXT,
  checkObservationSizes,
  writeObservation
} from './observation'
export type { ObservationContext } from './observation'
export {
  denseEpisodeReward,
  scoreSplice,
  tempoConsistency,
  energyFlow,
  phraseCompleteness,
  transitionQuality,
  SPLICE_NEUTRAL,
  ABRUPT_BOUNDARY_COST,
  REL_RMS_INDEX
} from './dense-reward'
export type { DenseEpisode, DenseComponents, SpliceScore } from './dense-reward'
export { EditingEnv } from './editing-env'
export type { EpisodeSong } from './editing-env'
