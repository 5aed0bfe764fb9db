package storetest

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var claimTests = []test{
	{"ClaimOldestFirst", testClaimOldestFirst},
	{"ClaimFields", testClaimFields},
	{"ClaimHeldLeaseNotReclaimed", testClaimHeldLeaseNotReclaimed},
	{"ClaimExpiredLeaseReclaimed", testClaimExpiredLeaseReclaimed},
	{"ClaimConcurrent", testClaimConcurrent},
	{"ClaimPinned", testClaimPinned},
	{"ClaimPinnedReclaim", testClaimPinnedReclaim},
	{"Renew", testRenew},
	{"RenewLost", testRenewLost},
	{"Release", testRelease},
}

func testClaimOldestFirst(t *testing.T, s store.Store) {
	if got := mustClaim(t, s, "w1", 10, time.Minute); len(got) != 0 {
		t.Fatalf("Claim on an empty inbox = %v", idsOf(got))
	}
	var want []string
	for i := range 5 {
		want = append(want, mustEnqueue(t, s, event("a", string(rune('a'+i))))...)
	}
	got := idsOf(mustClaim(t, s, "w1", 2, time.Minute))
	if diff := cmp.Diff(want[:2], got); diff != "" {
		t.Errorf("first Claim(2) (-want +got):\n%s", diff)
	}
	got = idsOf(mustClaim(t, s, "w2", 10, time.Minute))
	if diff := cmp.Diff(want[2:], got); diff != "" {
		t.Errorf("second Claim(10) (-want +got):\n%s", diff)
	}
	if got := mustClaim(t, s, "w3", 10, time.Minute); len(got) != 0 {
		t.Errorf("Claim with everything held = %v, want none", idsOf(got))
	}
	if got := mustClaim(t, s, "w3", 0, time.Minute); len(got) != 0 {
		t.Errorf("Claim(0) = %v, want none", idsOf(got))
	}
}

func testClaimFields(t *testing.T, s store.Store) {
	ev := event("a", "k")
	id := mustEnqueue(t, s, ev)[0]
	before := time.Now()
	got := mustClaim(t, s, "worker-1", 1, time.Minute)
	after := time.Now()
	if len(got) != 1 {
		t.Fatalf("Claim returned %d executions, want 1", len(got))
	}
	e := got[0]
	if e.ID != id || e.Status != store.Running || e.Owner != "worker-1" || e.Claims != 1 {
		t.Errorf("claimed = {ID:%s Status:%s Owner:%s Claims:%d}, want {%s running worker-1 1}",
			e.ID, e.Status, e.Owner, e.Claims, id)
	}
	if !within(e.LeaseUntil, before.Add(time.Minute), after.Add(time.Minute)) {
		t.Errorf("LeaseUntil = %v, want now+1m (%v)", e.LeaseUntil, before.Add(time.Minute))
	}
	if !within(e.StartedAt, before, after) {
		t.Errorf("StartedAt = %v, want about %v", e.StartedAt, before)
	}
	if e.Flow != ev.Flow || e.Type != ev.Type || string(e.Payload) != string(ev.Payload) {
		t.Errorf("claimed execution lost its event: %+v", e)
	}
	if diff := cmp.Diff(e, mustExecution(t, s, id), cmpOpts); diff != "" {
		t.Errorf("Execution differs from what Claim returned (-claim +stored):\n%s", diff)
	}
}

func testClaimHeldLeaseNotReclaimed(t *testing.T, s store.Store) {
	mustEnqueue(t, s, event("a", "k"))
	mustClaim(t, s, "w1", 1, time.Minute)
	if got := mustClaim(t, s, "w2", 1, time.Minute); len(got) != 0 {
		t.Errorf("w2 claimed %v while w1's lease runs", idsOf(got))
	}
}

