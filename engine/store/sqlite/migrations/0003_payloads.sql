-- Trigger payloads move to a table of their own, written once at enqueue:
-- every claim, renewal and finish rewrites its executions row, and a real
-- event's payload (an Okta event is 1.5-2 KB) made that row most of a page,
-- so that each of those writes dirtied a page per execution. Small rows
-- share pages, and the executions of one group commit share them too.
-- An execution without a payload has no row here.
CREATE TABLE payloads (
	execution_id TEXT PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
	payload      BLOB NOT NULL
);
INSERT INTO payloads (execution_id, payload)
	SELECT id, payload FROM executions WHERE payload IS NOT NULL AND length(payload) > 0 ORDER BY id;
ALTER TABLE executions DROP COLUMN payload;
