package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
)

// Tests of what several replicas on one database rely on, beyond the
// conformance suite: each store here is one replica.

func replicas(t *testing.T, n int) []*postgres.Store {
	t.Helper()
	dsn, schema := pgtest.Schema(t)
	out := make([]*postgres.Store, n)
	for i := range out {
		out[i] = openIn(t, dsn, schema, postgres.Options{})
	}
	return out
}

func TestMigrateConcurrentOpen(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	const n = 4
	var wg sync.WaitGroup
	errs := make([]error, n)
	stores := make([]*postgres.Store, n)
	for i := range n {
		wg.Go(func() {
			stores[i], errs[i] = postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: Open: %v", i, err)
			continue
		}
		stores[i].Close()
	}
	// Each migration once, however many replicas raced to apply it.
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) < 2 {
		t.Fatalf("migrations: %v, %v", files, err)
	}
	if got := count(t, dsn, schema, `SELECT count(*) FROM schema_migrations`); got != len(files) {
		t.Errorf("schema_migrations has %d rows after %d concurrent opens, want %d (one per migration)", got, n, len(files))
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	dsn, schema := pgtest.Schema(t)
	openIn(t, dsn, schema, postgres.Options{}).Close()
	exec(t, dsn, schema, `INSERT INTO schema_migrations (version, name) VALUES (9999, 'from_the_future')`)
	s, err := postgres.Open(context.Background(), dsn, postgres.Options{Schema: schema})
	if err == nil {
		s.Close()
		t.Fatal("Open of a schema migrated by a newer build succeeded")
	}
}

func TestNotifyWakesOtherReplica(t *testing.T) {
	rs := replicas(t, 2)
	wake := rs[1].Notify()
	// The listener wakes once when it starts listening; wait for that.
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("the listener did not start")
	}
	if _, err := rs[0].Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: "1"}}, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-wake:
	case <-time.After(5 * time.Second):
		t.Fatal("replica 1 was not notified of replica 0's enqueue")
	}
}

func TestNotifyOff(t *testing.T) {
	if ch := open(t, postgres.Options{NoListen: true}).Notify(); ch != nil {
		t.Error("Notify with NoListen returned a channel")
	}
}

