package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/cardflow/cardflow/engine/store"

	"github.com/cardflow/cardflow/engine/store/internal/migration"
)

var _ store.Store = (*Store)(nil)

// Options tune a Store. The zero value is a sound default.
type Options struct {
	// BusyTimeout is how long a connection waits for a lock another
	// process holds before failing. Default 5s.
	BusyTimeout time.Duration
	// MaxBatch is the most writes committed in one transaction. Default 256.
	MaxBatch int
	// ReadConns is the size of the read-only connection pool. Default 4.
	ReadConns int
	// SyncFull syncs the WAL on every commit (synchronous=FULL) so that an
	// acknowledged write survives power loss too. The default
	// (synchronous=NORMAL) survives a crash of the process, and a power loss
	// can lose the last commits but never corrupts the file.
	SyncFull bool
	// Exclusive makes the store this process's alone, as cardflow run
	// wants it: Open takes an exclusive lock on the file PATH.lock and
	// fails while another process holds it. Executions and poller leases
	// left behind by a process that died are then taken over at once
	// instead of after their leases run out. Readers (history, show) open
	// the store without it.
	Exclusive bool
	// ReadOnly opens an existing store to read it, as history and show do:
	// Open fails with an error wrapping fs.ErrNotExist when there is no
	// file at path, creates nothing, migrates nothing and starts no writer;
	// every write fails with ErrReadOnly. It excludes Exclusive.
	ReadOnly bool
}

// ErrReadOnly is the error of a write to a store opened ReadOnly.
var ErrReadOnly = errors.New("sqlite store: opened read-only")

func (o Options) withDefaults() Options {
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.ReadConns <= 0 {
		o.ReadConns = 4
	}
	return o
}

// Store is a store.Store in one SQLite file.
type Store struct {
	ids   store.IDSource
	wdb   *sql.DB // two connections: the writer's and the checkpointer's
	w     *writer
	cp    *checkpointer
	ti    *termIndexer
	rdb   *sql.DB // read-only pool
	reads [numReadStmts]*sql.Stmt

	lock *os.File // held while Exclusive

	files   files  // the files opened, for Check
	walPath string // the WAL file, for WriteCounts

	// leaseCheck is when a claim must next look for executions whose lease
	// ended; it is read and written only by writes, on the writer
	// goroutine. Looking costs a claim as much as the rest of it, and
	// finds nothing unless a process died or stalled, so claims look at
	// the end of the first lease running when they last looked, at the end
	// of every lease this store granted since, and at least every
	// leaseCheckEvery: a lease another process granted since (a replica
	// sharing the file without Exclusive) is found ended within
	// leaseCheckEvery of its end.
	leaseCheck time.Time
	// wakeCheck is when a claim must next look for waiting executions that
	// are due, as leaseCheck is for ended leases: at the first wake the
	// store knew of when it last looked, at every wake it parked since,
	// and at least every leaseCheckEvery (another process may share the
	// file). The zero time looks at the next claim.
	wakeCheck time.Time

	// seqs holds the number and next journal seq of the executions this
	// store claimed before any card of theirs ran (their journal was
	// empty), so that their appends need not look them up (a lookup that
	// cost an append a tenth of its time). Only writes use it, on the writer goroutine. It
	// is a cache: an execution it lacks is appended to with the lookup; a
	// rollback empties it, since what it counted may not have committed;
	// and a seq that another store took meanwhile (it claimed the
	// execution after this store's lease ended) fails the insert on the
	// journal's primary key, which drops the entry and looks the seq up.
	seqs map[string]nextSeq

	closeOnce sync.Once
	closeErr  error
}

