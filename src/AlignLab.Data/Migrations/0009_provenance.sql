-- Who did what to a run: the account that launched it (created_by, 0006) and the one that cancelled it; a retry
-- names the run it retried (its launcher is the retrier). Every status history row names the account that caused it,
-- when a person did (the job's own transitions have none).
ALTER TABLE runs ADD COLUMN cancelled_by uuid REFERENCES users (id) ON DELETE SET NULL,
                 ADD COLUMN retry_of uuid REFERENCES runs (id) ON DELETE SET NULL;
ALTER TABLE run_events ADD COLUMN actor uuid REFERENCES users (id) ON DELETE SET NULL;
