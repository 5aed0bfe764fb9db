package connector

import (
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/internal/jsonscan"
)

// EventCheck is CheckEvent with more done in the same pass over the
// payload: decoding the event's trigger value, and reading the string
// members an index is made of. The intake checks every event it takes in;
// with this it reads each payload once.
type EventCheck struct {
	// Decode asks for the trigger value of a reader of the parts Use
	// names: the value FromJSONPaths(ev.Payload, t.Output, Use) returns.
	Decode bool
	Use    *Paths
	// Strings, when set, gets string members of the payload's objects.
	Strings *StringMembers
}

// StringMembers are string members of a payload's objects that an
// EventCheck reads for its caller.
type StringMembers struct {
	// Keys reports whether a member of this name is one (a func rather
	// than a map: the check asks it of every member, and a switch on the
	// name needs no hashing).
	Keys func(name []byte) bool
	// Depth is how many objects deep they are looked for: 0 is the
	// payload's own members, 1 those of the objects in them, and so on
	// (an array counts as a level, as its elements are one deeper).
	Depth int
	// Each gets the member's unquoted value, valid only during the call.
	Each func(key, value []byte)
}

// Check checks ev against t as CheckEvent does, and returns the trigger
// value when Decode asks for it. The value is cty.NilVal, with no error,
// wherever the pass could not be sure to agree with FromJSONPaths (where
// that would take its reference path): whoever needs the value then
// decodes the payload with it. Strings sees the members of an event that
// fails its check only up to where the check stopped.
func (o EventCheck) Check(ev *Event, t *Trigger) (cty.Value, error) {
	if err := checkID(ev.ID, t.IDField); err != nil {
		return cty.NilVal, err
	}
	if err := checkType(ev.Type); err != nil {
		return cty.NilVal, err
	}
	c := newEventChecker(ev.Payload, t.Required, o.Strings)
	defer c.release()
	if c.s.Peek() != '{' {
		return cty.NilVal, invalidEvent("trigger: the payload must be a JSON object")
	}
	if !o.Decode {
		return cty.NilVal, c.result(c.value(t.Output))
	}
	v, ok := c.decoded(t.Output, o.Use)
	if err := c.result(ok); err != nil {
		return cty.NilVal, err
	}
	return v, nil
}

// decoded checks the value at the current path against ty, as value does,
// and decodes it as jsonDecoder.sparse does for p: the same choices in the
// same order, with jsonDecoder.value decoding each part used whole. The
// value is NilVal where sparse would fail (FromJSONPaths then takes its
// reference path); ok is the check's.
func (c *eventChecker) decoded(ty cty.Type, p *Paths) (cty.Value, bool) {
	if len(c.path) > MaxEventDepth {
		return cty.NilVal, c.fail("is nested deeper than %d levels", MaxEventDepth)
	}
	switch ch := c.s.Peek(); {
	case p.Whole() || ch == 'n':
	case ty.IsObjectType() && ch == '{':
		return c.decodedObject(ty, p)
	case ty.IsListType() && ch == '[' && p.elem != nil:
		return c.decodedList(ty, p.elem)
	}
	return c.decodedWhole(ty)
}

// decodedWhole checks the value at the current path and decodes all of it.
func (c *eventChecker) decodedWhole(ty cty.Type) (cty.Value, bool) {
	start := c.s.Pos()
	if !c.value(ty) {
		return cty.NilVal, false
	}
	d := jsonDecoder{Scanner: jsonscan.New(c.s.Data()[start:c.s.Pos()])}
	if v, ok := d.value(ty); ok && d.AtEnd() {
		return v, true
	}
	return cty.NilVal, true
}

// decodedObject is jsonDecoder.sparseObject in the check's pass.
func (c *eventChecker) decodedObject(ty cty.Type, p *Paths) (cty.Value, bool) {
	atys := ty.AttributeTypes()
	vals := c.objectAt(len(c.path), len(atys))
	defer clear(vals)
	sure := true
	ok := c.members(ty, func(elem cty.Type) bool {
		key := c.path[len(c.path)-1].key
		_, declared := atys[string(key)]
		next, used := p.attr(string(key))
		if !declared || !used {
			return c.value(elem)
		}
		v, ok := c.decoded(elem, next)
		if v == cty.NilVal {
			sure = false
		}
		vals[next.name] = v
		return ok
	})
	if !ok || !sure {
		return cty.NilVal, ok
	}
	for name, aty := range atys {
		if _, ok := vals[name]; !ok {
			vals[name] = cty.NullVal(aty)
		}
	}
	return cty.ObjectVal(vals), true // which copies vals
}

// objectAt is the map the attributes of the object being decoded at depth
// are gathered in, empty: cty.ObjectVal copies what it is given, so one
// map per depth serves every object of a check, and of the checks after
// it (the checker is pooled). The caller clears it when done.
func (c *eventChecker) objectAt(depth, size int) map[string]cty.Value {
	for len(c.objects) <= depth {
		c.objects = append(c.objects, nil)
	}
	if c.objects[depth] == nil {
		c.objects[depth] = make(map[string]cty.Value, size)
	}
	return c.objects[depth]
}

// decodedList is jsonDecoder.sparseList in the check's pass.
func (c *eventChecker) decodedList(ty cty.Type, elem *Paths) (cty.Value, bool) {
	var vals []cty.Value
	sure := true
	ok := c.elements(ty, func(ety cty.Type) bool {
		v, ok := c.decoded(ety, elem)
		if v == cty.NilVal {
			sure = false
		}
		vals = append(vals, v)
		return ok
	})
	if !ok || !sure {
		return cty.NilVal, ok
	}
	v, err := collection(vals, ty)
	if err != nil {
		return cty.NilVal, true
	}
	return v, true
}
