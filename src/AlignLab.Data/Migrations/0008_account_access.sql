-- A signed-in session carries its account's session stamp; signing out (or anything that must end every session of the
-- account) draws a new stamp, and a cookie with the old one is refused on its next request.
ALTER TABLE users ADD COLUMN session_stamp uuid NOT NULL DEFAULT gen_random_uuid();

-- Taking access away: a disabled account cannot sign in, its sessions and keys stop working; a deleted one also loses its
-- password and keys for good, but keeps its row (and name) so that its runs and annotations stay attributed.
ALTER TABLE users ADD COLUMN disabled_at timestamptz, ADD COLUMN deleted_at timestamptz;
