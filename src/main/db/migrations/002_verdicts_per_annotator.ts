import type { Migration } from './types'

/**
 * Several annotators at once: verdicts are kept per (pair, annotator) (at most one active verdict each),
 * a pair needs `required_verdicts` of them before it leaves the queue (1, or N for an overlap pair), and
 * a pair handed to an annotator is leased to them until the lease expires; a self-consistency repeat
 * records the annotator it is for. Jobs gain the error kind of
 * their failure. Existing verdicts and pairs keep their meaning: every existing pair needed one verdict.
 */
export const migration002: Migration = {
  version: 2,
  name: 'verdicts_per_annotator',
  up(db) {
    db.exec(`
      ALTER TABLE pairs ADD COLUMN required_verdicts INTEGER NOT NULL DEFAULT 1 CHECK (required_verdicts >= 1);
      -- A self-consistency repeat belongs to one annotator; before, that was whoever judged the original.
      ALTER TABLE pairs ADD COLUMN repeat_annotator_id INTEGER REFERENCES annotators(id);
      UPDATE pairs SET repeat_annotator_id = COALESCE(
        (SELECT v.annotator_id FROM verdicts v WHERE v.pair_id = pairs.id ORDER BY v.id DESC LIMIT 1),
        (SELECT v.annotator_id FROM verdicts v WHERE v.pair_id = pairs.repeat_of_pair_id
           ORDER BY v.superseded_at IS NOT NULL, v.id DESC LIMIT 1))
      WHERE repeat_of_pair_id IS NOT NULL;

      CREATE TABLE pair_leases (
        pair_id INTEGER NOT NULL REFERENCES pairs(id) ON DELETE CASCADE,
        annotator_id INTEGER NOT NULL REFERENCES annotators(id) ON DELETE CASCADE,
        leased_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        PRIMARY KEY (pair_id, annotator_id)
      );
      CREATE INDEX pair_leases_annotator ON pair_leases(annotator_id, expires_at);

      -- The old schema could not stop a second active verdict by the same annotator under a race: keep the
      -- latest one active (the earlier ones stay, superseded) so the uniqueness below holds.
      UPDATE verdicts SET superseded_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
      WHERE superseded_at IS NULL AND id NOT IN (
        SELECT MAX(id) FROM verdicts WHERE superseded_at IS NULL GROUP BY pair_id, annotator_id
      );
      CREATE UNIQUE INDEX verdicts_active_per_annotator ON verdicts(pair_id, annotator_id)
        WHERE superseded_at IS NULL;

      ALTER TABLE jobs ADD COLUMN error_kind TEXT;
      UPDATE jobs SET error_kind = 'internal' WHERE state = 'failed';
    `)
  }
}
