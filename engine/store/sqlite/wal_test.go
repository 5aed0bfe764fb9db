package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/store"
)

// oktaEvent is a real event hook's event, as the intake stores it: the
// payload size of the executions the engine runs most. It panics if the
// Okta connector's fixture is missing: the benchmarks read it at init.
func oktaEvent() []byte {
	body, err := os.ReadFile("../../../connectors/okta/testdata/event-hook-user-created.json")
	if err != nil {
		panic(err)
	}
	var hook struct {
		Data struct {
			Events []json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &hook); err != nil || len(hook.Data.Events) == 0 {
		panic(fmt.Sprintf("event hook fixture: %v", err))
	}
	return hook.Data.Events[0]
}

// testPin pins every execution to one definition, as the engine's pool
// pins what it claims to the current definition of its flow.
func testPin(string) string {
	return "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
}

// enqueueAndClaim enqueues ev and claims its execution for owner, pinned
// by testPin: in the enqueue's transaction (the intake's way when a worker
// is idle), or after it, as the pool claims.
func enqueueAndClaim(ctx context.Context, s store.Store, ev store.Event, owner string, atEnqueue bool) (*store.Execution, error) {
	if atEnqueue {
		res, err := s.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{Claim: store.Claimant{Owner: owner, Lease: time.Minute, Max: 1, Pin: testPin}})
		if err != nil {
			return nil, err
		}
		if res[0].Claimed == nil {
			return nil, fmt.Errorf("Enqueue with a Claim claimed nothing")
		}
		return res[0].Claimed, nil
	}
	if _, err := s.Enqueue(ctx, []store.Event{ev}, store.EnqueueOptions{}); err != nil {
		return nil, err
	}
	for {
		exs, err := s.Claim(ctx, owner, 1, time.Minute, store.ClaimOptions{Pin: testPin})
		if err != nil || len(exs) > 0 {
			if err != nil {
				return nil, err
			}
			return exs[0], nil
		}
	}
}

// BenchmarkWALPages counts the pages an execution's writes add to the WAL
// (each a 4 KiB frame the commit writes and the checkpoint copies again),
// for the life of an execution of a four-card flow under concurrent load:
// enqueue, claim (by the pool, or with the enqueue), three journal
// appends, finish with the last entry. It turns checkpoints off so that
// the WAL keeps every frame: run it with a fixed count, -benchtime 2000x.
func BenchmarkWALPages(b *testing.B) {
	event := oktaEvent()
	// Three events' worth: a payload past what one page holds, which
	// SQLite keeps in overflow pages.
	large := []byte("[" + string(event) + "," + string(event) + "," + string(event) + "]")
	for _, tc := range []struct {
		name      string
		atEnqueue bool
		payload   []byte
	}{
		{"claim=pool/payload=okta", false, event},
		{"claim=enqueue/payload=okta", true, event},
		{"claim=pool/payload=3xokta", false, large},
		{"claim=enqueue/payload=3xokta", true, large},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s, err := Open(filepath.Join(b.TempDir(), "wal.db"), Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			s.w.committed = func() {} // no checkpoints: the WAL keeps every frame
			payload := tc.payload
			walFrames(b, s, "TRUNCATE") // the schema's pages: an empty WAL
			batches0, _ := BatchStats(s)
			var seq atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				owner := fmt.Sprintf("worker-%d", seq.Add(1<<40)>>40)
				for pb.Next() {
					if err := walLifecycle(s, owner, fmt.Sprint(seq.Add(1)), payload, tc.atEnqueue); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.StopTimer()
			frames := walFrames(b, s, "PASSIVE")
			batches, _ := BatchStats(s)
			b.ReportMetric(float64(frames)/float64(b.N), "pages/exec")
			b.ReportMetric(float64(batches-batches0)/float64(b.N), "commits/exec")
			b.ReportMetric(float64(frames)/float64(batches-batches0), "pages/commit")
		})
	}
}

func walLifecycle(s *Store, owner, key string, payload []byte, atEnqueue bool) error {
	ctx := context.Background()
	ev := store.Event{Flow: "request_approval", DedupKey: key, Type: "user.lifecycle.create", Payload: payload, ReceivedAt: time.Now()}
	ex, err := enqueueAndClaim(ctx, s, ev, owner, atEnqueue)
	if err != nil {
		return err
	}
	entry := func(card string) store.JournalEntry {
		now := time.Now()
		return store.JournalEntry{ExecutionID: ex.ID, Card: card, Attempt: 1, Status: store.EntryOK,
			Input: []byte(`{"user":"00u1abcdefghijklmnop"}`), Output: payload[:600], StartedAt: now, EndedAt: now}
	}
	for _, card := range []string{"read_user", "description", "incident"} {
		if err := s.Append(ctx, entry(card)); err != nil {
			return err
		}
	}
	return s.Finish(ctx, ex.ID, store.Succeeded, []byte(`{"ok":true}`), "", entry("remember"))
}

// walFrames checkpoints the WAL in mode and returns the frames it held.
func walFrames(tb testing.TB, s *Store, mode string) int64 {
	tb.Helper()
	var busy, log, done int64
	err := s.cp.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &done)
	if err != nil {
		tb.Fatal(err)
	}
	return log
}
