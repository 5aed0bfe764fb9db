package sqlite

import (
	"database/sql"
	"errors"
	"fmt"
	"time"

	sqlite3 "modernc.org/sqlite/lib"

	"modernc.org/sqlite"

	"github.com/cardflow/cardflow/engine/store"
)

// Times are stored as Unix nanoseconds, NULL for the zero time.

func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixNano()
}

// textArg is s, or NULL for "", for statements that store NULL as "" (or,
// for dedup_key, as NULL): the driver copies every string it binds into C
// memory, and most of these are empty.
func textArg(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// scanner is *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

func scanExecution(sc scanner, more ...any) (*store.Execution, error) {
	var (
		e                         store.Execution
		status                    string
		lease, recv, start, ended sql.NullInt64
		wake                      sql.NullInt64
	)
	dest := make([]any, 0, 17+len(more))
	dest = append(dest, &e.ID, &e.Flow, &e.DedupKey, &e.Type, &e.DefinitionHash, &status, &e.Payload, &e.Output,
		&e.Error, &e.Parent, &e.Claims, &e.Owner, &lease, &recv, &start, &ended, &wake)
	err := sc.Scan(append(dest, more...)...)
	if err != nil {
		return nil, err
	}
	if e.Payload, err = unpack(e.Payload); err != nil {
		return nil, err
	}
	if e.Output, err = unpack(e.Output); err != nil {
		return nil, err
	}
	e.Status = store.Status(status)
	e.LeaseUntil, e.ReceivedAt, e.StartedAt, e.EndedAt = timeOf(lease), timeOf(recv), timeOf(start), timeOf(ended)
	e.WakeAt = timeOf(wake)
	return &e, nil
}

func scanEntry(sc scanner) (store.JournalEntry, error) {
	var (
		en           store.JournalEntry
		status       string
		start, ended sql.NullInt64
	)
	err := sc.Scan(&en.ExecutionID, &en.Seq, &en.Card, &en.Key, &en.Attempt, &status, &en.Input, &en.Output,
		&en.Error, &en.ErrorKind, &start, &ended)
	if err != nil {
		return en, err
	}
	en.Input, en.Output, err = unpackEntry(en.Input, en.Output)
	en.Status = store.EntryStatus(status)
	en.StartedAt, en.EndedAt = timeOf(start), timeOf(ended)
	return en, err
}

func notFound(what string) error {
	return fmt.Errorf("%s: %w", what, store.ErrNotFound)
}

// noRows turns sql.ErrNoRows into store.ErrNotFound.
func noRows(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return notFound(what)
	}
	return err
}

// isPrimaryKey reports whether err is SQLite refusing a row whose primary
// key another row has.
func isPrimaryKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// isNotNull reports whether err is SQLite refusing a NULL in a NOT NULL
// column: an append's execution number that its id did not find.
func isNotNull(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_NOTNULL
}

// isForeignKey reports whether err is SQLite refusing a row whose parent
// does not exist.
func isForeignKey(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}
