-- Evaluation sets: prompts to answer (generation) and multiple-choice items (prompt, choices, answer, group).
ALTER TABLE datasets DROP CONSTRAINT datasets_kind_check;
ALTER TABLE datasets ADD CONSTRAINT datasets_kind_check CHECK (kind IN ('spa', 'pool', 'edits', 'preference', 'generation', 'multiple-choice'));
