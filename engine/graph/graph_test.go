package graph

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		edges [][2]string
		want  [][]string
	}{
		{"none", [][2]string{{"a", "b"}, {"b", "c"}}, nil},
		{"self", [][2]string{{"a", "a"}}, [][]string{{"a"}}},
		{"pair", [][2]string{{"b", "a"}, {"a", "b"}}, [][]string{{"a", "b"}}},
		{"triangle and tail", [][2]string{{"c", "a"}, {"a", "b"}, {"b", "c"}, {"c", "d"}}, [][]string{{"a", "b", "c"}}},
		{"two", [][2]string{{"a", "b"}, {"b", "a"}, {"x", "y"}, {"y", "x"}}, [][]string{{"a", "b"}, {"x", "y"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := New()
			for _, e := range tt.edges {
				g.Edge(e[0], e[1])
			}
			if diff := cmp.Diff(tt.want, g.Cycles()); diff != "" {
				t.Errorf("Cycles() mismatch (-want +got):\n%s", diff)
			}
		})
	}
}
