package postgres

import (
	"context"
	"embed"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cardflow/cardflow/engine/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrate applies the embedded migrations the schema lacks.
func migrate(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	ms, err := migration.Load(migrationFiles)
	if err != nil {
		return err
	}
	return applyMigrations(ctx, pool, schema, ms)
}

// checkSchema checks, for a read-only open, that schema holds a cardflow
// store at the version this build reads, migrating nothing.
func checkSchema(ctx context.Context, pool *pgxpool.Pool, schema string) error {
	ms, err := migration.Load(migrationFiles)
	if err != nil {
		return err
	}
	var exists bool
	if err := pool.QueryRow(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return fmt.Errorf("there is no cardflow store in schema %q of this database: cardflow run creates it", schema)
	}
	var version int
	if err := pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&version); err != nil {
		return err
	}
	return migration.Check(version, ms, true)
}

// applyMigrations applies the migrations of ms the schema lacks in one
// transaction, under a transaction-level advisory lock keyed by the schema:
// replicas that start together apply them once, the others wait and find
// nothing left to do. PostgreSQL's DDL is transactional, so a crash leaves
// every migration applied or none. A schema a newer cardflow migrated
// further than ms knows is refused.
func applyMigrations(ctx context.Context, pool *pgxpool.Pool, schema string, ms []migration.Migration) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('cardflow.migrate.' || $1))`, schema); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, createMigrationsTable); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT version FROM schema_migrations`)
		if err != nil {
			return err
		}
		applied, err := pgx.CollectRows(rows, pgx.RowTo[int])
		if err != nil {
			return err
		}
		if err := migration.Check(slices.Max(append(applied, 0)), ms, false); err != nil {
			return err
		}
		for _, m := range ms {
			if slices.Contains(applied, m.Version) {
				continue
			}
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name)
			if err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
			}
		}
		return nil
	})
}