// Open opens or creates the database at path, brings its schema up to
// date and starts the writer. Close releases it.
func Open(path string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	s := &Store{seqs: make(map[string]nextSeq), walPath: path + "-wal"}
	if opts.ReadOnly {
		return openReadOnly(s, path, opts)
	}
	if opts.Exclusive {
		if err := s.takeLock(path); err != nil {
			return nil, err
		}
	}
	var err error
	if s.wdb, err = openDB(path, opts, false); err != nil {
		s.unlock()
		return nil, err
	}
	s.wdb.SetMaxOpenConns(2)
	if err := s.startWriter(opts); err != nil {
		s.wdb.Close()
		s.unlock()
		return nil, err
	}
	encoders.acquire() // released by Close, with the writer
	if err := s.openReads(path, opts); err != nil {
		s.Close()
		return nil, err
	}
	if s.lock != nil {
		if err := s.takeOver(context.Background()); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.files.remember(path)
	return s, nil
}

// openReadOnly is Open for Options.ReadOnly: the read pool alone, on a
// file that must exist. The pool's connections are query-only.
func openReadOnly(s *Store, path string, opts Options) (*Store, error) {
	if opts.Exclusive {
		return nil, errors.New("sqlite store: ReadOnly and Exclusive exclude each other")
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w", err)
	}
	if fi.IsDir() {
		return nil, fmt.Errorf("sqlite store: %s is a directory", path)
	}
	// The schema is checked before the reads are prepared: a read that
	// an older schema cannot serve would fail to prepare with "no such
	// column" instead of saying to migrate.
	if err := s.openReadPool(path, opts); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w (is %s a cardflow store?)", err, path)
	}
	if err := s.checkSchema(); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.prepareReads(); err != nil {
		s.Close()
		return nil, fmt.Errorf("%w (is %s a cardflow store?)", err, path)
	}
	return s, nil
}

// checkSchema refuses a store a read-only open cannot read: one that an
// older cardflow made and nothing has migrated since (reading migrates
// nothing), or one a newer cardflow migrated further.
func (s *Store) checkSchema() error {
	ms, err := migration.Load(migrationFiles)
	if err != nil {
		return err
	}
	var version int
	if err := s.rdb.QueryRow(schemaVersion).Scan(&version); err != nil {
		return fmt.Errorf("sqlite store: reading its schema version: %w", err)
	}
	if err := migration.Check(version, ms, true); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

// rolledBack forgets what the writes of a rolled-back transaction taught
// the store: the seqs it counted, and a look for ended leases it made (the
// next claim looks again).
func (s *Store) rolledBack() {
	clear(s.seqs)
	s.leaseCheck = time.Time{}
	s.wakeCheck = time.Time{}
}

// maxSeqs bounds Store.seqs, which holds the executions this store claimed
// and has not finished: no more than its workers, unless some leases ran
// out and others finished them.
const maxSeqs = 1 << 16

// nextSeq is an execution's number and the seq of its next journal entry.
type nextSeq struct {
	num int64
	seq int
}

// fresh notes that execution id, number num, which this store just
// claimed, has an empty journal: its first append is seq 1. Only writes
// call it.
func (s *Store) fresh(id string, num int64) {
	if len(s.seqs) >= maxSeqs {
		clear(s.seqs)
	}
	s.seqs[id] = nextSeq{num: num, seq: 1}
}

// parked notes a wake time this store set: the claims look for due
// waiting executions again when it comes, if not before. Only writes call it.
func (s *Store) parked(wake time.Time) {
	if wake.Before(s.wakeCheck) {
		s.wakeCheck = wake
	}
}

// leaseCheckEvery bounds the time between two claims' looks for ended
// leases (see Store.leaseCheck).
const leaseCheckEvery = time.Second

// leased notes a lease this store granted or extended: the claims look for
// ended leases again when it ends, if not before. Only writes call it.
func (s *Store) leased(until time.Time) {
	if until.Before(s.leaseCheck) {
		s.leaseCheck = until
	}
}

// openDB opens a pool on path with the pragmas every connection needs.
func openDB(path string, opts Options, readOnly bool) (*sql.DB, error) {
	sync := "NORMAL"
	if opts.SyncFull {
		sync = "FULL"
	}
	q := url.Values{}
	q.Set("_busy_timeout", strconv.FormatInt(opts.BusyTimeout.Milliseconds(), 10))
	q.Set("_journal_mode", "WAL")
	q.Set("_synchronous", sync)
	q.Set("_foreign_keys", "1")
	// A page cache that holds the hot part of the database (the inbox,
	// recent executions and their journal) saves a pread per page touched;
	// the OS page cache holds the rest. Each connection has its own, so they
	// stay small: 2 × 16 MiB for the writers and 8 MiB per reader bound the
	// store's share of the engine's memory.
	cache := "cache_size(-16384)" // KiB
	if readOnly {
		q.Set("_query_only", "1")
		cache = "cache_size(-8192)"
	}
	q.Add("_pragma", cache)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	return db, nil
}

// startWriter takes the one write connection, migrates the schema on it,
// prepares the write statements and starts the writer goroutine.
func (s *Store) startWriter(opts Options) error {
	ctx := context.Background()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	ms, err := migration.Load(migrationFiles)
	if err == nil {
		err = migrate(ctx, conn, ms)
	}
	if err == nil {
		// The checkpointer does it off the writer's path.
		_, err = conn.ExecContext(ctx, "PRAGMA wal_autocheckpoint = 0")
	}
	if err == nil {
		_, err = conn.ExecContext(ctx, fmt.Sprintf("PRAGMA journal_size_limit = %d", walKeepBytes))
	}
	var cpConn *sql.Conn
	if err == nil {
		cpConn, err = s.wdb.Conn(ctx)
	}
	var pageSize int64
	if err == nil {
		err = cpConn.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize)
	}
	if err == nil {
		_, err = cpConn.ExecContext(ctx, fmt.Sprintf("PRAGMA busy_timeout = %d", restartWait.Milliseconds()))
	}
	tx := writeTx{conn: conn}
	for i := 0; err == nil && i < len(writeSQL); i++ {
		tx.stmts[i], err = conn.PrepareContext(ctx, writeSQL[i])
	}
	if err != nil {
		for _, st := range tx.stmts {
			if st != nil {
				st.Close()
			}
		}
		conn.Close()
		if cpConn != nil {
			cpConn.Close()
		}
		return fmt.Errorf("sqlite store: %w", err)
	}
	turn := new(sync.Mutex)
	setKeep := func(n int64) error {
		_, err := tx.conn.ExecContext(context.Background(), fmt.Sprintf("PRAGMA journal_size_limit = %d", n))
		return err
	}
	s.cp = newCheckpointer(cpConn, pageSize, s.walPath, turn, setKeep)
	s.w = newWriter(tx, opts.MaxBatch, turn, s.cp.committed, s.rolledBack)
	s.startTermIndexer()
	return nil
}

