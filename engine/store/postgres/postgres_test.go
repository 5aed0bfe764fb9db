package postgres_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
	"github.com/cardflow/cardflow/engine/store/storetest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// open opens a store on a schema of t's own.
func open(t testing.TB, opts postgres.Options) *postgres.Store {
	t.Helper()
	dsn, schema := pgtest.Schema(t)
	return openIn(t, dsn, schema, opts)
}

func openIn(t testing.TB, dsn, schema string, opts postgres.Options) *postgres.Store {
	t.Helper()
	opts.Schema = schema
	s, err := postgres.Open(context.Background(), dsn, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestConformance runs the store suite on one schema, emptied before each
// test: migrating a new schema for each would take most of the time.
func TestConformance(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		s := openIn(t, dsn, schema, postgres.Options{})
		exec(t, dsn, schema, `TRUNCATE executions, execution_terms, journal, definitions, cursors, table_rows, leases`)
		return s
	})
}

// exec runs sql on a connection of its own in schema.
func exec(t testing.TB, dsn, schema, sql string, args ...any) {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
