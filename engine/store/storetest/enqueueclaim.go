package storetest

import (
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/engine/store"
)

var enqueueClaimedTests = []test{
	{"EnqueueClaimed", testEnqueueClaimed},
	{"EnqueueClaimedDuplicates", testEnqueueClaimedDuplicates},
	{"EnqueueClaimedLeavesUnpinned", testEnqueueClaimedLeavesUnpinned},
	{"EnqueueClaimedExpiredLeaseReclaimed", testEnqueueClaimedExpiredLeaseReclaimed},
	{"EnqueueClaimedFinish", testEnqueueClaimedFinish},
	{"EnqueueClaimedWithCursor", testEnqueueClaimedWithCursor},
	{"EnqueueClaimedWithCursorAtomic", testEnqueueClaimedWithCursorAtomic},
}

// pinAll pins every flow to "sha256:" + its name.
func pinAll(flow string) string { return "sha256:" + flow }

func mustEnqueueClaimed(t *testing.T, s store.Store, c store.Claimant, evs ...store.Event) []store.Enqueued {
	t.Helper()
	res, err := s.Enqueue(ctx(t), evs, store.EnqueueOptions{Claim: c})
	if err != nil {
		t.Fatalf("Enqueue with a Claim: %v", err)
	}
	if len(res) != len(evs) {
		t.Fatalf("Enqueue with a Claim returned %d results for %d events", len(res), len(evs))
	}
	return res
}

// claimedOf returns which results carry a claimed execution.
func claimedOf(res []store.Enqueued) []bool {
	out := make([]bool, len(res))
	for i, r := range res {
		out[i] = r.Claimed != nil
	}
	return out
}

// testEnqueueClaimed: up to Max new executions are claimed in event order,
// exactly as Claim with a Pin would have claimed them, and the rest are pending
// for any claimant.
func testEnqueueClaimed(t *testing.T, s store.Store) {
	evs := events("a", "ec", 3)
	before := time.Now()
	res := mustEnqueueClaimed(t, s, store.Claimant{Owner: "w1", Lease: time.Minute, Max: 2, Pin: pinAll}, evs...)
	after := time.Now()
	if diff := cmp.Diff([]bool{true, true, false}, claimedOf(res)); diff != "" {
		t.Fatalf("claimed (-want +got):\n%s", diff)
	}
	for i, r := range res[:2] {
		e := r.Claimed
		if r.Duplicate || e.ID != r.ID {
			t.Errorf("result %d = {ID:%s Duplicate:%v Claimed.ID:%s}, want a new execution", i, r.ID, r.Duplicate, e.ID)
		}
		if e.Status != store.Running || e.Owner != "w1" || e.Claims != 1 || e.DefinitionHash != "sha256:a" || !e.PinnedByClaim {
			t.Errorf("claimed %s = {Status:%s Owner:%s Claims:%d DefinitionHash:%s PinnedByClaim:%v}, want {running w1 1 sha256:a true}",
				e.ID, e.Status, e.Owner, e.Claims, e.DefinitionHash, e.PinnedByClaim)
		}
		if !within(e.LeaseUntil, before.Add(time.Minute), after.Add(time.Minute)) {
			t.Errorf("LeaseUntil = %v, want now+1m (%v)", e.LeaseUntil, before.Add(time.Minute))
		}
		if !within(e.StartedAt, before, after) {
			t.Errorf("StartedAt = %v, want about %v", e.StartedAt, before)
		}
		if e.Flow != evs[i].Flow || e.DedupKey != evs[i].DedupKey || e.Type != evs[i].Type || string(e.Payload) != string(evs[i].Payload) {
			t.Errorf("claimed execution lost its event: %+v", e)
		}
		stored := mustExecution(t, s, e.ID)
		if stored.PinnedByClaim {
			t.Errorf("Execution(%s).PinnedByClaim is set; only the claim's result says it", e.ID)
		}
		want := *e
		want.PinnedByClaim = false
		if diff := cmp.Diff(&want, stored, cmpOpts); diff != "" {
			t.Errorf("Execution differs from what Enqueue with a Claim returned (-claim +stored):\n%s", diff)
		}
	}
	if e := mustExecution(t, s, res[2].ID); e.Status != store.Pending || e.Owner != "" || e.Claims != 0 || e.DefinitionHash != "" {
		t.Errorf("the event over Max = {Status:%s Owner:%q Claims:%d DefinitionHash:%q}, want pending and unpinned",
			e.Status, e.Owner, e.Claims, e.DefinitionHash)
	}
	mustDepth(t, s, 1)
	// What was claimed at enqueue is held; the rest is anyone's.
	got := mustClaim(t, s, "w2", 10, time.Minute)
	if diff := cmp.Diff([]string{res[2].ID}, idsOf(got)); diff != "" {
		t.Errorf("Claim by another owner (-want +got):\n%s", diff)
	}
	if err := s.Renew(ctx(t), "w1", []string{res[0].ID, res[1].ID}, time.Minute); err != nil {
		t.Errorf("Renew of the executions claimed at enqueue: %v", err)
	}

	// Max 0 claims nothing: Enqueue.
	res = mustEnqueueClaimed(t, s, store.Claimant{Owner: "w1", Lease: time.Minute, Pin: pinAll}, event("a", "none"))
	if res[0].Claimed != nil || mustExecution(t, s, res[0].ID).Status != store.Pending {
		t.Errorf("Enqueue with a Claim with Max 0 claimed %s", res[0].ID)
	}
}

