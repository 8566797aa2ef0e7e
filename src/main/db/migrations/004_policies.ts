import type { Migration } from './types'

/**
 * The policy registry and policy-training runs. A policy is an ONNX file (imported or written by a
 * run) with its lineage: parent policy, the reward-model version and run that made it. A run keeps
 * its config, lineage, job, metrics JSONL file, latest and best checkpoints, and the policy it
 * registered. Paths are relative to the data directory.
 */
export const migration004: Migration = {
  version: 4,
  name: 'policies',
  up(db) {
    db.exec(`
      CREATE TABLE training_runs (
        id INTEGER PRIMARY KEY,
        algorithm TEXT NOT NULL CHECK (algorithm IN ('ppo','dpo')),
        config TEXT NOT NULL DEFAULT '{}',       -- JSON: the full trainer config, steps, songs, pairs
        parent_policy_id INTEGER REFERENCES policies(id),
        reward_model_id INTEGER REFERENCES reward_models(id),
        reward_weight REAL,
        job_id INTEGER REFERENCES jobs(id),
        metrics_path TEXT NOT NULL,              -- JSONL, one line per logged update
        checkpoint_path TEXT,                    -- latest full training state
        best_checkpoint_path TEXT,               -- best policy (held-out mean total reward)
        best_score REAL,
        best_update INTEGER,
        policy_id INTEGER REFERENCES policies(id), -- registered when the run finishes
        last_metrics TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
        finished_at TEXT
      );
      CREATE TABLE policies (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        source TEXT NOT NULL CHECK (source IN ('imported','trained')),
        parent_id INTEGER REFERENCES policies(id),
        reward_model_id INTEGER REFERENCES reward_models(id),
        run_id INTEGER REFERENCES training_runs(id),
        onnx_path TEXT NOT NULL,
        sizes TEXT,                              -- JSON number[] when the weights follow the app's MLP
        warm_start_note TEXT,                    -- why an imported file cannot initialise training
        config TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now'))
      );
      CREATE INDEX training_runs_job ON training_runs(job_id);
    `)
  }
}
