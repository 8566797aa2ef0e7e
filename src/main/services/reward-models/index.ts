/** Reward models: registry, import, scoring, training jobs, comparison, the simulated annotator. */
export * from './registry'
export { importRewardModel, importRewardModelRequest } from './import'
export { scoreEdit, compareRewardModels, activateRewardModel } from './versions'
export { startRewardTraining, resumeRewardTraining, rewardTrainingResult } from './jobs'
export { judgeSimulated } from './simulate'
export { rewardModelAgreement } from './agreement'
