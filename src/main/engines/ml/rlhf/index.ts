/** RLHF policy training on the editing environment: PPO, DPO, policy ONNX in/out (docs/policy.md). */
export { PpoTrainer, explainedVariance } from './ppo-trainer'
export type { Metrics, PpoTrainerInit } from './ppo-trainer'
export { DpoTrainer, replayEpisode } from './dpo-trainer'
export type { PreferencePair } from './dpo-trainer'
export { runEpisodes, mixWeights } from './rollout'
export type { LearnedReward, RewardMix, EpisodeResult } from './rollout'
export { packState, unpackState } from './training-state'
export type { PackedState } from './training-state'
export { PRESETS, DEFAULT_PPO_TRAIN, TINY_PPO_TRAIN, DEFAULT_DPO_TRAIN, TINY_DPO_TRAIN } from './train-config'
export type { PpoTrainConfig, DpoTrainConfig, PolicyWeights } from './train-config'
export {
  importPolicyOnnx,
  checkPolicySignature,
  extractPolicyWeights,
  policyOnnxBytes,
  PolicyRunner,
  POLICY_INPUT,
  POLICY_OUTPUT
} from './policy-onnx'
export type { ImportedPolicy } from './policy-onnx'
