-- Archiving: a run or dataset leaves the lists and the wizard's choices but keeps everything (metrics, events, artifacts,
-- exports, examples), so that what refers to it (a run's spec naming a dataset id, a run built on another's export) still
-- works. AlignLab deletes neither through its UI nor its API.
ALTER TABLE runs ADD COLUMN archived_at timestamptz, ADD COLUMN archived_by uuid REFERENCES users (id) ON DELETE SET NULL;
ALTER TABLE datasets ADD COLUMN archived_at timestamptz, ADD COLUMN archived_by uuid REFERENCES users (id) ON DELETE SET NULL;
