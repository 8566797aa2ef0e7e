/**
 * The agent's per-beat action vocabulary. Ids are stable: they are stored in the database,
 * fed to reward models as `action_ids` and emitted by policies. Semantics: docs/actions.md.
 */
export const ACTIONS = [
  'KEEP',
  'CUT',
  'LOOP',
  'CROSSFADE',
  'REORDER',
  'LOOP_BAR',
  'FADE_IN',
  'FADE_OUT',
  'JUMP'
] as const

export type ActionName = (typeof ACTIONS)[number]
export const ACTION_COUNT = ACTIONS.length
export const ACTION_ID: Readonly<Record<ActionName, number>> = Object.fromEntries(
  ACTIONS.map((name, id) => [name, id])
) as Record<ActionName, number>

export function isActionId(x: number): boolean {
  return Number.isInteger(x) && x >= 0 && x < ACTION_COUNT
}
