package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// oldExecutions is the history BenchmarkIntakeWhilePruning starts with.
const oldExecutions = 1_000_000

var (
	oldHistoryOnce sync.Once
	oldHistoryPath string
	oldHistoryErr  error
)

// oldHistory returns a SQLite store file holding oldExecutions succeeded
// executions that ended a year ago, each with a 300-byte payload and two
// journal entries, built once per test binary. It is written by SQL in
// one transaction (the store's own writes would take many minutes for a
// million executions); ids sort like the store's, before any made today.
func oldHistory(b *testing.B) string {
	oldHistoryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cardflow-prune-bench-")
		if err != nil {
			oldHistoryErr = err
			return
		}
		oldHistoryPath = filepath.Join(dir, "history.db")
		oldHistoryErr = buildOldHistory(oldHistoryPath, oldExecutions)
	})
	if oldHistoryErr != nil {
		b.Fatal(oldHistoryErr)
	}
	return oldHistoryPath
}

// removeOldHistory deletes what oldHistory built (TestMain calls it).
func removeOldHistory() {
	if oldHistoryPath != "" {
		os.RemoveAll(filepath.Dir(oldHistoryPath))
	}
}

func buildOldHistory(path string, n int) error {
	s, err := sqlite.Open(path, sqlite.Options{}) // the schema
	if err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		return err
	}
	defer db.Close()
	ended := time.Now().AddDate(-1, 0, 0).UnixNano()
	const series = `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ?) `
	stmts := []struct {
		sql  string
		args []any
	}{
		{series + `INSERT INTO executions (id, flow, dedup_key, type, definition_hash, status, output, claims, received_at, started_at, ended_at)
			SELECT printf('ex_00%024d', i), 'request_approval', 'old-' || i, 'user.lifecycle.create', 'sha256:0123456789abcdef',
				'succeeded', '{"ok":true}', 1, ?, ?, ? FROM n`, []any{n - 1, ended, ended, ended}},
		{`INSERT INTO payloads (execution_num, payload) SELECT num, ? FROM executions`, []any{string(benchPayload[:300])}},
		{`INSERT INTO journal (execution_num, seq, card, attempt, status, input, output, started_at, ended_at)
			SELECT num, s.seq, 'card_' || s.seq, 1, 'ok', ?, ?, ?, ? FROM executions, (SELECT 1 AS seq UNION ALL SELECT 2) AS s`,
			[]any{benchInput, benchOutput[:150], ended, ended}},
	}
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if _, err := tx.Exec(st.sql, st.args...); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("building the old history: %w", err)
		}
	}
	return tx.Commit()
}

// BenchmarkIntakeWhilePruning is BenchmarkEnqueue (the intake of event
// hooks) on a store holding a million executions past the retention
// period, alone ("idle") and while the background pruner of cardflow run
// deletes them ("pruning", store.PruneAll at store.BackgroundPruneShare).
// pruned/s is the pruner's pace meanwhile.
func BenchmarkIntakeWhilePruning(b *testing.B) {
	src := oldHistory(b)
	// One copy per case, made at its first run and used by its later ones
	// (the benchmark runs each case with a growing b.N): copying 1.5 GB
	// for each would take longer than the measurement. The pruning case
	// starts each run with fewer old executions; a million lasts.
	dir := b.TempDir()
	for _, pruning := range []bool{false, true} {
		name := "idle"
		if pruning {
			name = "pruning"
		}
		path := filepath.Join(dir, name+".db")
		b.Run(name, func(b *testing.B) {
			if _, err := os.Stat(path); err != nil {
				if err := copyFile(src, path); err != nil {
					b.Fatal(err)
				}
			}
			s := open(b, path, sqlite.Options{})
			defer s.Close()
			ctx, cancel := context.WithCancel(context.Background())
			pr := &countingPruner{Pruner: s}
			done := make(chan struct{})
			go func() {
				defer close(done)
				if pruning {
					_, _ = store.PruneAll(ctx, pr, store.Prune{Before: time.Now().AddDate(0, 0, -30)}, store.BackgroundPruneShare)
				}
			}()
			// Measure pruning under way: its first batch, which reads
			// cold pages, is done.
			for pruning && pr.n.Load() == 0 {
				time.Sleep(time.Millisecond)
			}
			first := pr.n.Load()
			var seq atomic.Int64
			b.SetParallelism(benchParallelism)
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := benchcpu.Time()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					ev := store.Event{Flow: "request_approval", DedupKey: fmt.Sprintf("%s-%d", name, seq.Add(1)), Type: "user.lifecycle.create",
						Payload: benchPayload, ReceivedAt: time.Now()}
					if _, err := s.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			reportExecPerSec(b, s, cpu0)
			cancel()
			<-done
			if pruning {
				b.ReportMetric(float64(pr.n.Load()-first)/b.Elapsed().Seconds(), "pruned/s")
			}
		})
	}
}

// countingPruner counts what the pruner deleted as it goes.
type countingPruner struct {
	store.Pruner
	n atomic.Int64
}

func (c *countingPruner) Prune(ctx context.Context, p store.Prune) (int, error) {
	n, err := c.Pruner.Prune(ctx, p)
	c.n.Add(int64(n))
	return n, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
