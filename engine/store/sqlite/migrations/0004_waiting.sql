-- Parked executions: status 'waiting' until wake_at (a flow.wait card, a
-- retry's long backoff), when a claim takes them again. Their own small
-- index, in wake order, is what claims look at when one may be due; the
-- live index stays the pending and running ones, and the index of ended
-- executions no longer holds the waiting ones.
ALTER TABLE executions ADD COLUMN wake_at INTEGER;
CREATE INDEX executions_waiting ON executions (wake_at, id) WHERE status = 'waiting';
DROP INDEX executions_ended;
CREATE INDEX executions_ended ON executions (status, id) WHERE status NOT IN ('pending', 'running', 'waiting');
