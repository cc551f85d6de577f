-- Minimal-edit pairs (prompt, original, edited) and preference pairs (prompt, chosen, rejected) for reward models.
ALTER TABLE datasets DROP CONSTRAINT datasets_kind_check;
ALTER TABLE datasets ADD CONSTRAINT datasets_kind_check CHECK (kind IN ('spa', 'pool', 'edits', 'preference'));
