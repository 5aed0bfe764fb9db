package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// scanPage is how many table rows TableScan reads at a time.
const scanPage = 256

// PutDefinition stores a definition's source by hash; storing it again is a no-op.
func (s *Store) PutDefinition(ctx context.Context, hash string, source []byte) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(wPutDefinition, hash, source, time.Now().UnixNano())
		return err
	})
}

// Definition returns the source stored under hash, or store.ErrNotFound.
func (s *Store) Definition(ctx context.Context, hash string) ([]byte, error) {
	var src []byte
	err := s.read(rDefinition).QueryRowContext(ctx, hash).Scan(&src)
	return src, noRows(err, "definition "+hash)
}

// Cursor returns a trigger cursor, or nil when it was never set.
func (s *Store) Cursor(ctx context.Context, key string) ([]byte, error) {
	var c []byte
	err := s.read(rCursor).QueryRowContext(ctx, key).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// SetCursor sets a trigger cursor.
func (s *Store) SetCursor(ctx context.Context, key string, cursor []byte) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(wSetCursor, key, cursor)
		return err
	})
}

// TableGet returns a row of a flow table, or store.ErrNotFound.
func (s *Store) TableGet(ctx context.Context, table, key string) ([]byte, error) {
	var row []byte
	err := s.read(rTableGet).QueryRowContext(ctx, table, key).Scan(&row)
	if err != nil {
		return nil, noRows(err, fmt.Sprintf("table %s row %q", table, key))
	}
	return unpack(row)
}

// TablePut inserts or replaces a row of a flow table.
func (s *Store) TablePut(ctx context.Context, table, key string, row []byte) error {
	if row == nil {
		row = []byte{} // nil would delete
	}
	row = pack(row) // off the writer's goroutine, as the rows journal entries write (see packEntries)
	return s.w.do(ctx, func(tx *writeTx) error { return tableWrite(tx, store.TableWrite{Table: table, Key: key, Row: row}) })
}

// tableWrite puts or deletes a row in tx, w.Row as stored (see pack).
func tableWrite(tx *writeTx, w store.TableWrite) error {
	var err error
	if w.Row == nil {
		_, err = tx.exec(wTableDelete, w.Table, w.Key)
	} else {
		_, err = tx.exec(wTablePut, w.Table, w.Key, w.Row)
	}
	return err
}

// TableDelete deletes a row and reports whether it existed.
func (s *Store) TableDelete(ctx context.Context, table, key string) (bool, error) {
	var deleted bool
	err := s.w.do(ctx, func(tx *writeTx) error {
		n, err := tx.changed(wTableDelete, table, key)
		deleted = n > 0
		return err
	})
	return deleted, err
}

// TableScan calls fn for each row in key order until fn returns false. It
// reads a page at a time and holds no read open while fn runs, so fn may
// call the store; rows written meanwhile after the current key are seen.
func (s *Store) TableScan(ctx context.Context, table string, fn func(key string, row []byte) bool) error {
	var last string
	for first := true; ; first = false {
		var (
			rows *sql.Rows
			err  error
		)
		if first {
			rows, err = s.read(rTableScanFirst).QueryContext(ctx, table, scanPage)
		} else {
			rows, err = s.read(rTableScan).QueryContext(ctx, table, last, scanPage)
		}
		if err != nil {
			return err
		}
		keys, vals, err := readPage(rows)
		if err != nil {
			return err
		}
		for i, k := range keys {
			if !fn(k, vals[i]) {
				return nil
			}
		}
		if len(keys) < scanPage {
			return nil
		}
		last = keys[len(keys)-1]
	}
}

func readPage(rows *sql.Rows) (keys []string, vals [][]byte, err error) {
	defer rows.Close()
	for rows.Next() {
		var (
			k string
			v []byte
		)
		if err := rows.Scan(&k, &v); err != nil {
			return nil, nil, err
		}
		if v, err = unpack(v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, k), append(vals, v)
	}
	return keys, vals, rows.Err()
}

// AcquireLease takes or renews the named lease for owner until now+ttl.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	var ok bool
	err := s.w.do(ctx, func(tx *writeTx) error {
		now := time.Now()
		n, err := tx.changed(wAcquireLease, name, owner, now.Add(ttl).UnixNano(), now.UnixNano())
		ok = n > 0
		return err
	})
	return ok, err
}

// ReleaseLease gives up the named lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	return s.w.do(ctx, func(tx *writeTx) error {
		_, err := tx.exec(wReleaseLease, name, owner)
		return err
	})
}
