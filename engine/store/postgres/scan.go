package postgres

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/cardflow/cardflow/engine/store"
)

// executionColumns are the columns scanExecution reads, in its order.
var executionColumns = columns("")

// columns returns executionColumns qualified by a table alias, if any.
func columns(alias string) string {
	if alias != "" {
		alias += "."
	}
	cols := []string{"id", "flow", "COALESCE(#dedup_key, '')", "type", "definition_hash", "status", "payload",
		"output", "error", "parent", "claims", "owner", "lease_until", "received_at", "started_at", "ended_at", "wake_at"}
	for i, c := range cols {
		if strings.Contains(c, "#") {
			cols[i] = strings.ReplaceAll(c, "#", alias)
		} else {
			cols[i] = alias + c
		}
	}
	return strings.Join(cols, ", ")
}

const journalColumns = `execution_id, seq, card, key, attempt, status, input, output, error, error_kind, started_at, ended_at`

// timeArg is t for a nullable timestamptz column: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func timeOf(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// termsColumn is an execution's correlation terms, as an array.
const termsColumn = `ARRAY(SELECT term FROM execution_terms WHERE execution_id = executions.id ORDER BY term)`

func scanExecution(row pgx.Row, more ...any) (*store.Execution, error) {
	var (
		e                         store.Execution
		status                    string
		lease, recv, start, ended *time.Time
		wake                      *time.Time
	)
	dest := []any{&e.ID, &e.Flow, &e.DedupKey, &e.Type, &e.DefinitionHash, &status, &e.Payload, &e.Output,
		&e.Error, &e.Parent, &e.Claims, &e.Owner, &lease, &recv, &start, &ended, &wake}
	err := row.Scan(append(dest, more...)...)
	if err != nil {
		return nil, err
	}
	e.Status = store.Status(status)
	e.LeaseUntil, e.ReceivedAt, e.StartedAt, e.EndedAt = timeOf(lease), timeOf(recv), timeOf(start), timeOf(ended)
	e.WakeAt = timeOf(wake)
	return &e, nil
}

func scanEntry(row pgx.Row) (store.JournalEntry, error) {
	var (
		en           store.JournalEntry
		status       string
		start, ended *time.Time
	)
	err := row.Scan(&en.ExecutionID, &en.Seq, &en.Card, &en.Key, &en.Attempt, &status, &en.Input, &en.Output,
		&en.Error, &en.ErrorKind, &start, &ended)
	en.Status = store.EntryStatus(status)
	en.StartedAt, en.EndedAt = timeOf(start), timeOf(ended)
	return en, err
}

func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, store.ErrNotFound)
}

// noRows turns pgx.ErrNoRows into store.ErrNotFound.
func noRows(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return notFound(what)
	}
	return err
}

// isForeignKey reports whether err is PostgreSQL refusing a row whose
// parent does not exist.
func isForeignKey(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23503" // foreign_key_violation
}
