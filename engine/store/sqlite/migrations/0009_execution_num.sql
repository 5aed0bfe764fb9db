-- Executions get a number, num, which the journal, payloads and terms refer
-- to instead of the id: an id ("ex_" + ULID) is 29 bytes of text in every
-- row and index entry that names an execution (four or so journal rows and
-- their primary key's entries, eight or so terms and a payload for an
-- event hook's execution), a number 2 to 4 bytes. It was a sixth of the
-- file. num is an INTEGER PRIMARY KEY, the rowid under its own name, so
-- that VACUUM keeps it; numbered in id order here, and in insert order
-- after (ids sort by enqueue order, but another process's enqueue may
-- commit in between, so nothing relies on both orders being one). The id
-- stays the name everyone sees, unique.
--
-- The executions are copied into a new table (a column cannot become the
-- primary key in place), then the tables that refer to them, each through
-- the execution's id. The foreign keys of journal and payloads follow the
-- renamed table, so they go before it does: dropping a table deletes its
-- rows, which would cascade.
DROP INDEX executions_dedup;
DROP INDEX executions_flow;
DROP INDEX executions_live;
DROP INDEX executions_waiting;
DROP INDEX executions_ended;
ALTER TABLE executions RENAME TO executions_0008;
CREATE TABLE executions (
	num             INTEGER PRIMARY KEY,
	id              TEXT NOT NULL UNIQUE,  -- "ex_" + ULID: sorts by enqueue order
	flow            TEXT NOT NULL,
	dedup_key       TEXT,
	type            TEXT NOT NULL DEFAULT '',
	definition_hash TEXT NOT NULL DEFAULT '',
	status          TEXT NOT NULL,
	output          BLOB,
	error           TEXT NOT NULL DEFAULT '',
	parent          TEXT NOT NULL DEFAULT '',
	claims          INTEGER NOT NULL DEFAULT 0,
	owner           TEXT NOT NULL DEFAULT '',
	lease_until     INTEGER,
	received_at     INTEGER NOT NULL,
	started_at      INTEGER,
	ended_at        INTEGER,
	wake_at         INTEGER,
	terms           TEXT NOT NULL DEFAULT ''
);
INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, output, error, parent, claims, owner,
		lease_until, received_at, started_at, ended_at, wake_at, terms)
	SELECT id, flow, dedup_key, type, definition_hash, status, output, error, parent, claims, owner,
		lease_until, received_at, started_at, ended_at, wake_at, terms
	FROM executions_0008 ORDER BY id;
CREATE UNIQUE INDEX executions_dedup ON executions (flow, dedup_key);
CREATE INDEX executions_flow ON executions (flow, id);
CREATE INDEX executions_live ON executions (status, id, lease_until) WHERE status IN ('pending', 'running');
CREATE INDEX executions_waiting ON executions (wake_at, id) WHERE status = 'waiting';
CREATE INDEX executions_ended ON executions (status, id) WHERE status NOT IN ('pending', 'running', 'waiting');

CREATE TABLE journal_0009 (
	execution_num INTEGER NOT NULL REFERENCES executions (num) ON DELETE CASCADE,
	seq           INTEGER NOT NULL,
	card          TEXT NOT NULL,
	key           TEXT NOT NULL DEFAULT '',
	attempt       INTEGER NOT NULL,
	status        TEXT NOT NULL,
	input         BLOB,
	output        BLOB,
	error         TEXT NOT NULL DEFAULT '',
	error_kind    TEXT NOT NULL DEFAULT '',
	started_at    INTEGER,
	ended_at      INTEGER,
	PRIMARY KEY (execution_num, seq)
); -- a rowid table still: see 0001_init.sql
INSERT INTO journal_0009 (execution_num, seq, card, key, attempt, status, input, output, error, error_kind, started_at, ended_at)
	SELECT e.num, j.seq, j.card, j.key, j.attempt, j.status, j.input, j.output, j.error, j.error_kind, j.started_at, j.ended_at
	FROM journal j JOIN executions e ON e.id = j.execution_id ORDER BY e.num, j.seq;
DROP TABLE journal;
ALTER TABLE journal_0009 RENAME TO journal;

-- The number is the payload's rowid: one B-tree, appended to at its end.
CREATE TABLE payloads_0009 (
	execution_num INTEGER PRIMARY KEY REFERENCES executions (num) ON DELETE CASCADE,
	payload       BLOB NOT NULL
);
INSERT INTO payloads_0009 (execution_num, payload)
	SELECT e.num, p.payload FROM payloads p JOIN executions e ON e.id = p.execution_id ORDER BY e.num;
DROP TABLE payloads;
ALTER TABLE payloads_0009 RENAME TO payloads;

CREATE TABLE execution_terms_0009 (
	term          TEXT NOT NULL,
	execution_num INTEGER NOT NULL,
	PRIMARY KEY (term, execution_num)
) WITHOUT ROWID;
INSERT INTO execution_terms_0009 (term, execution_num)
	SELECT t.term, e.num FROM execution_terms t JOIN executions e ON e.id = t.execution_id ORDER BY t.term, e.num;
DROP TABLE execution_terms;
ALTER TABLE execution_terms_0009 RENAME TO execution_terms;

CREATE TABLE terms_pending_0009 (
	execution_num INTEGER PRIMARY KEY
);
INSERT INTO terms_pending_0009 (execution_num)
	SELECT e.num FROM terms_pending p JOIN executions e ON e.id = p.execution_id ORDER BY e.num;
DROP TABLE terms_pending;
ALTER TABLE terms_pending_0009 RENAME TO terms_pending;

DROP TABLE executions_0008;
