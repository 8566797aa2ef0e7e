/** Reward models: registry, import, scoring, training jobs, comparison, the simulated annotator. */
export * from './registry'
