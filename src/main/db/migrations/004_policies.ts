import type { Migration } from './types'

/** Reserved: filled in by the change that needs it. */
export const migration004: Migration = {
  version: 4,
  name: 'policies',
  up() {}
}
