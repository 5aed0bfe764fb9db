-- One small index of the live executions (pending and running) replaces
-- executions_status and executions_lease: a claim moves an execution within
-- it instead of across two indexes and into a third, and a finish takes it
-- out, so that each write transaction dirties fewer pages. Claims walk the
-- pending ones in id order and check the leases of the running ones (no
-- more than the workers), which the index holds.
DROP INDEX executions_status;
DROP INDEX executions_lease;
CREATE INDEX executions_live ON executions (status, id, lease_until) WHERE status IN ('pending', 'running');
-- History by status, of ended executions.
CREATE INDEX executions_ended ON executions (status, id) WHERE status NOT IN ('pending', 'running');
