package importer

import (
	"sort"
	"strconv"
	"strings"
)

// construct converts Object Construct. As in Okta Workflows, a key written
// with dots builds nested values: user.email is {"user": {"email": …}},
// and a number below the top level indexes a list, so commands.0.type is
// {"commands": [{"type": …}]}.
func construct(a *args) (map[string]string, string, bool) {
	root := &shape{}
	var flat []string
	for _, f := range a.fields() {
		e, ok := a.fc.input(a.m, f)
		if !ok {
			e = "null"
		}
		if !root.set(strings.Split(f.Key, "."), e) {
			// A key that is also the prefix of another, or has an
			// empty segment: kept whole.
			root.add(f.Key, &shape{expr: e})
			flat = append(flat, f.Key)
		}
	}
	note := ""
	if len(flat) > 0 {
		note = "the Construct keys " + strings.Join(flat, ", ") + " are kept as written, with their dots: another key builds an object at the same path, or a part of the key is empty."
	}
	return map[string]string{"*": root.hcl(true)}, note, true
}

// shape is a value Construct builds: an expression (a leaf), or an object
// of keys in the order first seen.
type shape struct {
	expr string
	keys []string
	sub  map[string]*shape
}

// add adds key k, as k_2, k_3, … when s has it already.
func (s *shape) add(k string, c *shape) {
	if s.sub == nil {
		s.sub = map[string]*shape{}
	}
	name := k
	for i := 2; s.sub[name] != nil; i++ {
		name = k + "_" + strconv.Itoa(i)
	}
	s.keys = append(s.keys, name)
	s.sub[name] = c
}

// set places e at path. It reports false, placing nothing, when a part of
// the path is empty or the path runs into or through a leaf.
func (s *shape) set(path []string, e string) bool {
	for _, p := range path {
		if p == "" {
			return false
		}
	}
	cur := s
	for i, p := range path {
		c := cur.sub[p]
		last := i == len(path)-1
		switch {
		case c == nil && last:
			cur.add(p, &shape{expr: e})
			return true
		case c == nil:
			c = &shape{}
			cur.add(p, c)
		case last || c.expr != "":
			return false
		}
		cur = c
	}
	return false
}

// listIndexes returns the indexes of an object whose keys are all list
// indexes (0, 1, … without leading zeros), sorted.
func (s *shape) listIndexes() ([]int, bool) {
	idx := make([]int, 0, len(s.keys))
	for _, k := range s.keys {
		n, err := strconv.Atoi(k)
		if err != nil || n < 0 || strconv.Itoa(n) != k {
			return nil, false
		}
		idx = append(idx, n)
	}
	sort.Ints(idx)
	return idx, len(idx) > 0
}

// hcl renders the shape. Objects below the top whose keys are indexes
// become tuples, with null where an index is missing.
func (s *shape) hcl(top bool) string {
	if s.sub == nil && !top {
		return s.expr
	}
	if idx, ok := s.listIndexes(); ok && !top {
		els := make([]string, idx[len(idx)-1]+1)
		for i := range els {
			els[i] = "null"
		}
		for _, n := range idx {
			els[n] = s.sub[strconv.Itoa(n)].hcl(false)
		}
		return "[" + strings.Join(els, ", ") + "]"
	}
	vals := make(map[string]string, len(s.keys))
	for _, k := range s.keys {
		vals[k] = s.sub[k].hcl(false)
	}
	return object(s.keys, vals)
}
