package sqlite

import (
	"strings"

	"github.com/cardflow/cardflow/engine/store"
)

// writeStmt names a statement prepared once on the write connection.
type writeStmt int

const (
	wBegin writeStmt = iota
	wCommit
	wRollback
	wInsertExecution
	wInsertClaimed
	wInsertPayload
	wInsertTerm
	wInsertTerms
	wTermsPending
	wTermsIndexed
	wTermsCursorDown
	wDedupLookup
	wClaimable
	wClaimExpired
	wNextLeaseEnd
	wClaimDue
	wNextWake
	wClaim
	wRenew
	wRelease
	wPark
	wPin
	wAppend
	wAppendSeq
	wFinish
	wFinishNum
	wReopen
	wCancel
	wWake
	wStatus
	wPutDefinition
	wSetCursor
	wTablePut
	wTableDelete
	wAcquireLease
	wReleaseLease
	wPrune
	wPruneFailed
	wDeleteTerm
	wDeleteExecution
	numWriteStmts
)

// executionColumns are the columns scanExecution reads, in its order, from
// executionsWithPayload.
const executionColumns = `id, flow, COALESCE(dedup_key, ''), type, definition_hash, status, payload, output,
	error, parent, claims, owner, lease_until, received_at, started_at, ended_at, wake_at`

// executionsWithPayload is the executions with their payloads, which are
// kept apart (see migration 0003), by the executions' numbers (see
// migration 0009).
const executionsWithPayload = `executions LEFT JOIN payloads ON payloads.execution_num = executions.num`

// termsColumn is an execution's correlation terms, one a line in term
// order (see migration 0007 and joinTerms).
const termsColumn = `executions.terms`

// live and ended are the conditions of the partial indexes executions_live
// and executions_ended (the waiting executions are in neither: see
// executions_waiting), as migration 0010 wrote them. SQLite uses a partial
// index only for a query whose WHERE implies its condition: status =
// 'pending' implies one side of live's OR, but ended's inequalities must
// each be a term of the query, word for word. Queries name live too, so
// that both read alike.
const (
	live  = `(status = 'pending' OR status = 'running')`
	ended = `status <> 'pending' AND status <> 'running' AND status <> 'waiting'`
)

