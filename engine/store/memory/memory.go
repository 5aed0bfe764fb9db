package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

var _ store.Store = (*Store)(nil)

var errClosed = errors.New("memory store: closed")

// Store is an in-memory store.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.Mutex
	closed bool
	ids    store.IDSource

	executions map[string]*store.Execution
	dedup      map[dedupKey]string // (flow, dedup key) -> execution id
	journals   map[string]*journal // one per execution, from its enqueue
	defs       map[string][]byte
	cursors    map[string][]byte
	tables     map[string]map[string][]byte
	leases     map[string]lease
}

type dedupKey struct{ flow, key string }

type lease struct {
	owner string
	until time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{
		executions: make(map[string]*store.Execution),
		dedup:      make(map[dedupKey]string),
		journals:   make(map[string]*journal),
		defs:       make(map[string][]byte),
		cursors:    make(map[string][]byte),
		tables:     make(map[string]map[string][]byte),
		leases:     make(map[string]lease),
	}
}

// lock takes the store's mutex unless the store is closed or ctx is done.
// On success the caller must unlock s.mu.
func (s *Store) lock(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed
	}
	return nil
}

// Close makes every later call fail. It is safe to call more than once.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

// clone returns a copy of b that shares no memory with it (nil stays nil).
func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func cloneExecution(e *store.Execution) *store.Execution {
	c := *e
	c.Payload = clone(e.Payload)
	c.Output = clone(e.Output)
	c.Terms = slices.Clone(e.Terms)
	return &c
}

// PutDefinition stores a definition's source by hash; storing it again is a no-op.
func (s *Store) PutDefinition(ctx context.Context, hash string, source []byte) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if _, ok := s.defs[hash]; !ok {
		s.defs[hash] = clone(source)
	}
	return nil
}

// Definition returns the source stored under hash, or store.ErrNotFound.
func (s *Store) Definition(ctx context.Context, hash string) ([]byte, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	src, ok := s.defs[hash]
	if !ok {
		return nil, fmt.Errorf("definition %s: %w", hash, store.ErrNotFound)
	}
	return clone(src), nil
}

// Cursor returns a trigger cursor, or nil when it was never set.
func (s *Store) Cursor(ctx context.Context, key string) ([]byte, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	return clone(s.cursors[key]), nil
}

// SetCursor sets a trigger cursor.
func (s *Store) SetCursor(ctx context.Context, key string, cursor []byte) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	s.cursors[key] = clone(cursor)
	return nil
}

// TableGet returns a row of a flow table, or store.ErrNotFound.
func (s *Store) TableGet(ctx context.Context, table, key string) ([]byte, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.mu.Unlock()
	row, ok := s.tables[table][key]
	if !ok {
		return nil, fmt.Errorf("table %s row %q: %w", table, key, store.ErrNotFound)
	}
	return clone(row), nil
}

// TablePut inserts or replaces a row of a flow table.
func (s *Store) TablePut(ctx context.Context, table, key string, row []byte) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if row == nil {
		row = []byte{} // nil would delete
	}
	s.tableWriteLocked(store.TableWrite{Table: table, Key: key, Row: row})
	return nil
}

// tableWriteLocked puts or deletes a row; s.mu is held.
func (s *Store) tableWriteLocked(w store.TableWrite) {
	if w.Row == nil {
		delete(s.tables[w.Table], w.Key)
		return
	}
	t := s.tables[w.Table]
	if t == nil {
		t = make(map[string][]byte)
		s.tables[w.Table] = t
	}
	t[w.Key] = clone(w.Row)
}

// TableDelete deletes a row and reports whether it existed.
func (s *Store) TableDelete(ctx context.Context, table, key string) (bool, error) {
	if err := s.lock(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	_, ok := s.tables[table][key]
	delete(s.tables[table], key)
	return ok, nil
}

// TableScan calls fn for each row in key order until fn returns false. It
// iterates over a snapshot, so fn may call the store.
func (s *Store) TableScan(ctx context.Context, table string, fn func(key string, row []byte) bool) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	t := s.tables[table]
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, strings.Compare)
	rows := make([][]byte, len(keys))
	for i, k := range keys {
		rows[i] = clone(t[k])
	}
	s.mu.Unlock()
	for i, k := range keys {
		if !fn(k, rows[i]) {
			break
		}
	}
	return nil
}

// AcquireLease takes or renews the named lease for owner until now+ttl.
func (s *Store) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if err := s.lock(ctx); err != nil {
		return false, err
	}
	defer s.mu.Unlock()
	now := time.Now()
	if l, ok := s.leases[name]; ok && l.owner != owner && now.Before(l.until) {
		return false, nil
	}
	s.leases[name] = lease{owner: owner, until: now.Add(ttl)}
	return true, nil
}

// ReleaseLease gives up the named lease if owner holds it.
func (s *Store) ReleaseLease(ctx context.Context, name, owner string) error {
	if err := s.lock(ctx); err != nil {
		return err
	}
	defer s.mu.Unlock()
	if s.leases[name].owner == owner {
		delete(s.leases, name)
	}
	return nil
}
