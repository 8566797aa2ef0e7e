/** Iterations of the feedback loop: plan, start (one 'iteration.run' job), read back, lineage both ways. */
export { planIteration, startIteration, pairsByRole, currentPolicy } from './plan'
export { iterationSummary, iterationDetail, listIterationSummaries, pairLineage, verdictLineage } from './read'
