package postgres_test

import (
	"context"
	"strings"
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

// TestReadOnlyOpen holds the store history and show open: it reads a store
// at this build's version, writes nothing, and refuses a store that is
// missing or at another version instead of creating or migrating it.
func TestReadOnlyOpen(t *testing.T) {
	ctx := context.Background()
	dsn, schema := pgtest.Schema(t)
	ro := postgres.Options{Schema: schema, ReadOnly: true}

	// An empty schema: no store there, and none is made.
	if _, err := postgres.Open(ctx, dsn, ro); err == nil || !strings.Contains(err.Error(), "no cardflow store") {
		t.Fatalf("read-only open of an empty schema: %v, want no cardflow store", err)
	}
	if n := count(t, dsn, schema, `SELECT count(*) FROM pg_tables WHERE schemaname = $1`, schema); n != 0 {
		t.Fatalf("the read-only open created %d tables", n)
	}
	missing := pgtest.Name("cf_missing")
	if _, err := postgres.Open(ctx, dsn, postgres.Options{Schema: missing, ReadOnly: true}); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("read-only open of a missing schema: %v, want an error naming it", err)
	}
	if n := count(t, dsn, schema, `SELECT count(*) FROM pg_namespace WHERE nspname = $1`, missing); n != 0 {
		t.Fatal("the read-only open created the missing schema")
	}

	// A store at this build's version: read, not written.
	rw := openIn(t, dsn, schema, postgres.Options{})
	res, err := rw.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "e1", Payload: []byte(`{"user":"ada"}`), Terms: []string{"ada"}}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r, err := postgres.Open(ctx, dsn, ro)
	if err != nil {
		t.Fatalf("read-only open of a current store: %v", err)
	}
	defer r.Close()
	if ex, err := r.Execution(ctx, res[0].ID); err != nil || ex.Flow != "f" {
		t.Fatalf("Execution = %+v, %v", ex, err)
	}
	if _, err := r.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "e2"}}, store.EnqueueOptions{}); err == nil {
		t.Fatal("Enqueue on a read-only store succeeded")
	}
	if n := count(t, dsn, schema, `SELECT count(*) FROM executions`); n != 1 {
		t.Fatalf("%d executions after a read-only Enqueue, want 1", n)
	}

	// A store an older cardflow left: refused, not migrated.
	latest := count(t, dsn, schema, `SELECT max(version) FROM schema_migrations`)
	exec(t, dsn, schema, `DELETE FROM schema_migrations WHERE version = $1`, latest)
	if _, err := postgres.Open(ctx, dsn, ro); err == nil || !strings.Contains(err.Error(), "cardflow run migrates it") {
		t.Fatalf("read-only open of an older store: %v, want a refusal", err)
	}
	if n := count(t, dsn, schema, `SELECT count(*) FROM schema_migrations WHERE version = $1`, latest); n != 0 {
		t.Fatal("the read-only open migrated the older store")
	}
}
