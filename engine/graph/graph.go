package graph

import (
	"maps"
	"slices"
	"sort"
)

// Graph is a directed graph of named nodes.
type Graph struct {
	edges map[string][]string
}

// New returns an empty graph.
func New() *Graph { return &Graph{edges: map[string][]string{}} }

// Edge adds from → to.
func (g *Graph) Edge(from, to string) {
	g.edges[from] = append(g.edges[from], to)
	if _, ok := g.edges[to]; !ok {
		g.edges[to] = nil
	}
}

// Cycles returns every strongly connected component that forms a cycle
// (more than one node, or a node with an edge to itself), each rotated to
// start at its smallest node and listed in path order.
func (g *Graph) Cycles() [][]string {
	var (
		index   = map[string]int{}
		low     = map[string]int{}
		onStack = map[string]bool{}
		stack   []string
		next    int
		cycles  [][]string
	)
	var strong func(v string)
	strong = func(v string) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range g.edges[v] {
			if _, seen := index[w]; !seen {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || g.selfLoop(v) {
			cycles = append(cycles, g.order(comp))
		}
	}
	for _, v := range g.nodes() {
		if _, seen := index[v]; !seen {
			strong(v)
		}
	}
	sort.Slice(cycles, func(i, j int) bool { return cycles[i][0] < cycles[j][0] })
	return cycles
}

func (g *Graph) selfLoop(v string) bool {
	for _, w := range g.edges[v] {
		if w == v {
			return true
		}
	}
	return false
}

// order lists a component along its edges, starting at its smallest node.
func (g *Graph) order(comp []string) []string {
	in := map[string]bool{}
	start := comp[0]
	for _, c := range comp {
		in[c] = true
		if c < start {
			start = c
		}
	}
	path := []string{start}
	seen := map[string]bool{start: true}
	for cur := start; ; {
		advanced := false
		targets := append([]string(nil), g.edges[cur]...)
		sort.Strings(targets)
		for _, w := range targets {
			if in[w] && !seen[w] {
				path = append(path, w)
				seen[w] = true
				cur = w
				advanced = true
				break
			}
		}
		if !advanced {
			break
		}
	}
	for _, c := range comp {
		if !seen[c] {
			path = append(path, c)
		}
	}
	return path
}

func (g *Graph) nodes() []string {
	return slices.Sorted(maps.Keys(g.edges))
}
