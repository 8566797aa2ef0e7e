import type { Migration } from './types'

/**
 * Iterations of the feedback loop. An iteration keeps every setting it ran with, the stage it is in
 * (so a resumed job continues there) and what each stage produced: the exact verdicts it trained on
 * (iteration_verdicts, for lineage both ways), the reward-model version, the training run and its
 * policy, the edits it generated next to the previous policy's, and the pairs it queued with their role.
 */
export const migration006: Migration = {
  version: 6,
  name: 'iterations',
  up(db) {
    db.exec(`
      CREATE TABLE iterations (
        id INTEGER PRIMARY KEY,
        number INTEGER NOT NULL UNIQUE,
        job_id INTEGER REFERENCES jobs(id),
        settings TEXT NOT NULL,                 -- JSON IterationSettings, as shown before the start
        stage TEXT NOT NULL DEFAULT 'reward'
          CHECK (stage IN ('reward','policy','evaluate','generate','pairs','done')),
        verdicts_hash TEXT NOT NULL,
        annotators TEXT NOT NULL DEFAULT '[]',  -- JSON: verdicts per annotator in the snapshot
        parent_reward_model_id INTEGER REFERENCES reward_models(id),
        reward_model_id INTEGER REFERENCES reward_models(id),
        reward_activated INTEGER,
        reward_activation_note TEXT,
        parent_policy_id INTEGER REFERENCES policies(id),
        run_id INTEGER REFERENCES training_runs(id),
        policy_id INTEGER REFERENCES policies(id),
        evaluation TEXT,                        -- JSON IterationEvaluation
        stage_seconds TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        finished_at TEXT
      );
      CREATE TABLE iteration_verdicts (
        iteration_id INTEGER NOT NULL REFERENCES iterations(id),
        verdict_id INTEGER NOT NULL REFERENCES verdicts(id),
        PRIMARY KEY (iteration_id, verdict_id)
      ) WITHOUT ROWID;
      CREATE INDEX iteration_verdicts_verdict ON iteration_verdicts(verdict_id);
      CREATE TABLE iteration_edits (
        iteration_id INTEGER NOT NULL REFERENCES iterations(id),
        song_id INTEGER NOT NULL REFERENCES songs(id),
        edit_id INTEGER NOT NULL REFERENCES edits(id),
        previous_edit_id INTEGER NOT NULL REFERENCES edits(id),
        previous_label TEXT NOT NULL,
        PRIMARY KEY (iteration_id, song_id)
      );
      CREATE TABLE iteration_pairs (
        pair_id INTEGER PRIMARY KEY REFERENCES pairs(id),
        iteration_id INTEGER NOT NULL REFERENCES iterations(id),
        role TEXT NOT NULL CHECK (role IN ('versus','disagreement','sentinel')),
        expected_edit_id INTEGER REFERENCES edits(id),
        disagreement REAL
      );
      CREATE INDEX iteration_pairs_iteration ON iteration_pairs(iteration_id);
    `)
  }
}
