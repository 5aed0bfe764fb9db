-- Executions: the inbox (status 'pending') and history in one table.
-- Times are Unix nanoseconds, NULL when unset.
CREATE TABLE executions (
	id              TEXT PRIMARY KEY,  -- "ex_" + ULID: sorts by enqueue order
	flow            TEXT NOT NULL,
	dedup_key       TEXT,              -- NULL: the event asked for no dedup
	type            TEXT NOT NULL DEFAULT '',
	definition_hash TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	payload         BLOB,
	output          BLOB,
	error           TEXT NOT NULL DEFAULT '',
	parent          TEXT NOT NULL DEFAULT '',
	claims          INTEGER NOT NULL DEFAULT 0,
	owner           TEXT NOT NULL DEFAULT '',
	lease_until     INTEGER,
	received_at     INTEGER NOT NULL,
	started_at      INTEGER,
	ended_at        INTEGER
);
CREATE UNIQUE INDEX executions_dedup ON executions (flow, dedup_key);
-- Claims walk pending ids in order; Depth and history filter by status.
CREATE INDEX executions_status ON executions (status, id);
CREATE INDEX executions_flow ON executions (flow, id);
-- Claims look for running executions whose lease ended.
CREATE INDEX executions_lease ON executions (lease_until, id) WHERE status = 'running';

CREATE TABLE journal (
	execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	seq          INTEGER NOT NULL,
	card         TEXT NOT NULL,
	key          TEXT NOT NULL DEFAULT '',
	attempt      INTEGER NOT NULL,
	status       TEXT NOT NULL,
	input        BLOB,
	output       BLOB,
	error        TEXT NOT NULL DEFAULT '',
	error_kind   TEXT NOT NULL DEFAULT '',
	started_at   INTEGER,
	ended_at     INTEGER,
	PRIMARY KEY (execution_id, seq)
); -- a rowid table: appends of every execution go to its last page, and the
   -- small primary-key index orders them for Journal

CREATE TABLE definitions (
	hash       TEXT PRIMARY KEY,
	source     BLOB NOT NULL,
	created_at INTEGER NOT NULL
);

CREATE TABLE cursors (
	key    TEXT PRIMARY KEY,
	cursor BLOB
) WITHOUT ROWID;

CREATE TABLE table_rows (
	tbl TEXT NOT NULL,
	key TEXT NOT NULL,
	row BLOB,
	PRIMARY KEY (tbl, key)
);

CREATE TABLE leases (
	name  TEXT PRIMARY KEY,
	owner TEXT NOT NULL,
	until INTEGER NOT NULL
) WITHOUT ROWID;
