package main

import (
	"context"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
)

// createDatabase makes a new database for the run on the -postgres server
// and points b.storeURL at it; drop removes it.
func (b *bench) createDatabase(ctx context.Context) (drop func(), err error) {
	u, err := url.Parse(b.opts.Postgres)
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	name := fmt.Sprintf("cardflow_bench_%d", time.Now().UnixNano())
	admin, err := pgx.Connect(ctx, b.opts.Postgres)
	if err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return nil, fmt.Errorf("-postgres: %w", err)
	}
	u.Path = "/" + name
	b.storeURL = u.String()
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := pgx.Connect(ctx, b.opts.Postgres)
		if err != nil {
			b.logf("dropping %s: %v", name, err)
			return
		}
		defer c.Close(ctx)
		if _, err := c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			b.logf("dropping %s: %v", name, err)
		}
	}, nil
}

// The PostgreSQL store keeps times as timestamptz; these read them as the
// SQLite store's Unix nanoseconds.
var (
	pgExecutions = `SELECT e.dedup_key, e.status, e.definition_hash, COALESCE(` + pgNanos("e.ended_at") + `, 0),
		COALESCE((SELECT MAX(` + pgNanos("j.ended_at") + `) FROM journal j WHERE j.execution_id = e.id AND j.card = 'incident' AND j.status = 'ok'), 0)
		FROM executions e WHERE e.flow = $1`
	pgStages = `SELECT e.id, ` + pgNanos("e.received_at") + `, ` + pgNanos("e.started_at") + `, ` + pgNanos("e.ended_at") + `, j.card, ` +
		pgNanos("j.started_at") + `, ` + pgNanos("j.ended_at") + `
		FROM journal j JOIN executions e ON e.id = j.execution_id
		WHERE e.flow = $1 AND e.status = 'succeeded' AND j.status = 'ok' ORDER BY j.execution_id, j.seq`
	pgSize = `SELECT pg_database_size(current_database())`
)

func pgNanos(col string) string {
	return `(EXTRACT(EPOCH FROM ` + col + `) * 1e9)::bigint`
}

// pgSize reads the run's database's size into n.
func (b *bench) pgSize(ctx context.Context, n *int64) error {
	c, err := pgx.Connect(ctx, b.storeURL)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	return c.QueryRow(ctx, pgSize).Scan(n)
}
