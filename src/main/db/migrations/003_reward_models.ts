import type { Migration } from './types'

/** Reserved: filled in by the change that needs it. */
export const migration003: Migration = {
  version: 3,
  name: 'reward_models',
  up() {}
}
