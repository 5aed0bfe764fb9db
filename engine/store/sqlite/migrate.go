package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/store/internal/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

const createMigrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
)`

// schemaVersion reads the version the schema is at.
const schemaVersion = `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`

// migrate applies the migrations conn's database lacks, each in its own
// transaction together with its schema_migrations row, so a crash leaves
// every migration applied or not at all. It refuses a database that a newer
// cardflow has migrated further than ms knows.
func migrate(ctx context.Context, conn *sql.Conn, ms []migration.Migration) error {
	for _, m := range ms {
		err := inTx(ctx, conn, func() error {
			if _, err := conn.ExecContext(ctx, createMigrationsTable); err != nil {
				return err
			}
			var latest int
			row := conn.QueryRowContext(ctx, schemaVersion)
			if err := row.Scan(&latest); err != nil {
				return err
			}
			if err := migration.Check(latest, ms, false); err != nil {
				return err
			}
			var applied bool
			row = conn.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.Version)
			if err := row.Scan(&applied); err != nil || applied {
				return err
			}
			if _, err := conn.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := conn.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, time.Now().UnixNano())
			return err
		})
		if err != nil {
			return fmt.Errorf("migration %04d_%s: %w", m.Version, m.Name, err)
		}
	}
	return nil
}

// inTx runs fn inside BEGIN IMMEDIATE … COMMIT on conn, rolling back when fn
// or the commit fails. IMMEDIATE takes the write lock up front, so a
// transaction never fails half-way for want of it.
func inTx(ctx context.Context, conn *sql.Conn, fn func() error) error {
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		rollback(conn)
		return err
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		rollback(conn)
		return err
	}
	return nil
}

// rollback ends conn's transaction, if one is still open. Its error is of
// no use: either there was no transaction left (SQLite rolls back by itself
// after some errors) or the connection is broken and the next call says so.
func rollback(conn *sql.Conn) {
	_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
}
