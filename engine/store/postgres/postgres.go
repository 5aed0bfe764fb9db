package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cardflow/cardflow/engine/store"
)

var (
	_ store.Store    = (*Store)(nil)
	_ store.Notifier = (*Store)(nil)
)

// errClosed is returned by calls on a closed store.
var errClosed = errors.New("postgres store: closed")

// Options tune a Store. The zero value is a sound default.
type Options struct {
	// Schema, when set, is created if missing and used as the search_path
	// of every connection (tests give each store its own). Behind a
	// transaction-pooling PgBouncer set the role's search_path instead.
	Schema string
	// MaxConns is the size of the connection pool when the connection
	// string has no pool_max_conns. Default 8.
	MaxConns int32
	// MaxBatch is the most writes committed in one transaction. Default 256.
	MaxBatch int
	// Writers is how many groups of writes may be in flight at once, each
	// on its own connection. Writes to one execution always go through the
	// same writer. Default 2.
	Writers int
	// NoListen turns LISTEN off: workers find new executions by polling.
	NoListen bool
	// ReadOnly opens an existing store to read it, as history and show do.
	// Nothing is created or migrated: the schema must be the one this
	// build reads, since a reader that migrated it would change it under
	// the replicas still running the older cardflow (cardflow run migrates
	// it when it is upgraded). Every transaction is read-only, so a write
	// fails at the server, and there is no listener.
	ReadOnly bool
}

func (o Options) withDefaults() Options {
	if o.MaxConns <= 0 {
		o.MaxConns = 8
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 256
	}
	if o.Writers <= 0 {
		o.Writers = 2
	}
	return o
}

// Store is a store.Store in a PostgreSQL database.
type Store struct {
	pool    *pgxpool.Pool
	ids     store.IDSource
	ws      []*writer
	channel string // NOTIFY channel of this schema
	l       *listener
	a       *announcer

	closeOnce sync.Once
}

// Open connects to the database dsn names (a postgres:// URL or key=value
// string, as libpq takes), brings its schema up to date (checks it, with
// opts.ReadOnly) and starts the writer and, unless opts.NoListen, the
// listener. Close releases them.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	opts = opts.withDefaults()
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.ReadOnly {
		cfg.ConnConfig.RuntimeParams["default_transaction_read_only"] = "on"
		opts.NoListen = true
	}
	if opts.Schema != "" {
		if !opts.ReadOnly {
			if err := createSchema(ctx, cfg.ConnConfig, opts.Schema); err != nil {
				return nil, err
			}
		}
		cfg.ConnConfig.RuntimeParams["search_path"] = opts.Schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s := &Store{pool: pool}
	var schema string
	if err = pool.QueryRow(ctx, `SELECT coalesce(current_schema(), '')`).Scan(&schema); err == nil {
		if opts.ReadOnly {
			// A search_path schema that does not exist has no
			// current_schema(): name the one asked for.
			name := schema
			if name == "" {
				name = opts.Schema
			}
			err = checkSchema(ctx, pool, name)
		} else {
			err = migrate(ctx, pool, schema)
		}
	}
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s.channel = channelName(schema)
	s.a = newAnnouncer(pool, s.channel)
	for range opts.Writers {
		s.ws = append(s.ws, newWriter(pool, s.a.announce, opts.MaxBatch))
	}
	if !opts.NoListen {
		s.l = newListener(cfg.ConnConfig, s.channel)
	}
	return s, nil
}

// createSchema makes schema on a connection of its own, before the pool
// whose connections use it as their search_path exists.
func createSchema(ctx context.Context, cfg *pgx.ConnConfig, schema string) error {
	conn, err := pgx.ConnectConfig(ctx, cfg.Copy())
	if err != nil {
		return fmt.Errorf("postgres store: %w", err)
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{schema}.Sanitize())
	if err != nil {
		return fmt.Errorf("postgres store: creating schema %s: %w", schema, err)
	}
	return nil
}

// channelName is the NOTIFY channel of a schema: stores in other schemas of
// the same database are not woken by this one's work.
func channelName(schema string) string {
	name := "cardflow_inbox"
	if schema != "" && schema != "public" {
		name += "." + schema
	}
	return name[:min(len(name), 63)] // longer names are an error
}

// Notify returns a channel that receives a value when another process (or
// this one) enqueued or released executions. It never closes; a nil store
// listener (Options.NoListen) returns a channel that never receives.
func (s *Store) Notify() <-chan struct{} {
	if s.l == nil {
		return nil
	}
	return s.l.ch
}

// Close commits the writes already queued, stops the writer and the
// listener and closes the pool. Later calls fail; Close may be called again.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		for _, w := range s.ws {
			w.close()
		}
		s.a.close()
		if s.l != nil {
			s.l.close()
		}
		s.pool.Close()
	})
	return nil
}

// writer returns the writer of the execution id: one execution's writes
// are committed in the order they were made, and its journal entries are
// numbered by one writer at a time.
func (s *Store) writer(id string) *writer {
	h := fnv.New32a()
	h.Write([]byte(id))
	return s.ws[h.Sum32()%uint32(len(s.ws))]
}

// micros is d as a number of microseconds, the unit the SQL multiplies by
// interval '1 microsecond'.
func micros(d time.Duration) int64 { return d.Microseconds() }