func TestDedupAcrossReplicas(t *testing.T) {
	rs := replicas(t, 3)
	const events = 50
	res := make([][]store.Enqueued, len(rs))
	var wg sync.WaitGroup
	for i, s := range rs {
		wg.Go(func() {
			for k := range events {
				r, err := s.Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: fmt.Sprint(k)}}, store.EnqueueOptions{})
				if err != nil {
					t.Errorf("replica %d: %v", i, err)
					return
				}
				res[i] = append(res[i], r[0])
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for k := range events {
		created := 0
		for i := range rs {
			if !res[i][k].Duplicate {
				created++
			}
			if res[i][k].ID != res[0][k].ID {
				t.Errorf("event %d: replica %d got id %s, replica 0 %s", k, i, res[i][k].ID, res[0][k].ID)
			}
		}
		if created != 1 {
			t.Errorf("event %d created %d executions, want 1", k, created)
		}
	}
	if d, _ := rs[0].Depth(t.Context()); d != events {
		t.Errorf("Depth = %d, want %d", d, events)
	}
}

// TestClaimAcrossReplicas: replicas claiming concurrently each get a
// disjoint share, and a dead replica's claims go to another after its lease.
func TestClaimAcrossReplicas(t *testing.T) {
	rs := replicas(t, 3)
	var evs []store.Event
	for k := range 300 {
		evs = append(evs, store.Event{Flow: "f", DedupKey: fmt.Sprint(k)})
	}
	if _, err := rs[0].Enqueue(t.Context(), evs, store.EnqueueOptions{}); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[string]string{}
		wg   sync.WaitGroup
	)
	for i, s := range rs {
		wg.Go(func() {
			owner := fmt.Sprintf("r%d", i)
			for {
				exs, err := s.Claim(t.Context(), owner, 8, 300*time.Millisecond, store.ClaimOptions{})
				if err != nil {
					t.Errorf("%s: Claim: %v", owner, err)
					return
				}
				if len(exs) == 0 {
					return
				}
				mu.Lock()
				for _, e := range exs {
					if prev, ok := seen[e.ID]; ok {
						t.Errorf("%s claimed %s, which %s holds", owner, e.ID, prev)
					}
					seen[e.ID] = owner
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != len(evs) {
		t.Fatalf("claimed %d executions, want %d", len(seen), len(evs))
	}
	// Every replica but r2 finishes its share; r2 "dies".
	for id, owner := range seen {
		if owner != "r2" {
			if err := rs[0].Finish(t.Context(), id, store.Succeeded, nil, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	time.Sleep(400 * time.Millisecond)
	reclaimed := 0
	for {
		exs, err := rs[1].Claim(t.Context(), "r1", 50, time.Minute, store.ClaimOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(exs) == 0 {
			break
		}
		for _, e := range exs {
			if seen[e.ID] != "r2" || e.Claims != 2 {
				t.Errorf("reclaimed %s (owner %s, claims %d), want one of r2's with claims 2", e.ID, seen[e.ID], e.Claims)
			}
			reclaimed++
		}
	}
	want := 0
	for _, owner := range seen {
		if owner == "r2" {
			want++
		}
	}
	if reclaimed != want {
		t.Errorf("r1 reclaimed %d of the dead r2's executions, want %d", reclaimed, want)
	}
	if err := rs[2].Renew(t.Context(), "r2", []string{firstOf(seen, "r2")}, time.Minute); !errors.Is(err, store.ErrLeaseLost) {
		t.Errorf("the dead replica's Renew = %v, want ErrLeaseLost", err)
	}
}

func firstOf(m map[string]string, owner string) string {
	for id, o := range m {
		if o == owner {
			return id
		}
	}
	return ""
}

func TestLeaseAcrossReplicas(t *testing.T) {
	rs := replicas(t, 3)
	holders := 0
	for i, s := range rs {
		ok, err := s.AcquireLease(t.Context(), "poller/f", fmt.Sprintf("r%d", i), 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			holders++
		}
	}
	if holders != 1 {
		t.Fatalf("%d replicas hold the lease, want 1", holders)
	}
	time.Sleep(300 * time.Millisecond)
	if ok, err := rs[2].AcquireLease(t.Context(), "poller/f", "r2", time.Minute); err != nil || !ok {
		t.Errorf("r2 after r0's lease expired: %v, %v, want it taken", ok, err)
	}
}

// TestGroupFailureIsolated: in a group commit, one caller's failed write
// (an Append to an unknown execution) does not fail the others'.
func TestGroupFailureIsolated(t *testing.T) {
	s := open(t, postgres.Options{})
	ids := make([]string, 20)
	for i := range ids {
		r, err := s.Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: fmt.Sprint(i)}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = r[0].ID
	}
	var wg sync.WaitGroup
	errs := make([]error, len(ids))
	for i, id := range ids {
		if i%5 == 0 {
			id = "ex_missing"
		}
		wg.Go(func() {
			errs[i] = s.Append(t.Context(), store.JournalEntry{ExecutionID: id, Card: "c", Attempt: 1, Status: store.EntryOK})
		})
	}
	wg.Wait()
	for i, err := range errs {
		switch {
		case i%5 == 0 && !errors.Is(err, store.ErrNotFound):
			t.Errorf("Append %d to an unknown execution = %v, want ErrNotFound", i, err)
		case i%5 != 0 && err != nil:
			t.Errorf("Append %d: %v", i, err)
		case i%5 != 0:
			if j, _ := s.Journal(t.Context(), ids[i]); len(j) != 1 {
				t.Errorf("journal of %d has %d entries, want 1", i, len(j))
			}
		}
	}
}

// TestReopenAcrossReplicas: replicas that reopen one failed execution at
// once, each with its resets (two admins replaying it through two
// replicas): one reopens it, the others are refused as not finished, and
// the journal holds one set of resets each round.
func TestReopenAcrossReplicas(t *testing.T) {
	rs := replicas(t, 4)
	r, err := rs[0].Enqueue(t.Context(), []store.Event{{Flow: "f", DedupKey: "k"}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := r[0].ID
	for round := range 20 {
		if err := rs[0].Finish(t.Context(), id, store.Failed, nil, "boom"); err != nil {
			t.Fatal(err)
		}
		errs := make([]error, len(rs))
		var wg sync.WaitGroup
		for i, s := range rs {
			wg.Go(func() {
				key := fmt.Sprintf("round-%d-replica-%d", round, i)
				errs[i] = s.Reopen(t.Context(), id,
					store.JournalEntry{ExecutionID: id, Card: "c1", Key: key, Attempt: 1, Status: store.EntryReset},
					store.JournalEntry{ExecutionID: id, Card: "c2", Key: key, Attempt: 1, Status: store.EntryReset})
			})
		}
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !errors.Is(err, store.ErrNotFinished):
				t.Fatalf("round %d: replica %d: Reopen = %v, want success or ErrNotFinished", round, i, err)
			}
		}
		j, err := rs[0].Journal(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok != 1 || len(j) != 2*(round+1) {
			t.Fatalf("round %d: %d of %d Reopen calls succeeded and the journal has %d entries, want 1 and %d",
				round, ok, len(rs), len(j), 2*(round+1))
		}
	}
}

func count(t testing.TB, dsn, schema, sql string, args ...any) int {
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
	var n int
	if err := conn.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
