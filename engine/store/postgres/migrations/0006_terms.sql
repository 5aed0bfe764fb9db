-- Correlation terms: the values an operator looks an execution up by (a
-- user's login, an incident number), lowercased. The primary key serves
-- history's search (a term prefix, newest first); the second index serves
-- the cascade when an execution is deleted and the list's display.
CREATE TABLE execution_terms (
	term         text COLLATE "C" NOT NULL,
	execution_id text COLLATE "C" NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	PRIMARY KEY (term, execution_id)
);
CREATE INDEX execution_terms_execution ON execution_terms (execution_id);
