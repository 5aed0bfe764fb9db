package store

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

// TestIDsSortInOrderMade: ids made in the same millisecond, later
// milliseconds, and even when the clock steps back (or reads the zero
// time), are unique and sort in the order they were made.
func TestIDsSortInOrderMade(t *testing.T) {
	var g IDSource
	t0 := time.UnixMilli(1_800_000_000_000)
	times := []time.Time{time.Time{}, t0, t0, t0, t0.Add(time.Millisecond), t0.Add(-time.Second), t0.Add(time.Hour)}
	var prev string
	for i, at := range times {
		id := g.Next(at)
		if len(id) != 29 || !strings.HasPrefix(id, "ex_") {
			t.Fatalf("id %q is not ex_ + 26 characters", id)
		}
		if i > 0 && id <= prev {
			t.Errorf("id %d %q does not sort after %q", i, id, prev)
		}
		prev = id
	}
}

func TestMinIDAt(t *testing.T) {
	var g IDSource
	at := time.Date(2026, 12, 6, 21, 0, 0, 0, time.UTC)
	bound := MinIDAt(at)
	for _, c := range []struct {
		made time.Time
		less bool
	}{
		{at.Add(-time.Millisecond), true},
		{at.Add(-24 * time.Hour), true},
		{at, false},
		{at.Add(time.Millisecond), false},
	} {
		if id := g.Next(c.made); (id < bound) != c.less {
			t.Errorf("id %s made at %s < MinIDAt(%s) = %s: %v, want %v", id, c.made, at, bound, id < bound, c.less)
		}
	}
}

func TestIDAtBoundsIDs(t *testing.T) {
	var g IDSource
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	before, same, after := g.Next(at.Add(-time.Millisecond)), g.Next(at), g.Next(at.Add(time.Millisecond))
	bound := IDAt(at)
	if !(before < bound && bound <= same && same < after) {
		t.Errorf("IDAt(%v) = %s does not split %s | %s %s", at, bound, before, same, after)
	}
	if len(bound) != len(same) {
		t.Errorf("IDAt has %d characters, ids %d", len(bound), len(same))
	}
}

// TestOldIDsStillSort: ids made before IDSource used the ulid library
// (literal ones from a store, and fresh ones from the old generator) are
// ULIDs of the same form, and sort among new ids by the time they were
// made, so paging by id and the console's before cursor run across them.
func TestOldIDsStillSort(t *testing.T) {
	at := time.Date(2026, 12, 6, 21, 40, 0, 0, time.UTC)
	// Made by the old generator at at, at and at+1ms.
	stored := []string{"ex_01M96MSAW0GP762CC1GEH106M3", "ex_01M96MSAW0GP762CC1GEH106M4", "ex_01M96MSAW1CCGYE3SC12MNSPZA"}
	for i, id := range stored {
		u, err := ulid.ParseStrict(strings.TrimPrefix(id, "ex_"))
		if err != nil {
			t.Fatalf("old id %s does not parse: %v", id, err)
		}
		made := at.Add(time.Duration(i/2) * time.Millisecond)
		if got := ulid.Time(u.Time()); !got.Equal(made) {
			t.Errorf("old id %s has time %v, want %v", id, got, made)
		}
		if id < IDAt(made) || id >= IDAt(made.Add(time.Millisecond)) {
			t.Errorf("old id %s is outside [IDAt(%v), IDAt(+1ms)) = [%s, %s)", id, made, IDAt(made), IDAt(made.Add(time.Millisecond)))
		}
	}
	var g IDSource
	if id := g.Next(at.Add(-time.Millisecond)); id >= stored[0] {
		t.Errorf("new id %s made a millisecond before %s sorts after it", id, stored[0])
	}
	if id := g.Next(at.Add(2 * time.Millisecond)); id <= stored[2] {
		t.Errorf("new id %s made after %s sorts before it", id, stored[2])
	}

	// Interleaved: old and new generators, a millisecond apart each.
	var old legacyIDSource
	var ids []string
	var fresh IDSource
	for i := range 200 {
		made := at.Add(time.Hour + time.Duration(i)*time.Millisecond)
		if i%2 == 0 {
			ids = append(ids, old.Next(made))
		} else {
			ids = append(ids, fresh.Next(made))
		}
	}
	if !slices.IsSorted(ids) {
		t.Errorf("ids of both generators, made in order, do not sort in order: %v", ids)
	}
}

// TestIDsConcurrent: ids made by many goroutines at once are unique, and
// each goroutine's sort in the order it made them.
func TestIDsConcurrent(t *testing.T) {
	var g IDSource
	now := time.Now()
	var wg sync.WaitGroup
	got := make([][]string, 8)
	for w := range got {
		wg.Go(func() {
			for range 1000 {
				got[w] = append(got[w], g.Next(now))
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for w, ids := range got {
		if !slices.IsSorted(ids) {
			t.Errorf("goroutine %d's ids do not sort in the order made", w)
		}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("id %s made twice", id)
			}
			seen[id] = true
		}
	}
}
