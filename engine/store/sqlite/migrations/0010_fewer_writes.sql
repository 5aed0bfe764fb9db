-- The partial indexes of live and ended executions say which statuses they
-- hold without an IN list: SQLite evaluates an index's condition on every
-- INSERT and UPDATE of an execution (for the old row and the new), and it
-- evaluated status IN (…) by building a temporary b-tree of the list each
-- time, a tenth of the cost of enqueueing or finishing an execution. An OR
-- of equalities is a few comparisons, and a query for one status still
-- finds the live index by its condition (status = 'pending' implies it).
-- The ended index's condition is an AND of inequalities: queries repeat it
-- word for word (see ended in queries.go), as they did the NOT IN.
DROP INDEX executions_live;
CREATE INDEX executions_live ON executions (status, id, lease_until) WHERE status = 'pending' OR status = 'running';
DROP INDEX executions_ended;
CREATE INDEX executions_ended ON executions (status, id)
	WHERE status <> 'pending' AND status <> 'running' AND status <> 'waiting';

-- The term indexer's queue becomes a cursor: the executions whose terms it
-- has not indexed yet are those numbered after terms_cursor.num (numbers
-- grow with every insert, see migration 0009). An enqueue no longer
-- inserts a queue row, nor the indexer deletes it. Prune lowers the cursor
-- when it deletes the highest numbers, which SQLite would give again
-- (see Store.Prune). The one row's key is always 1.
CREATE TABLE terms_cursor (
	one INTEGER PRIMARY KEY CHECK (one = 1),
	num INTEGER NOT NULL
);
-- Executions before the oldest queued one were indexed; with nothing
-- queued, all were. An execution after it that was indexed already is
-- indexed again, which changes nothing (INSERT OR IGNORE).
INSERT INTO terms_cursor (one, num) VALUES (1, COALESCE(
	(SELECT MIN(execution_num) - 1 FROM terms_pending),
	(SELECT MAX(num) FROM executions),
	0));
DROP TABLE terms_pending;