// testEnqueueClaimedDuplicates: a duplicate, of an earlier call's execution
// or of an event earlier in the same call, stays as it was and is not
// claimed.
func testEnqueueClaimedDuplicates(t *testing.T, s store.Store) {
	old := mustEnqueue(t, s, event("a", "old"))[0]
	c := store.Claimant{Owner: "w1", Lease: time.Minute, Max: 3, Pin: pinAll}
	res := mustEnqueueClaimed(t, s, c, event("a", "old"), event("a", "new"), event("a", "new"))
	if !res[0].Duplicate || res[0].ID != old || res[0].Claimed != nil {
		t.Errorf("re-enqueued (a, old) = {ID:%s Duplicate:%v Claimed:%v}, want an unclaimed duplicate of %s",
			res[0].ID, res[0].Duplicate, res[0].Claimed != nil, old)
	}
	if res[1].Duplicate || res[1].Claimed == nil {
		t.Errorf("(a, new) = {Duplicate:%v Claimed:%v}, want new and claimed", res[1].Duplicate, res[1].Claimed != nil)
	}
	if !res[2].Duplicate || res[2].ID != res[1].ID || res[2].Claimed != nil {
		t.Errorf("second (a, new) in one call = {ID:%s Duplicate:%v Claimed:%v}, want an unclaimed duplicate of %s",
			res[2].ID, res[2].Duplicate, res[2].Claimed != nil, res[1].ID)
	}
	if e := mustExecution(t, s, old); e.Status != store.Pending || e.Owner != "" || e.Claims != 0 || e.DefinitionHash != "" {
		t.Errorf("the execution a duplicate repeats = {Status:%s Owner:%q Claims:%d DefinitionHash:%q}, want it untouched",
			e.Status, e.Owner, e.Claims, e.DefinitionHash)
	}
	// A duplicate of a claimed execution leaves its claim as it is.
	again := mustEnqueueClaimed(t, s, store.Claimant{Owner: "w2", Lease: time.Minute, Max: 1, Pin: pinAll}, event("a", "new"))
	if !again[0].Duplicate || again[0].Claimed != nil {
		t.Errorf("(a, new) again = {Duplicate:%v Claimed:%v}, want an unclaimed duplicate", again[0].Duplicate, again[0].Claimed != nil)
	}
	if e := mustExecution(t, s, res[1].ID); e.Owner != "w1" || e.Claims != 1 {
		t.Errorf("claimed execution after a duplicate = {Owner:%s Claims:%d}, want {w1 1}", e.Owner, e.Claims)
	}
	mustDepth(t, s, 1)
}

