-- Correlation terms: the values an operator looks an execution up by (a
-- user's login, an incident number), lowercased. The primary key serves
-- history's search (a term prefix, newest first); the second index serves
-- the cascade when an execution is deleted and the list's display.
CREATE TABLE execution_terms (
	term         TEXT NOT NULL,
	execution_id TEXT NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	PRIMARY KEY (term, execution_id)
) WITHOUT ROWID;
CREATE INDEX execution_terms_execution ON execution_terms (execution_id);
