package store

import (
	"strings"
	"testing"
	"time"
)

// TestIDsSortInOrderMade: ids made in the same millisecond, later
// milliseconds, and even when the clock steps back, are unique and sort in
// the order they were made.
func TestIDsSortInOrderMade(t *testing.T) {
	var g IDSource
	t0 := time.UnixMilli(1_800_000_000_000)
	times := []time.Time{t0, t0, t0, t0.Add(time.Millisecond), t0.Add(-time.Second), t0.Add(time.Hour)}
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