// testEnqueueClaimedLeavesUnpinned: events whose flow Pin does not pin and
// events with a definition of their own are enqueued pending, and Pin is
// asked only about the events that could be claimed.
func testEnqueueClaimedLeavesUnpinned(t *testing.T, s store.Store) {
	preset := event("a", "preset")
	preset.DefinitionHash = "sha256:enqueued"
	var asked []string
	pin := func(flow string) string {
		asked = append(asked, flow)
		if flow == "limited" {
			return ""
		}
		return pinAll(flow)
	}
	c := store.Claimant{Owner: "w1", Lease: time.Minute, Max: 2, Pin: pin}
	res := mustEnqueueClaimed(t, s, c, preset, event("limited", "l"), event("b", "b"), event("c", "c"))
	if diff := cmp.Diff([]bool{false, false, true, true}, claimedOf(res)); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	slices.Sort(asked)
	if len(asked) < 2 || !slices.Contains(asked, "limited") || !slices.Contains(asked, "b") || slices.Contains(asked, "a") {
		t.Errorf("Pin asked about %v, want limited and b, and not a (it has a definition)", asked)
	}
	for i, want := range []string{"sha256:enqueued", ""} {
		e := mustExecution(t, s, res[i].ID)
		if e.Status != store.Pending || e.DefinitionHash != want || e.Owner != "" {
			t.Errorf("%s = {Status:%s DefinitionHash:%q Owner:%q}, want pending on %q", e.Flow, e.Status, e.DefinitionHash, e.Owner, want)
		}
	}
	mustDepth(t, s, 2)
}

// testEnqueueClaimedExpiredLeaseReclaimed: an execution claimed at enqueue
// whose claimant died is claimed again after its lease, like any other,
// keeping its definition, and not reported as pinned by that claim.
func testEnqueueClaimedExpiredLeaseReclaimed(t *testing.T, s store.Store) {
	res := mustEnqueueClaimed(t, s, store.Claimant{Owner: "w1", Lease: shortLease, Max: 1, Pin: pinAll}, event("a", "k"))
	if res[0].Claimed == nil {
		t.Fatal("Enqueue with a Claim claimed nothing")
	}
	if got := mustClaim(t, s, "w2", 1, time.Minute); len(got) != 0 {
		t.Fatalf("w2 claimed %v while w1's lease runs", idsOf(got))
	}
	time.Sleep(2 * shortLease)
	got, err := s.Claim(ctx(t), "w2", 1, time.Minute, store.ClaimOptions{Pin: func(string) string { return "sha256:v2" }})
	if err != nil || len(got) != 1 || got[0].ID != res[0].ID {
		t.Fatalf("Claim with a Pin after w1's lease expired = %v, %v, want [%s]", idsOf(got), err, res[0].ID)
	}
	e := got[0]
	if e.Owner != "w2" || e.Claims != 2 || e.DefinitionHash != "sha256:a" || e.PinnedByClaim {
		t.Errorf("reclaimed = {Owner:%s Claims:%d DefinitionHash:%q PinnedByClaim:%v}, want {w2 2 sha256:a false}",
			e.Owner, e.Claims, e.DefinitionHash, e.PinnedByClaim)
	}
	if d := e.StartedAt.Sub(res[0].Claimed.StartedAt); d > time.Millisecond || d < -time.Millisecond {
		t.Errorf("StartedAt moved on reclaim: %v, claimed at enqueue %v", e.StartedAt, res[0].Claimed.StartedAt)
	}
	wantErrIs(t, "Renew by the dead claimant", s.Renew(ctx(t), "w1", []string{e.ID}, time.Minute), store.ErrLeaseLost)
}

