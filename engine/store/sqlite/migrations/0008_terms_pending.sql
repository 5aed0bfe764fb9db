-- New executions' correlation terms wait here, by execution, until the term
-- indexer moves them into execution_terms in batches sorted by term (see
-- termindex.go). Each enqueue then appends one row at this table's end
-- instead of inserting some eight terms at random places of execution_terms,
-- which dirtied a page each in every commit: a fifth of the throughput of
-- an Okta event hook flow. History finds a pending execution by its terms
-- column meanwhile.
CREATE TABLE terms_pending (
	execution_id TEXT PRIMARY KEY
) WITHOUT ROWID;
