package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// historyRows is the size of the history the list benchmark pages through.
const historyRows = 1_000_000

// historyDB returns a store file with historyRows finished executions over
// 30 days (five flows, 1 % failed, two correlation terms each: a login and
// an incident number). Building it takes a minute; it is kept in the
// temporary directory for the next run (CARDFLOW_BENCH_KEEP=0 rebuilds it).
func historyDB(b *testing.B) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("cardflow-history-%d-v3.db", historyRows))
	if _, err := os.Stat(path); err == nil && os.Getenv("CARDFLOW_BENCH_KEEP") != "0" {
		return path
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	s.Close() // migrated
	db, err := sql.Open("sqlite", path)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	ex, _ := tx.Prepare(`INSERT INTO executions (id, flow, dedup_key, status, claims, received_at, started_at, ended_at, definition_hash, terms)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, 'h', ?)`)
	term, _ := tx.Prepare(`INSERT INTO execution_terms (term, execution_num) VALUES (?, ?)`)
	var ids store.IDSource
	start := time.Now().Add(-30 * 24 * time.Hour)
	step := 30 * 24 * time.Hour / historyRows
	flows := []string{"request_approval", "provision_on_approval", "on_rejection", "offboarding", "sync_groups"}
	for i := range historyRows {
		at := start.Add(time.Duration(i) * step)
		id := ids.Next(at)
		status := store.Succeeded
		if i%100 == 7 {
			status = store.Failed
		}
		terms := []string{fmt.Sprintf("inc%07d", i), fmt.Sprintf("user%07d@acme.example", i)}
		res, err := ex.Exec(id, flows[i%len(flows)], fmt.Sprint(i), string(status), at.UnixNano(), at.UnixNano(), at.Add(40*time.Millisecond).UnixNano(),
			strings.Join(terms, "\n"))
		if err != nil {
			b.Fatal(err)
		}
		num, _ := res.LastInsertId()
		for _, t := range terms {
			if _, err := term.Exec(t, num); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Exec(`ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkHistoryPage is one page (50) of the console's executions list
// over a million executions, newest first, as each filter asks it. The
// console's goal is every page in at most 100 ms of server time.
func BenchmarkHistoryPage(b *testing.B) {
	if testing.Short() {
		b.Skip("builds a million-execution store")
	}
	path := historyDB(b)
	s, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	// A page deep in history: the keyset of the 10,000th newest.
	deep, err := s.Executions(ctx, store.Filter{Limit: 10_000})
	if err != nil || len(deep) != 10_000 {
		b.Fatalf("Executions = %d, %v", len(deep), err)
	}
	before := deep[len(deep)-1].ID
	week := time.Now().Add(-7 * 24 * time.Hour)
	cases := []struct {
		name string
		f    store.Filter
		want int
	}{
		{"newest", store.Filter{}, 50},
		{"keyset_deep", store.Filter{Before: before}, 50},
		{"flow", store.Filter{Flow: "offboarding"}, 50},
		{"status_failed", store.Filter{Status: store.Failed}, 50},
		{"flow_failed_deep", store.Filter{Flow: "on_rejection", Status: store.Failed, Before: before}, 50},
		{"window_week_ago", store.Filter{Before: store.IDAt(week), Since: week.Add(-time.Hour)}, 50},
		{"since_week_ago_failed", store.Filter{Since: week, Status: store.Failed}, 50},
		{"login", store.Filter{Text: "user0123456@acme.example"}, 1},
		{"login_prefix", store.Filter{Text: "user012345"}, 10},
		{"incident", store.Filter{Text: "INC0999999"}, 1},
		{"search_no_match", store.Filter{Text: "carol@acme.example"}, 0},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			tc.f.Limit = 50
			for b.Loop() {
				got, err := s.Executions(ctx, tc.f)
				if err != nil {
					b.Fatal(err)
				}
				if len(got) != tc.want {
					b.Fatalf("%d executions, want %d", len(got), tc.want)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/page")
		})
	}
}
