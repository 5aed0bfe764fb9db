package connector

import (
	"sort"
	"strconv"
	"strings"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// Paths is a set of paths into values of one type, kept as a tree: the
// parts of a trigger value that a flow's expressions read. FromJSONPaths
// decodes only those parts. A nil *Paths is the whole value.
//
// The tree follows the type: an object node lists the attributes used,
// a list node one subtree that every element needs (an index is any
// index: which element a flow reads is often known only at run time),
// and a node of any other type (map, set, tuple, dynamic, primitive) is
// used whole as soon as it is reached.
type Paths struct {
	name  string // the attribute this node is of, in its parent object
	ty    cty.Type
	whole bool
	attrs map[string]*Paths // object: the attributes used
	elem  *Paths            // list: what every element needs
}

// NewPaths returns an empty set of paths into values of type ty: nothing
// is used until Add says so.
func NewPaths(ty cty.Type) *Paths {
	return &Paths{ty: ty}
}

// Add adds the path of steps: attribute names, map keys and list indexes
// (as HCL converts them to strings, "0" for [0]). No steps is the whole
// value; so is the end of every path. A step into an attribute the type
// does not declare adds nothing: there is nothing there to read. Adding
// to nil, the whole value, adds nothing either.
func (p *Paths) Add(steps ...string) {
	for ; !p.Whole(); steps = steps[1:] {
		if len(steps) == 0 {
			p.whole, p.attrs, p.elem = true, nil, nil
			return
		}
		switch ty := p.ty; {
		case ty.IsObjectType():
			if !ty.HasAttribute(steps[0]) {
				return
			}
			next := p.attrs[steps[0]]
			if next == nil {
				next = &Paths{name: steps[0], ty: ty.AttributeType(steps[0])}
				if p.attrs == nil {
					p.attrs = map[string]*Paths{}
				}
				p.attrs[steps[0]] = next
			}
			p = next
		case ty.IsListType():
			if p.elem == nil {
				p.elem = NewPaths(ty.ElementType())
			}
			p = p.elem
		default:
			p.whole, p.attrs, p.elem = true, nil, nil
			return
		}
	}
}

// Whole says whether p is the whole value.
func (p *Paths) Whole() bool {
	return p == nil || p.whole
}

// attr returns what attribute name needs, and false when it is not used.
func (p *Paths) attr(name string) (*Paths, bool) {
	if p.Whole() {
		return nil, true
	}
	next, ok := p.attrs[name]
	return next, ok
}

// String lists the paths, the leaves of the tree, in order: "(all)" for
// the whole value, "(none)" for nothing; an element of a list is "[*]".
func (p *Paths) String() string {
	if p.Whole() {
		return "(all)"
	}
	var leaves []string
	p.leaves("", &leaves)
	if len(leaves) == 0 {
		return "(none)"
	}
	sort.Strings(leaves)
	return strings.Join(leaves, ", ")
}

func (p *Paths) leaves(prefix string, out *[]string) {
	switch {
	case p.whole:
		*out = append(*out, prefix)
	case p.elem != nil:
		p.elem.leaves(prefix+"[*]", out)
	}
	for name, next := range p.attrs {
		step := "." + name
		if prefix == "" {
			step = name
		}
		if !isIdentifier(name) {
			step = "[" + strconv.Quote(name) + "]"
		}
		next.leaves(prefix+step, out)
	}
}

func isIdentifier(s string) bool {
	for i, r := range s {
		if !(r == '_' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || i > 0 && ('0' <= r && r <= '9' || r == '-')) {
			return false
		}
	}
	return s != ""
}

// FromJSONPaths is FromJSON for a reader of only the parts of the value
// that use names (nil: all of it, as FromJSON). Those parts are decoded as
// FromJSON decodes them. Every object attribute off the paths is null of
// its declared type, so the value is of type ty (a dynamic attribute off
// the paths is a null of the dynamic type, where FromJSON's value has the
// type of what the JSON holds), and its JSON is only validated, not
// decoded: a value of the wrong kind there is no error.
func FromJSONPaths(data []byte, ty cty.Type, use *Paths) (cty.Value, error) {
	if use.Whole() {
		return FromJSON(data, ty)
	}
	// No shared copy of the text (see jsonDecoder.text): of the few
	// strings decoded, each is cheaper to copy on its own.
	d := jsonDecoder{Scanner: jsonscan.New(data)}
	if v, ok := d.sparse(ty, use); ok && d.AtEnd() {
		return v, nil
	}
	v, err := fromJSONReference(data, ty)
	if err != nil {
		return cty.NilVal, err
	}
	return prune(v, use), nil
}

// sparse decodes the value of type ty of which p is used.
func (d *jsonDecoder) sparse(ty cty.Type, p *Paths) (cty.Value, bool) {
	if p.Whole() || d.Peek() == 'n' {
		return d.value(ty)
	}
	switch {
	case ty.IsObjectType() && d.Peek() == '{':
		return d.sparseObject(ty, p)
	case ty.IsListType() && d.Peek() == '[' && p.elem != nil:
		return d.sparseList(ty, p.elem)
	}
	return d.value(ty)
}

// sparseObject is toObject with the attributes p does not use left null.
func (d *jsonDecoder) sparseObject(ty cty.Type, p *Paths) (cty.Value, bool) {
	atys := ty.AttributeTypes()
	vals := make(map[string]cty.Value, len(atys))
	ok := d.Object(func(key []byte, at int) bool {
		aty, declared := atys[string(key)]
		if !declared {
			return d.Skip()
		}
		next, used := p.attr(string(key))
		if !used {
			return d.Skip()
		}
		v, ok := d.sparse(aty, next)
		if next != nil {
			vals[next.name] = v // not a new string per event
		} else {
			vals[d.stringOf(key, at)] = v
		}
		return ok
	})
	if !ok {
		return cty.NilVal, false
	}
	for name, aty := range atys {
		if _, ok := vals[name]; !ok {
			vals[name] = cty.NullVal(aty)
		}
	}
	return cty.ObjectVal(vals), true
}

// sparseList is toList with elem applied to every element.
func (d *jsonDecoder) sparseList(ty cty.Type, elem *Paths) (cty.Value, bool) {
	return d.list(ty, func(ety cty.Type) (cty.Value, bool) { return d.sparse(ety, elem) })
}

// prune sets what use does not use of v to null: the value FromJSONPaths
// returns when it decoded all of v the reference way.
func prune(v cty.Value, use *Paths) cty.Value {
	if use.Whole() || v.IsNull() || !v.IsKnown() {
		return v
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType():
		atys := ty.AttributeTypes()
		vals := make(map[string]cty.Value, len(atys))
		for name, aty := range atys {
			if next, ok := use.attr(name); ok {
				vals[name] = prune(v.GetAttr(name), next)
			} else {
				vals[name] = cty.NullVal(aty)
			}
		}
		return cty.ObjectVal(vals)
	case ty.IsListType() && use.elem != nil && v.LengthInt() > 0:
		vals := make([]cty.Value, 0, v.LengthInt())
		for it := v.ElementIterator(); it.Next(); {
			_, e := it.Element()
			vals = append(vals, prune(e, use.elem))
		}
		return cty.ListVal(vals)
	}
	return v
}