func testClaimExpiredLeaseReclaimed(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	first := mustClaim(t, s, "w1", 1, shortLease)
	if len(first) != 1 {
		t.Fatalf("Claim returned %d executions, want 1", len(first))
	}
	time.Sleep(2 * shortLease)
	got := mustClaim(t, s, "w2", 1, time.Minute)
	if len(got) != 1 || got[0].ID != id {
		t.Fatalf("Claim after w1's lease expired = %v, want [%s]", idsOf(got), id)
	}
	e := got[0]
	if e.Owner != "w2" || e.Claims != 2 || e.Status != store.Running {
		t.Errorf("reclaimed = {Owner:%s Claims:%d Status:%s}, want {w2 2 running}", e.Owner, e.Claims, e.Status)
	}
	if d := e.StartedAt.Sub(first[0].StartedAt); d > time.Millisecond || d < -time.Millisecond {
		t.Errorf("StartedAt moved on reclaim: %v, first claimed %v", e.StartedAt, first[0].StartedAt)
	}
}

func testClaimConcurrent(t *testing.T, s store.Store) {
	const total, claimers = 200, 4
	want := mustEnqueue(t, s, events("a", "c", total)...)
	var (
		mu  sync.Mutex
		got []string
		wg  sync.WaitGroup
	)
	for w := range claimers {
		wg.Go(func() {
			owner := "w" + string(rune('0'+w))
			for {
				batch, err := s.Claim(ctx(t), owner, 7, time.Minute, store.ClaimOptions{})
				if err != nil {
					t.Errorf("Claim(%s): %v", owner, err)
					return
				}
				if len(batch) == 0 {
					return
				}
				mu.Lock()
				got = append(got, idsOf(batch)...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	seen := make(map[string]bool)
	for _, id := range got {
		if seen[id] {
			t.Errorf("execution %s claimed twice", id)
		}
		seen[id] = true
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("executions claimed by %d claimers (-want +got):\n%s", claimers, diff)
	}
}

func testRenew(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "r", 2)...)
	mustClaim(t, s, "w1", 2, shortLease)
	before := time.Now()
	if err := s.Renew(ctx(t), "w1", ids, time.Minute); err != nil {
		t.Fatalf("Renew by the owner: %v", err)
	}
	for _, id := range ids {
		if e := mustExecution(t, s, id); !within(e.LeaseUntil, before.Add(time.Minute), time.Now().Add(time.Minute)) {
			t.Errorf("LeaseUntil of %s after Renew = %v, want now+1m", id, e.LeaseUntil)
		}
	}
	time.Sleep(2 * shortLease)
	if got := mustClaim(t, s, "w2", 2, time.Minute); len(got) != 0 {
		t.Errorf("w2 claimed %d renewed executions", len(got))
	}
	wantErrIs(t, "Renew by another owner", s.Renew(ctx(t), "w2", ids, time.Minute), store.ErrLeaseLost)
}

func testRenewLost(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	mustClaim(t, s, "w1", 1, shortLease)
	time.Sleep(2 * shortLease)
	if got := mustClaim(t, s, "w2", 1, time.Minute); len(got) != 1 {
		t.Fatalf("w2 could not claim the expired execution")
	}
	wantErrIs(t, "Renew after losing the lease", s.Renew(ctx(t), "w1", []string{id}, time.Minute), store.ErrLeaseLost)
	if e := mustExecution(t, s, id); e.Owner != "w2" {
		t.Errorf("Owner after a failed renew = %q, want w2", e.Owner)
	}
	if err := s.Finish(ctx(t), id, store.Succeeded, nil, ""); err != nil {
		t.Fatal(err)
	}
	wantErrIs(t, "Renew of a finished execution", s.Renew(ctx(t), "w2", []string{id}, time.Minute), store.ErrLeaseLost)
}

func testRelease(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, events("a", "r", 3)...)
	mustClaim(t, s, "w1", 3, time.Minute)
	if err := s.Release(ctx(t), "w2", ids); err != nil {
		t.Fatalf("Release by a non-owner: %v", err)
	}
	mustDepth(t, s, 0) // not w2's to give back
	if err := s.Release(ctx(t), "w1", ids[:2]); err != nil {
		t.Fatal(err)
	}
	mustDepth(t, s, 2)
	e := mustExecution(t, s, ids[0])
	if e.Status != store.Pending || e.Owner != "" || !e.LeaseUntil.IsZero() {
		t.Errorf("released = {Status:%s Owner:%q LeaseUntil:%v}, want pending, no owner, no lease", e.Status, e.Owner, e.LeaseUntil)
	}
	got := mustClaim(t, s, "w2", 10, time.Minute)
	if diff := cmp.Diff(ids[:2], idsOf(got)); diff != "" {
		t.Errorf("Claim after Release (-want +got):\n%s", diff)
	}
	for _, e := range got {
		if e.Claims != 1 {
			t.Errorf("Claims after release and reclaim = %d, want 1: a graceful release is not a crash", e.Claims)
		}
	}
}

// testClaimPinned: Claim with a Pin pins what has no definition yet, to what
// pin says for its flow, and leaves the rest as Claim would.
func testClaimPinned(t *testing.T, s store.Store) {
	ids := mustEnqueue(t, s, event("a", "1"), event("b", "2"), event("skip", "3"))
	preset := event("a", "4")
	preset.DefinitionHash = "sha256:enqueued"
	ids = append(ids, mustEnqueue(t, s, preset)...)
	var asked []string
	pin := func(flow string) string {
		asked = append(asked, flow)
		if flow == "skip" {
			return ""
		}
		return "sha256:" + flow
	}
	got, err := s.Claim(ctx(t), "w1", 10, time.Minute, store.ClaimOptions{Pin: pin})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(ids, idsOf(got)); diff != "" {
		t.Fatalf("Claim with a Pin (-want +got):\n%s", diff)
	}
	slices.Sort(asked)
	if diff := cmp.Diff([]string{"a", "b", "skip"}, asked); diff != "" {
		t.Errorf("pin asked for (-want +got):\n%s", diff)
	}
	want := []struct {
		hash   string
		pinned bool
	}{{"sha256:a", true}, {"sha256:b", true}, {"", false}, {"sha256:enqueued", false}}
	for i, e := range got {
		if e.DefinitionHash != want[i].hash || e.PinnedByClaim != want[i].pinned {
			t.Errorf("claimed %s = {DefinitionHash:%q PinnedByClaim:%v}, want {%q %v}",
				e.Flow, e.DefinitionHash, e.PinnedByClaim, want[i].hash, want[i].pinned)
		}
		if e.Status != store.Running || e.Owner != "w1" || e.Claims != 1 {
			t.Errorf("claimed %s = {Status:%s Owner:%s Claims:%d}, want {running w1 1}", e.ID, e.Status, e.Owner, e.Claims)
		}
		stored := mustExecution(t, s, e.ID)
		if stored.PinnedByClaim {
			t.Errorf("Execution(%s).PinnedByClaim is set; only the pinning Claim's result says it", e.ID)
		}
		e.PinnedByClaim = false
		if diff := cmp.Diff(e, stored, cmpOpts); diff != "" {
			t.Errorf("Execution differs from what Claim with a Pin returned (-claim +stored):\n%s", diff)
		}
	}
	if got, err := s.Claim(ctx(t), "w2", 10, time.Minute, store.ClaimOptions{Pin: pin}); err != nil || len(got) != 0 {
		t.Errorf("Claim with a Pin with everything held = %v, %v, want none", idsOf(got), err)
	}
}

// testClaimPinnedReclaim: an execution pinned by a claim whose owner died
// keeps its definition, and the next claim does not report it pinned: it
// may have started.
func testClaimPinnedReclaim(t *testing.T, s store.Store) {
	id := mustEnqueue(t, s, event("a", "k"))[0]
	first, err := s.Claim(ctx(t), "w1", 1, shortLease, store.ClaimOptions{Pin: func(string) string { return "sha256:v1" }})
	if err != nil || len(first) != 1 || !first[0].PinnedByClaim {
		t.Fatalf("Claim with a Pin = %+v, %v, want %s pinned", first, err, id)
	}
	time.Sleep(2 * shortLease)
	got, err := s.Claim(ctx(t), "w2", 1, time.Minute, store.ClaimOptions{Pin: func(string) string { return "sha256:v2" }})
	if err != nil || len(got) != 1 {
		t.Fatalf("Claim with a Pin after w1's lease expired = %v, %v, want [%s]", idsOf(got), err, id)
	}
	if e := got[0]; e.DefinitionHash != "sha256:v1" || e.PinnedByClaim || e.Claims != 2 {
		t.Errorf("reclaimed = {DefinitionHash:%q PinnedByClaim:%v Claims:%d}, want {sha256:v1 false 2}",
			e.DefinitionHash, e.PinnedByClaim, e.Claims)
	}
}
