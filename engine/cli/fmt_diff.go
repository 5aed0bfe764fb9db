package cli

import (
	"github.com/aymanbagabas/go-udiff"
)

// unifiedDiff is a unified diff (as diff -u, with @@ hunks and three lines
// of context) of a against b, for fmt -diff: github.com/aymanbagabas/go-udiff,
// the exported copy of gopls' diff package. patch -p0 and git apply -p0
// apply it. Equal inputs have no diff: "".
func unifiedDiff(name string, a, b []byte) (string, error) {
	before := string(a)
	return udiff.ToUnified(name, name+" (formatted)", before, udiff.Lines(before, string(b)), udiff.DefaultContextLines)
}