// testEnqueueClaimedFinish: an execution claimed at enqueue journals,
// finishes and is released like a claimed one.
func testEnqueueClaimedFinish(t *testing.T, s store.Store) {
	res := mustEnqueueClaimed(t, s, store.Claimant{Owner: "w1", Lease: time.Minute, Max: 2, Pin: pinAll}, events("a", "f", 2)...)
	done, released := res[0].ID, res[1].ID
	entry := store.JournalEntry{ExecutionID: done, Card: "c", Attempt: 1, Status: store.EntryOK, Output: []byte(`1`)}
	if err := s.Finish(ctx(t), done, store.Succeeded, []byte(`{}`), "", entry); err != nil {
		t.Fatal(err)
	}
	if e := mustExecution(t, s, done); e.Status != store.Succeeded || e.Owner != "" || !e.LeaseUntil.IsZero() {
		t.Errorf("finished = {Status:%s Owner:%q LeaseUntil:%v}, want succeeded, no owner, no lease", e.Status, e.Owner, e.LeaseUntil)
	}
	if err := s.Release(ctx(t), "w1", []string{released}); err != nil {
		t.Fatal(err)
	}
	got := mustClaim(t, s, "w2", 10, time.Minute)
	if len(got) != 1 || got[0].ID != released || got[0].Claims != 1 || got[0].DefinitionHash != "sha256:a" {
		t.Errorf("Claim after Release = %+v, want %s again with Claims 1 on sha256:a", got, released)
	}
}

// testEnqueueClaimedWithCursor: the options combine: one Enqueue claims
// new executions and sets a cursor, as a poller with an idle worker would.
func testEnqueueClaimedWithCursor(t *testing.T, s store.Store) {
	opts := store.EnqueueOptions{
		CursorKey: "snow:incident", Cursor: []byte("c1"),
		Claim: store.Claimant{Owner: "w1", Lease: time.Minute, Max: 1, Pin: pinAll},
	}
	res, err := s.Enqueue(ctx(t), events("p", "cc", 2), opts)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]bool{true, false}, claimedOf(res)); diff != "" {
		t.Errorf("claimed (-want +got):\n%s", diff)
	}
	if c, err := s.Cursor(ctx(t), "snow:incident"); err != nil || string(c) != "c1" {
		t.Errorf("Cursor = %q, %v, want the one set with the claimed events", c, err)
	}
	mustDepth(t, s, 1)
	if e := mustExecution(t, s, res[0].ID); e.Status != store.Running || e.Owner != "w1" || e.DefinitionHash != "sha256:p" {
		t.Errorf("claimed execution = {Status:%s Owner:%s DefinitionHash:%s}, want {running w1 sha256:p}", e.Status, e.Owner, e.DefinitionHash)
	}
}

// testEnqueueClaimedWithCursorAtomic: an invalid event fails the whole
// Enqueue: no execution, no claim, the cursor as it was.
func testEnqueueClaimedWithCursorAtomic(t *testing.T, s store.Store) {
	if err := s.SetCursor(ctx(t), "k", []byte("old")); err != nil {
		t.Fatal(err)
	}
	bad := []store.Event{event("p", "ok"), {DedupKey: "no-flow"}}
	opts := store.EnqueueOptions{CursorKey: "k", Cursor: []byte("new"), Claim: store.Claimant{Owner: "w1", Lease: time.Minute, Max: 2, Pin: pinAll}}
	if _, err := s.Enqueue(ctx(t), bad, opts); err == nil {
		t.Fatal("Enqueue with a cursor, a Claim and an invalid event succeeded")
	}
	if c, _ := s.Cursor(ctx(t), "k"); string(c) != "old" {
		t.Errorf("cursor after the failed Enqueue = %q, want %q", c, "old")
	}
	if exs, err := s.Executions(ctx(t), store.Filter{}); err != nil || len(exs) != 0 {
		t.Errorf("Executions after the failed Enqueue = %v, %v, want none", idsOf(exs), err)
	}
}
