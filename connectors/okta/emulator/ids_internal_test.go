package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestRandomIDs checks that random draws n characters of the alphabet and
// that every character comes up, in about equal numbers.
func TestRandomIDs(t *testing.T) {
	var g idGen
	counts := map[rune]int{}
	const draws = 2000
	for _, n := range []int{0, 1, 19, 27, 64, 65, 200} {
		if s := g.random(n); len(s) != n {
			t.Errorf("random(%d) has %d characters", n, len(s))
		}
	}
	for range draws {
		s := g.random(31)
		for _, c := range s {
			if !strings.ContainsRune(alphabet, c) {
				t.Fatalf("random drew %q, not in the alphabet", c)
			}
			counts[c]++
		}
	}
	want := draws * 31 / len(alphabet) // 1000 per character
	for _, c := range alphabet {
		if n := counts[c]; n < want*3/4 || n > want*5/4 {
			t.Errorf("%q drawn %d times in %d, want about %d", c, n, draws*31, want)
		}
	}
}

// TestHTTPDateIsTheClocksSecond: the Date text made once a second is the
// text of every instant of that second, and changes with the second,
// whatever order the instants come in.
func TestHTTPDateIsTheClocksSecond(t *testing.T) {
	e := &Emulator{}
	base := time.Date(2026, 12, 7, 14, 59, 58, 0, time.FixedZone("X", 3600))
	for _, d := range []time.Duration{0, 999 * time.Millisecond, time.Second, 1500 * time.Millisecond, -time.Nanosecond,
		2 * time.Second, 0, -90 * time.Minute, time.Nanosecond} {
		now := base.Add(d)
		if got, want := e.httpDate(now), now.UTC().Format(http.TimeFormat); got != want {
			t.Errorf("%v: Date %q, want %q", now, got, want)
		}
	}
}
