-- An execution's correlation terms, as history shows them, move into its
-- row, one a line in term order; execution_terms keeps only what finds
-- executions by a term. Its second index, by execution, served only that
-- display and the cascade when an execution is deleted, and cost every
-- enqueue a second B-tree insert per term (a tenth of an enqueue's CPU with
-- an Okta event's eight terms) and the file half the terms' bytes. Prune
-- deletes an execution's terms itself (the foreign key's cascade would walk
-- the whole table for each execution without that index).
ALTER TABLE executions ADD COLUMN terms TEXT NOT NULL DEFAULT '';
UPDATE executions SET terms = (SELECT group_concat(term, char(10)) FROM
		(SELECT term FROM execution_terms WHERE execution_id = executions.id ORDER BY term))
	WHERE id IN (SELECT execution_id FROM execution_terms);
CREATE TABLE execution_terms_0007 (
	term         TEXT NOT NULL,
	execution_id TEXT NOT NULL,
	PRIMARY KEY (term, execution_id)
) WITHOUT ROWID;
INSERT INTO execution_terms_0007 (term, execution_id)
	SELECT term, execution_id FROM execution_terms ORDER BY term, execution_id;
DROP TABLE execution_terms;
ALTER TABLE execution_terms_0007 RENAME TO execution_terms;
-- Payloads in a WITHOUT ROWID table keyed by execution: one B-tree instead
-- of a table and its primary key's index, and execution ids, which grow
-- with time, keep new payloads at its end, as the rowid did.
CREATE TABLE payloads_0007 (
	execution_id TEXT PRIMARY KEY REFERENCES executions (id) ON DELETE CASCADE,
	payload      BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO payloads_0007 (execution_id, payload) SELECT execution_id, payload FROM payloads ORDER BY execution_id;
DROP TABLE payloads;
ALTER TABLE payloads_0007 RENAME TO payloads;
