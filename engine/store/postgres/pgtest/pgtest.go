package pgtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN is the variable naming the test server.
const EnvDSN = "CARDFLOW_TEST_POSTGRES"

// DSN returns the test server's connection string, or skips t (fails it
// in CI) when there is none.
func DSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvDSN)
	if dsn != "" {
		return dsn
	}
	if os.Getenv("CI") == "true" || os.Getenv("CARDFLOW_REQUIRE_POSTGRES") == "1" {
		t.Fatalf("%s is unset but CI=true or CARDFLOW_REQUIRE_POSTGRES=1: the PostgreSQL tests must run (source .ci/postgres.sh)", EnvDSN)
	}
	t.Skipf("skipping: %s is unset; run `source .ci/postgres.sh` to start a PostgreSQL server for these tests", EnvDSN)
	return ""
}

// Name returns a fresh lower-case identifier starting with prefix.
func Name(prefix string) string {
	return fmt.Sprintf("%s_%d_%08x", prefix, time.Now().Unix()%100000, rand.Uint32())
}

// Schema creates a schema of its own for t, dropped with everything in it
// when t ends, and returns the server's DSN and the schema's name.
func Schema(t testing.TB) (dsn, schema string) {
	t.Helper()
	dsn = DSN(t)
	schema = Name("cf_test")
	admin(t, dsn, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { admin(t, dsn, "DROP SCHEMA IF EXISTS "+schema+" CASCADE") })
	return dsn, schema
}

// Database creates a database of its own for t, dropped when t ends, and
// returns a connection string for it.
func Database(t testing.TB) string {
	t.Helper()
	dsn := DSN(t)
	name := Name("cf_test")
	admin(t, dsn, "CREATE DATABASE "+name)
	t.Cleanup(func() { admin(t, dsn, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return WithDatabase(t, dsn, name)
}

// WithDatabase returns dsn with its database replaced by name.
func WithDatabase(t testing.TB, dsn, name string) string {
	t.Helper()
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " dbname=" + name
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	u.Path = "/" + name
	return u.String()
}

func admin(t testing.TB, dsn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connecting to %s: %v", EnvDSN, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}
