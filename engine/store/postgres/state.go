package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// scanPage is how many table rows TableScan reads at a time.
const scanPage = 256

// PutDefinition stores a definition's source by hash; storing it again is a no-op.
func (s *Store) PutDefinition(ctx context.Context, hash string, source []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO definitions (hash, source) VALUES ($1, $2) ON CONFLICT DO NOTHING`, hash, source)
	return err
}

// Definition returns the source stored under hash, or store.ErrNotFound.
func (s *Store) Definition(ctx context.Context, hash string) ([]byte, error) {
	var src []byte
	err := s.pool.QueryRow(ctx, `SELECT source FROM definitions WHERE hash = $1`, hash).Scan(&src)
	return src, noRows(err, "definition "+hash)
}

// Cursor returns a trigger cursor, or nil when it was never set.
func (s *Store) Cursor(ctx context.Context, key string) ([]byte, error) {
	var c []byte
	err := s.pool.QueryRow(ctx, `SELECT cursor FROM cursors WHERE key = $1`, key).Scan(&c)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// SetCursor sets a trigger cursor.
func (s *Store) SetCursor(ctx context.Context, key string, cursor []byte) error {
	_, err := s.pool.Exec(ctx, setCursor, key, cursor)
	return err
}

// TableGet returns a row of a flow table, or store.ErrNotFound.
func (s *Store) TableGet(ctx context.Context, table, key string) ([]byte, error) {
	var row []byte
	err := s.pool.QueryRow(ctx, `SELECT row FROM table_rows WHERE tbl = $1 AND key = $2`, table, key).Scan(&row)
	return row, noRows(err, fmt.Sprintf("table %s row %q", table, key))
}

// The statements of a table write, alone or carried by a journal entry.
const (
	tablePut = `INSERT INTO table_rows (tbl, key, row) VALUES ($1, $2, $3)
		ON CONFLICT (tbl, key) DO UPDATE SET row = excluded.row`
	tableDelete = `DELETE FROM table_rows WHERE tbl = $1 AND key = $2`
)

// TablePut inserts or replaces a row of a flow table.
func (s *Store) TablePut(ctx context.Context, table, key string, row []byte) error {
	_, err := s.pool.Exec(ctx, tablePut, table, key, row)
	return err
}

// TableDelete deletes a row and reports whether it existed.
func (s *Store) TableDelete(ctx context.Context, table, key string) (bool, error) {
	ct, err := s.pool.Exec(ctx, tableDelete, table, key)
	return ct.RowsAffected() > 0, err
}

// TableScan calls fn for each row in key order until fn returns false. It
// reads a page at a time and holds no query open while fn runs, so fn may
// call the store; rows written meanwhile after the current key are seen.
func (s *Store) TableScan(ctx context.Context, table string, fn func(key string, row []byte) bool) error {
	type kv struct {
		Key string
		Row []byte
	}
	var last *string
	for {
		rows, err := s.pool.Query(ctx, `SELECT key, row FROM table_rows
			WHERE tbl = $1 AND ($2::text IS NULL OR key > $2) ORDER BY key LIMIT $3`, table, last, scanPage)
		if err != nil {
			return err
		}
		page, err := pgx.CollectRows(rows, pgx.RowToStructByPos[kv])
		if err != nil {
			return err
		}
		for _, r := range page {
			if !fn(r.Key, r.Row) {
				return nil
			}
		}
		if len(page) < scanPage {
			return nil
		}
		last = &page[len(page)-1].Key
	}
}

// AcquireLease takes or renews the named lease for owner until now+ttl, on
// the database's clock: it is taken when free, expired or already owner's.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	rows, err := s.pool.Query(ctx, `INSERT INTO leases (name, owner, until) VALUES ($1, $2, now() + $3 * interval '1 microsecond')
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leases.owner = excluded.owner OR leases.until <= now()
		RETURNING true`, name, owner, micros(ttl))
	if err != nil {
		return false, err
	}
	got, err := pgx.CollectRows(rows, pgx.RowTo[bool])
	return len(got) == 1, err
}

// ReleaseLease gives up the named lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM leases WHERE name = $1 AND owner = $2`, name, owner)
	return err
}