var writeSQL = [numWriteStmts]string{
	// IMMEDIATE takes the write lock up front, so that a transaction never
	// fails half-way for want of it.
	wBegin:    `BEGIN IMMEDIATE`,
	wCommit:   `COMMIT`,
	wRollback: `ROLLBACK`,

	// ON CONFLICT DO NOTHING on (flow, dedup_key): zero rows changed means a
	// duplicate, and wDedupLookup finds the execution it duplicates.
	// Strings that are mostly empty are bound as NULL (see textArg).
	// The payload goes in with wInsertPayload, unless it is a duplicate.
	wInsertExecution: `INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, parent, received_at, terms)
		VALUES (?, ?, ?, COALESCE(?, ''), COALESCE(?, ''), 'pending', COALESCE(?, ''), ?, COALESCE(?, '')) ON CONFLICT DO NOTHING`,
	// An execution claimed as it is enqueued (EnqueueOptions.Claim): running,
	// pinned, owned and leased from the start.
	wInsertClaimed: `INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, parent, received_at,
			owner, lease_until, claims, started_at, terms)
		VALUES (?, ?, ?, COALESCE(?, ''), ?, 'running', COALESCE(?, ''), ?, ?, ?, 1, ?, COALESCE(?, '')) ON CONFLICT DO NOTHING`,
	wInsertPayload: `INSERT INTO payloads (execution_num, payload) VALUES (?, ?)`,
	wInsertTerm:    `INSERT OR IGNORE INTO execution_terms (term, execution_num) VALUES (?, ?)`,
	wInsertTerms:   `INSERT OR IGNORE INTO execution_terms (term, execution_num) VALUES ` + termRows(termsPerInsert),
	// The term indexer's queue (see termindex.go): the oldest executions
	// after its cursor, with their terms, then the cursor past them. An
	// execution pruned meanwhile is not there; the cursor's last is the
	// batch's, which may be past the executions read.
	wTermsPending: `SELECT num, terms FROM executions WHERE num > (SELECT num FROM terms_cursor) ORDER BY num LIMIT ?`,
	wTermsIndexed: `UPDATE terms_cursor SET num = ?`,
	// Prune lowers the cursor to the highest number left (see Store.Prune).
	wTermsCursorDown: `UPDATE terms_cursor SET num = (SELECT COALESCE(MAX(num), 0) FROM executions)
		WHERE num > (SELECT COALESCE(MAX(num), 0) FROM executions)`,
	wDedupLookup: `SELECT id FROM executions WHERE flow = ? AND dedup_key = ?`,

	// Claim reads the oldest pending executions and, when a lease may have
	// ended (see Store.leaseCheck), the running ones whose lease did, both
	// on executions_live: the first in id order, the second unordered and
	// unlimited (it checks the leases of the running executions, which are
	// no more than the workers, in the index, and finds nearly always
	// none). Claim merges them and claims the first n one by one.
	// The number last: the claim updates the row by it, not by id through
	// the id's unique index.
	wClaimable: `SELECT ` + executionColumns + `, executions.num FROM ` + executionsWithPayload + `
			WHERE ` + live + ` AND status = 'pending' ORDER BY id LIMIT ?`,
	wClaimExpired: `SELECT ` + executionColumns + `, executions.num FROM ` + executionsWithPayload + `
			WHERE ` + live + ` AND status = 'running' AND lease_until <= ?`,
	wNextLeaseEnd: `SELECT MIN(lease_until) FROM executions WHERE ` + live + ` AND status = 'running' AND lease_until > ?`,
	// Waiting executions that are due, and when the next one is, on
	// executions_waiting (see Store.wakeCheck).
	wClaimDue: `SELECT ` + executionColumns + `, executions.num FROM ` + executionsWithPayload + `
			WHERE status = 'waiting' AND wake_at <= ? ORDER BY wake_at, id LIMIT ?`,
	wNextWake: `SELECT MIN(wake_at) FROM executions WHERE status = 'waiting'`,
	// No RETURNING, which SQLite buffers in a temporary table: Claim has
	// read the row and knows what changes. definition_hash is what it was,
	// or what ClaimOptions.Pin pins.
	wClaim: `UPDATE executions
		SET status = 'running', owner = ?, lease_until = ?, claims = claims + 1, started_at = COALESCE(started_at, ?),
			definition_hash = ?, wake_at = NULL
		WHERE num = ?`,
	wRenew: `UPDATE executions SET lease_until = ? WHERE id = ? AND status = 'running' AND owner = ?`,
	// A graceful release is not a crash recovery: it takes back its claim.
	wRelease: `UPDATE executions SET status = 'pending', owner = '', lease_until = NULL, claims = MAX(claims - 1, 0)
		WHERE id = ? AND status = 'running' AND owner = ?`,
	// Parking is a release until a time: it takes back its claim too.
	wPark: `UPDATE executions SET status = 'waiting', owner = '', lease_until = NULL, claims = MAX(claims - 1, 0), wake_at = ?
		WHERE id = ? AND status = 'running'`,
	wPin: `UPDATE executions SET definition_hash = ? WHERE id = ?`,

	// The execution's number is looked up by its id (NULL, which the NOT
	// NULL constraint rejects, for an unknown execution), and seq is the
	// execution's next. Scalar subqueries, not INSERT … SELECT FROM
	// journal, which SQLite would first copy to a temporary table. (The id
	// is bound twice: a numbered parameter, ?1, costs the driver an
	// allocation per parameter per call to look up its name.)
	// key, error and error_kind are mostly empty (see textArg).
	wAppend: `INSERT INTO journal (execution_num, seq, card, key, attempt, status, input, output, error, error_kind, started_at, ended_at)
		VALUES ((SELECT num FROM executions WHERE id = ?),
			(SELECT COALESCE(MAX(seq), 0) + 1 FROM journal WHERE execution_num = (SELECT num FROM executions WHERE id = ?)),
			?, COALESCE(?, ''), ?, ?, ?, ?, COALESCE(?, ''), COALESCE(?, ''), ?, ?)`,
	// wAppend with the number and seq the store knows (see Store.seqs);
	// the foreign key rejects an execution deleted meanwhile.
	wAppendSeq: `INSERT INTO journal (execution_num, seq, card, key, attempt, status, input, output, error, error_kind, started_at, ended_at)
		VALUES (?, ?, ?, COALESCE(?, ''), ?, ?, ?, ?, COALESCE(?, ''), COALESCE(?, ''), ?, ?)`,
	wFinish: `UPDATE executions SET status = ?, output = ?, error = COALESCE(?, ''), owner = '', lease_until = NULL, ended_at = ?
		WHERE id = ?`,
	// wFinish by the number the store knows (see Store.seqs): the row
	// without a lookup of its id, which the row must still have.
	wFinishNum: `UPDATE executions SET status = ?, output = ?, error = COALESCE(?, ''), owner = '', lease_until = NULL, ended_at = ?
		WHERE num = ? AND id = ?`,
	wReopen: `UPDATE executions SET status = 'pending', output = NULL, error = '', ended_at = NULL
		WHERE id = ? AND status <> 'pending' AND status <> 'running' AND status <> 'waiting'`,
	// Only a live execution no worker holds is canceled: the claim, on
	// the same write connection, either took it first or never will.
	wCancel: `UPDATE executions SET status = 'canceled', error = ?, ended_at = ?, wake_at = NULL, owner = '', lease_until = NULL
		WHERE id = ? AND (status = 'pending' OR status = 'waiting')`,
	// Only while it waits until the time its caller read (see Store.Wake).
	wWake:   `UPDATE executions SET wake_at = ? WHERE id = ? AND status = 'waiting' AND wake_at = ?`,
	wStatus: `SELECT status FROM executions WHERE id = ?`,

	wPutDefinition: `INSERT INTO definitions (hash, source, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
	wSetCursor:     `INSERT INTO cursors (key, cursor) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET cursor = excluded.cursor`,
	wTablePut:      `INSERT INTO table_rows (tbl, key, row) VALUES (?, ?, ?) ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row`,
	wTableDelete:   `DELETE FROM table_rows WHERE tbl = ? AND key = ?`,
	// Taken when free, expired or already ours; zero rows changed: refused.
	wAcquireLease: `INSERT INTO leases (name, owner, until) VALUES (?1, ?2, ?3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leases.owner = excluded.owner OR leases.until <= ?4`,
	wReleaseLease: `DELETE FROM leases WHERE name = ? AND owner = ?`,

	// A batch of old history (see Store.Prune): its executions and their
	// terms are read, the terms deleted, then the executions by number; the
	// journal and payload rows go by their foreign keys' ON DELETE CASCADE.
	wPrune:           `SELECT num, terms FROM executions WHERE num IN (` + prunable(false) + ` LIMIT ?)`,
	wPruneFailed:     `SELECT num, terms FROM executions WHERE num IN (` + prunable(true) + ` LIMIT ?)`,
	wDeleteTerm:      `DELETE FROM execution_terms WHERE term = ? AND execution_num = ?`,
	wDeleteExecution: `DELETE FROM executions WHERE num = ?`,
}

// prunable selects the numbers of the executions a store.Prune deletes: of
// the ended statuses it names, with ids made before its time (?1, which
// store.MinIDAt gives) and ended before it (?2, Unix nanoseconds). The id
// bound lets the search walk executions_ended on (status, id) instead of
// every ended execution: an execution ends after its id is made, so one
// that ended before the time has an id made before it. No ORDER BY: in
// the index each status is in id order already, and sorting the union
// would read every old execution for each batch.
func prunable(failed bool) string {
	var quoted []string
	for _, st := range (store.Prune{Failed: failed}).Statuses() {
		quoted = append(quoted, "'"+string(st)+"'")
	}
	statuses := strings.Join(quoted, ", ")
	return `SELECT num FROM executions WHERE ` + ended + ` AND status IN (` + statuses + `) AND id < ? AND ended_at < ?`
}

// readStmt names a statement prepared on the read-only pool.
type readStmt int

const (
	rExecution readStmt = iota
	rExists
	rJournal
	rDepth
	rDefinition
	rCursor
	rTableGet
	rTableScanFirst
	rTableScan
	numReadStmts
)

var readSQL = [numReadStmts]string{
	rExecution: `SELECT ` + executionColumns + `, ` + termsColumn + ` FROM ` + executionsWithPayload + ` WHERE id = ?`,
	rExists:    `SELECT EXISTS (SELECT 1 FROM executions WHERE id = ?)`,
	rJournal: `SELECT e.id, j.seq, j.card, j.key, j.attempt, j.status, j.input, j.output, j.error, j.error_kind, j.started_at, j.ended_at
		FROM executions e JOIN journal j ON j.execution_num = e.num WHERE e.id = ? ORDER BY j.seq`,
	rDepth:      `SELECT COUNT(*) FROM executions WHERE ` + live + ` AND status = 'pending'`,
	rDefinition: `SELECT source FROM definitions WHERE hash = ?`,
	rCursor:     `SELECT cursor FROM cursors WHERE key = ?`,
	rTableGet:   `SELECT row FROM table_rows WHERE tbl = ? AND key = ?`,
	// Pages by key so that no read is open while the caller's fn runs.
	rTableScanFirst: `SELECT key, row FROM table_rows WHERE tbl = ? ORDER BY key LIMIT ?`,
	rTableScan:      `SELECT key, row FROM table_rows WHERE tbl = ? AND key > ? ORDER BY key LIMIT ?`,
}
