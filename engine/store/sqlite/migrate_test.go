package sqlite

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/cardflow/cardflow/engine/store"

	"github.com/cardflow/cardflow/engine/store/internal/migration"
)

func TestMigrationsApplyOnceAndSurviveReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	for i := range 3 {
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		if i == 0 {
			if _, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		var rows, version int
		err = s.rdb.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&rows, &version)
		if err != nil {
			t.Fatal(err)
		}
		ms, _ := migration.Load(migrationFiles)
		if rows != len(ms) || version != ms[len(ms)-1].Version {
			t.Errorf("open %d: schema_migrations has %d rows up to version %d, want %d up to %d",
				i, rows, version, len(ms), ms[len(ms)-1].Version)
		}
		if n, err := s.Depth(ctx); err != nil || n != 1 {
			t.Errorf("open %d: Depth = %d, %v; data must survive reopening", i, n, err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrationsRefuseNewerDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = s.w.do(context.Background(), func(tx *writeTx) error {
		_, err := tx.conn.ExecContext(context.Background(),
			`INSERT INTO schema_migrations (version, name, applied_at) VALUES (9999, 'future', 0)`)
		return err
	})
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if s, err := Open(path, Options{}); err == nil {
		s.Close()
		t.Fatal("Open of a database migrated by a newer build succeeded")
	} else if !strings.Contains(err.Error(), "newer") {
		t.Errorf("error = %v, want one that says the database is newer", err)
	}
}

func TestLoadMigrations(t *testing.T) {
	sql := &fstest.MapFile{Data: []byte("SELECT 1;")}
	cases := []struct {
		name    string
		files   fstest.MapFS
		want    string // version and name of each, or the error's start
		wantErr bool
	}{
		{"ordered by number", fstest.MapFS{"migrations/0010_b.sql": sql, "migrations/0002_a.sql": sql}, "2a 10b", false},
		{"no number", fstest.MapFS{"migrations/init.sql": sql}, "migration migrations/init.sql", true},
		{"duplicate", fstest.MapFS{"migrations/0001_a.sql": sql, "migrations/001_b.sql": sql}, "migrations a and b", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ms, err := migration.Load(tc.files)
			if tc.wantErr {
				if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
					t.Errorf("error = %v, want %q…", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range ms {
				got = append(got, fmt.Sprintf("%d%s", m.Version, m.Name))
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("migrations = %v, want %s", got, tc.want)
			}
		})
	}
}

// TestLiveIndexMigration upgrades a database made by the first schema, with
// executions pending, running (one with an expired lease) and ended, and
// checks that claims, Depth and history by status still find them.
func TestLiveIndexMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	expired := time.Now().Add(-time.Minute).UnixNano()
	databaseAt(t, path, 1,
		`INSERT INTO executions (id, flow, status, received_at) VALUES ('ex_1', 'f', 'succeeded', 1)`,
		`INSERT INTO executions (id, flow, status, received_at) VALUES ('ex_2', 'f', 'failed', 2)`,
		fmt.Sprintf(`INSERT INTO executions (id, flow, status, owner, lease_until, claims, received_at) VALUES ('ex_3', 'f', 'running', 'dead', %d, 1, 3)`, expired),
		`INSERT INTO executions (id, flow, status, received_at) VALUES ('ex_4', 'f', 'pending', 4)`,
		`INSERT INTO executions (id, flow, status, received_at) VALUES ('ex_5', 'f', 'pending', 5)`,
	)

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, err := s.Depth(ctx); err != nil || n != 2 {
		t.Errorf("Depth = %d, %v, want 2", n, err)
	}
	for st, want := range map[store.Status]string{store.Failed: "ex_2", store.Running: "ex_3", store.Succeeded: "ex_1"} {
		got, err := s.Executions(ctx, store.Filter{Status: st})
		if err != nil || len(got) != 1 || got[0].ID != want {
			t.Errorf("Executions(%s) = %v, %v, want [%s]", st, got, err, want)
		}
	}
	claimed, err := s.Claim(ctx, "w", 10, time.Minute, store.ClaimOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range claimed {
		ids = append(ids, e.ID)
	}
	if strings.Join(ids, " ") != "ex_3 ex_4 ex_5" {
		t.Errorf("Claim after the migration = %v, want [ex_3 ex_4 ex_5]", ids)
	}
}

// TestPayloadsMigration upgrades a database whose executions hold their
// payloads (schema version 2) and checks that every payload, and only
// those, moved to the payloads table: claims, Execution and history read
// them as before, and new executions keep theirs apart too.
func TestPayloadsMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.db")
	ctx := context.Background()
	want := map[string]string{"ex_1": `{"done":1}`, "ex_2": "", "ex_3": `{"pending":3}`}
	databaseAt(t, path, 2,
		`INSERT INTO executions (id, flow, status, payload, received_at) VALUES ('ex_1', 'f', 'succeeded', '{"done":1}', 1)`,
		`INSERT INTO executions (id, flow, status, payload, received_at) VALUES ('ex_2', 'f', 'pending', NULL, 2)`,
		`INSERT INTO executions (id, flow, status, payload, received_at) VALUES ('ex_3', 'f', 'pending', '{"pending":3}', 3)`,
	)

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for id, p := range want {
		e, err := s.Execution(ctx, id)
		if err != nil || string(e.Payload) != p {
			t.Errorf("Execution(%s).Payload = %q, %v, want %q", id, e.Payload, err, p)
		}
	}
	claimed, err := s.Claim(ctx, "w", 10, time.Minute, store.ClaimOptions{})
	if err != nil || len(claimed) != 2 || string(claimed[1].Payload) != want["ex_3"] {
		t.Errorf("Claim after the migration = %+v, %v, want ex_2 and ex_3 with its payload", claimed, err)
	}
	ended, err := s.Executions(ctx, store.Filter{Status: store.Succeeded})
	if err != nil || len(ended) != 1 || string(ended[0].Payload) != want["ex_1"] {
		t.Errorf("Executions(succeeded) = %+v, %v, want ex_1 with its payload", ended, err)
	}
	var rows, column int
	if err := s.rdb.QueryRow(`SELECT (SELECT COUNT(*) FROM payloads),
		(SELECT COUNT(*) FROM pragma_table_info('executions') WHERE name = 'payload')`).Scan(&rows, &column); err != nil {
		t.Fatal(err)
	}
	if rows != 2 || column != 0 {
		t.Errorf("after the migration: %d payload rows (want 2: none for an empty payload), executions.payload columns: %d (want 0)", rows, column)
	}
	res, err := s.Enqueue(ctx, []store.Event{{Flow: "f", DedupKey: "new", Payload: []byte(`{"new":4}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if e, err := s.Execution(ctx, res[0].ID); err != nil || string(e.Payload) != `{"new":4}` {
		t.Errorf("a new execution's payload = %q, %v", e.Payload, err)
	}
}

// databaseAt makes the database at path at schema version (its first
// version migrations applied) and runs rows in it: what an older
// cardflow left behind.
func databaseAt(t *testing.T, path string, version int, rows ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := openDB(path, Options{}.withDefaults(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ms, err := migration.Load(migrationFiles)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, conn, ms[:version]); err != nil {
		t.Fatal(err)
	}
	for _, q := range rows {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
}
