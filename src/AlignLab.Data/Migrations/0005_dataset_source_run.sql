-- Datasets a run wrote (query-type classification): at most one per run, so a retried job finds the one it made.
ALTER TABLE datasets ADD COLUMN source_run_id uuid UNIQUE REFERENCES runs (id) ON DELETE SET NULL;
