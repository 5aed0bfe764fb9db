-- Executions: the inbox (status 'pending') and history in one table. Ids
-- and keys compare byte by byte (COLLATE "C") whatever the database's
-- locale, so that ids sort in enqueue order and table scans in key order.
CREATE TABLE executions (
	id              text COLLATE "C" PRIMARY KEY, -- "ex_" + ULID
	flow            text NOT NULL,
	dedup_key       text,                         -- NULL: the event asked for no dedup
	type            text NOT NULL DEFAULT '',
	definition_hash text NOT NULL DEFAULT '',
	status          text NOT NULL,
	payload         bytea,
	output          bytea,
	error           text NOT NULL DEFAULT '',
	parent          text NOT NULL DEFAULT '',
	claims          integer NOT NULL DEFAULT 0,
	owner           text NOT NULL DEFAULT '',
	lease_until     timestamptz,
	received_at     timestamptz NOT NULL,
	started_at      timestamptz,
	ended_at        timestamptz
);
CREATE UNIQUE INDEX executions_dedup ON executions (flow, dedup_key);
-- Claims walk pending ids in order; Depth counts them. Small, because
-- finished executions leave it.
CREATE INDEX executions_pending ON executions (id) WHERE status = 'pending';
-- Claims look for running executions whose lease ended.
CREATE INDEX executions_lease ON executions (lease_until) WHERE status = 'running';
-- History filters.
CREATE INDEX executions_status ON executions (status, id);
CREATE INDEX executions_flow ON executions (flow, id);
-- The inbox is rewritten on every claim and finish: leave room on each page
-- for HOT updates.
ALTER TABLE executions SET (fillfactor = 80);

CREATE TABLE journal (
	execution_id text COLLATE "C" NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	seq          integer NOT NULL,
	card         text NOT NULL,
	key          text NOT NULL DEFAULT '',
	attempt      integer NOT NULL,
	status       text NOT NULL,
	input        bytea,
	output       bytea,
	error        text NOT NULL DEFAULT '',
	error_kind   text NOT NULL DEFAULT '',
	started_at   timestamptz,
	ended_at     timestamptz,
	PRIMARY KEY (execution_id, seq)
);

CREATE TABLE definitions (
	hash       text PRIMARY KEY,
	source     bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cursors (
	key    text PRIMARY KEY,
	cursor bytea
);

CREATE TABLE table_rows (
	tbl text COLLATE "C" NOT NULL,
	key text COLLATE "C" NOT NULL,
	row bytea,
	PRIMARY KEY (tbl, key)
);

-- Leases name one holder until a time: pollers and schedules run on the
-- holder. A row, not an advisory lock, so that it works through PgBouncer
-- and outlives no crashed holder beyond its TTL.
CREATE TABLE leases (
	name  text PRIMARY KEY,
	owner text NOT NULL,
	until timestamptz NOT NULL
);
