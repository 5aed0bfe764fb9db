package importer

import (
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
)

// rawRecord is the output template (%s: the card) of Okta's response
// body rebuilt from the action's output: an object of raw's paths.
func rawRecord(raw map[string]string) string {
	type node struct {
		leaf string
		kids map[string]*node
		keys []string
	}
	root := &node{kids: map[string]*node{}}
	for _, k := range connector.SortedKeys(raw) {
		n := root
		for _, seg := range strings.Split(k, ".") {
			if n.kids[seg] == nil {
				n.kids[seg] = &node{kids: map[string]*node{}}
				n.keys = append(n.keys, seg)
			}
			n = n.kids[seg]
		}
		if v, ok := strings.CutPrefix(raw[k], "="); ok {
			n.leaf = v
		} else {
			n.leaf = "%s" + raw[k]
		}
	}
	var render func(n *node) string
	render = func(n *node) string {
		if len(n.keys) == 0 {
			return n.leaf
		}
		vals := map[string]string{}
		for _, k := range n.keys {
			vals[k] = render(n.kids[k])
		}
		return inlineObject(n.keys, vals)
	}
	if len(raw) == 0 {
		return "{}"
	}
	return render(root)
}

// bodyReadsFit reports whether every card that reads the Body output o of
// m reads fields of it (Get with a path, Expand) that the action's output
// has, so that they read the same values from it.
func (fc *flowConv) bodyReadsFit(m *Method, o *Field, r *apiRoute) bool {
	if r.raw == nil || fc.im.reg == nil {
		return false
	}
	_, a, err := fc.im.reg.Action(r.action)
	if err != nil {
		return false
	}
	for _, p := range m.Pins {
		if p.Output != o.ID {
			continue
		}
		paths, ok := fc.readPaths(fc.f.byID[p.Card], p.Input)
		if !ok {
			return false
		}
		for _, path := range paths {
			if !resolvesIn(a.Output, r.raw, path) {
				return false
			}
		}
	}
	return true
}

// readPaths returns the paths card t reads of the object wired to its
// input in: a Get's path, the fields an Expand unfolds (those later cards
// use). ok is false for any other card.
func (fc *flowConv) readPaths(t *Method, in string) ([][]string, bool) {
	if t == nil || !t.Kernel || t.Module != "object" {
		return nil, false
	}
	if f := t.Input(in); f == nil || f.Key != "object" {
		return nil, false
	}
	switch t.Key {
	case "get":
		a := &args{fc: fc, m: t}
		p, ok := a.literalOf("path")
		s, isStr := p.(string)
		if !ok || !isStr || s == "" {
			return nil, false
		}
		return [][]string{strings.Split(s, ".")}, true
	case "expand":
		var paths [][]string
		for _, o := range t.Outputs {
			if !fc.wired(t, o) {
				continue
			}
			p, ok := expandPath(t, o, 0)
			if !ok {
				return nil, false
			}
			paths = append(paths, p)
		}
		return paths, true
	}
	return nil, false
}

// expandPath is the path of the object an Expand output reads, as
// expand() writes it.
func expandPath(t *Method, o *Field, depth int) ([]string, bool) {
	if len(o.Path) > 0 {
		if o.Key == "key" {
			return nil, false
		}
		return o.Path, true
	}
	if o.Group != "" && depth < 8 {
		if parent := t.Output(o.Group); parent != nil {
			p, ok := expandPath(t, parent, depth+1)
			return append(append([]string(nil), p...), o.Key), ok
		}
	}
	return []string{o.Key}, true
}

// resolvesIn reports whether the raw body's path reads a value (not an
// object, whose other fields Okta's body may have) that the action's
// output ty has, through raw.
func resolvesIn(ty cty.Type, raw map[string]string, path []string) bool {
	for n := len(path); n > 0; n-- {
		v, ok := raw[strings.Join(path[:n], ".")]
		if !ok {
			continue
		}
		if strings.HasPrefix(v, "=") {
			return n == len(path)
		}
		t := ty
		for _, seg := range append(strings.Split(strings.TrimPrefix(v, "."), "."), path[n:]...) {
			if !t.IsObjectType() || !t.HasAttribute(seg) {
				return false
			}
			t = t.AttributeType(seg)
		}
		return t.IsPrimitiveType()
	}
	return false
}