// openEveryRead opens n read connections at once and gives them back to
// the pool, which keeps them.
func (s *Store) openEveryRead(n int) error {
	conns := make([]*sql.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close() // back to the pool, idle
		}
	}()
	for range n {
		c, err := s.rdb.Conn(context.Background())
		if err == nil {
			err = c.PingContext(context.Background())
		}
		if err != nil {
			return err
		}
		conns = append(conns, c)
	}
	return nil
}

func (s *Store) openReads(path string, opts Options) error {
	if err := s.openReadPool(path, opts); err != nil {
		return err
	}
	return s.prepareReads()
}

// openReadPool opens the read-only pool and every connection of it.
func (s *Store) openReadPool(path string, opts Options) error {
	var err error
	if s.rdb, err = openDB(path, opts, true); err != nil {
		return err
	}
	s.rdb.SetMaxOpenConns(opts.ReadConns)
	s.rdb.SetMaxIdleConns(opts.ReadConns)
	// Every read connection is opened now and kept (no idle or lifetime
	// limit): one opened later, after the file was removed or replaced,
	// would open (or create) whatever has the name then, and history would
	// read an empty database while the store reports itself lost.
	if err := s.openEveryRead(opts.ReadConns); err != nil {
		return fmt.Errorf("sqlite store: %w", err)
	}
	return nil
}

// prepareReads prepares readSQL on the read pool.
func (s *Store) prepareReads() error {
	var err error
	for i, q := range readSQL {
		if s.reads[i], err = s.rdb.Prepare(q); err != nil {
			return fmt.Errorf("sqlite store: %w", err)
		}
	}
	return nil
}

// Close commits the writes already queued, stops the writer and closes
// every connection. Later calls fail; Close itself may be called again.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		var errs []error
		if s.w != nil {
			s.ti.stop()
			s.w.close()
			for _, st := range s.w.tx.stmts {
				errs = append(errs, st.Close())
			}
			// The checkpointer first: a restart sets the writer connection's
			// journal_size_limit (see checkpointer.setKeep).
			errs = append(errs, s.cp.close(), s.w.tx.conn.Close())
			encoders.release()
		}
		if s.wdb != nil {
			errs = append(errs, s.wdb.Close())
		}
		for _, st := range s.reads {
			if st != nil {
				errs = append(errs, st.Close())
			}
		}
		if s.rdb != nil {
			errs = append(errs, s.rdb.Close())
		}
		errs = append(errs, s.unlock())
		s.closeErr = errors.Join(errs...)
	})
	return s.closeErr
}

// read returns a prepared read statement.
func (s *Store) read(id readStmt) *sql.Stmt { return s.reads[id] }
