/** Policies: registry and import, training runs ('policy.train' jobs), generation, exports (docs/policy.md). */
export {
  listPolicies,
  importPolicy,
  policyOrFail,
  policyByNameOrFail,
  loadPolicyWeights,
  POLICIES_DIR
} from './registry'
export { startPolicyTraining, resumePolicyTraining, listRuns, runOrFail, readRunMetrics, splitSongs } from './training'
export { policyActions, previousPolicy } from './generate'
export { queuePolicyPairs } from './compare'
export { importPolicyRequest } from './import-request'
