package importer

import "sort"

// order returns the cards in an order that runs every card after the cards
// it reads and otherwise follows the canvas: a depth-first walk of the
// canvas order, then the pins as constraints.
func (fc *flowConv) order() []*Method {
	f := fc.f
	index := map[string]int{}
	for i, m := range f.Methods {
		index[m.UUID] = i
	}
	next := map[string][]string{}
	hasPrev := map[string]bool{}
	for _, o := range f.Orderings {
		if o[0] == o[1] {
			continue
		}
		next[o[0]] = append(next[o[0]], o[1])
		hasPrev[o[1]] = true
	}
	for k := range next {
		sort.Slice(next[k], func(i, j int) bool { return index[next[k][i]] < index[next[k][j]] })
	}
	rank := map[string]int{}
	var walk func(id string)
	walk = func(id string) {
		if _, seen := rank[id]; seen {
			return
		}
		rank[id] = len(rank)
		for _, n := range next[id] {
			walk(n)
		}
	}
	// The trigger first, then the other chains' heads, then loose cards.
	for _, m := range f.Methods {
		if isTriggerCard(m) {
			walk(m.UUID)
		}
	}
	for _, m := range f.Methods {
		if !hasPrev[m.UUID] {
			walk(m.UUID)
		}
	}
	for _, m := range f.Methods {
		walk(m.UUID)
	}
	// Kahn's algorithm over the pins, picking the lowest rank first. Parse
	// has rejected cycles of pins.
	indeg := map[string]int{}
	succ := map[string][]string{}
	for _, m := range f.Methods {
		seen := map[string]bool{}
		for _, p := range m.Pins {
			if p.Card == m.UUID || seen[p.Card] {
				continue
			}
			seen[p.Card] = true
			succ[m.UUID] = append(succ[m.UUID], p.Card)
			indeg[p.Card]++
		}
	}
	var ready []string
	for _, m := range f.Methods {
		if indeg[m.UUID] == 0 {
			ready = append(ready, m.UUID)
		}
	}
	var out []*Method
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool { return rank[ready[i]] < rank[ready[j]] })
		id := ready[0]
		ready = ready[1:]
		out = append(out, f.byID[id])
		for _, s := range succ[id] {
			indeg[s]--
			if indeg[s] == 0 {
				ready = append(ready, s)
			}
		}
	}
	return out
}

// branchConditions gives each card inside an If/Else branch the branch's
// condition: the cards reachable from the branch's first card and not from
// the other branch's.
func (fc *flowConv) branchConditions(order []*Method) {
	next := map[string][]string{}
	for _, o := range fc.f.Orderings {
		if o[0] != o[1] {
			next[o[0]] = append(next[o[0]], o[1])
		}
	}
	reach := func(from string) map[string]bool {
		seen := map[string]bool{}
		stack := []string{from}
		for len(stack) > 0 {
			id := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if seen[id] {
				continue
			}
			seen[id] = true
			stack = append(stack, next[id]...)
		}
		return seen
	}
	for _, m := range order {
		if len(m.Branches) == 0 {
			continue
		}
		reached := map[string]map[string]bool{}
		for head := range m.Branches {
			reached[head] = reach(head)
		}
		for head, when := range m.Branches {
			for id := range reached[head] {
				inOther := false
				for other := range m.Branches {
					if other != head && reached[other][id] {
						inOther = true
					}
				}
				if inOther {
					continue
				}
				c := "__branch:" + m.UUID
				if !when {
					c = "!" + c
				}
				if prev := fc.conds[id]; prev != "" {
					c = prev + " && " + c
				}
				fc.conds[id] = c
			}
		}
	}
}
