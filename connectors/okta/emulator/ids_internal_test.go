package emulator

import (
	"strings"
	"testing"
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
