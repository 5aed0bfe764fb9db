package connector

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// Args are the arguments of one call of an action: a value for each
// attribute of the action's Input schema, converted to the attribute's
// type, its default or a null when the card leaves it out. Actions read
// them by name, with Get or the typed getters; Object builds the whole
// input as a cty object for the few that want one.
//
// The runtime hands actions Args rather than an object because building a
// cty object builds its object type too, three maps per call: a third of
// what running a card costs the runtime.
//
// The runtime removes marks before the call; the typed getters remove
// any that a hand-built Args carries. The zero Args has no arguments.
type Args struct {
	schema Schema
	vals   []cty.Value // vals[i] is the argument schema[i]
}

// NewArgs returns the arguments vals of the attributes of schema, in the
// same order. It panics when the lengths differ.
func NewArgs(schema Schema, vals []cty.Value) Args {
	if len(vals) != len(schema) {
		panic(fmt.Sprintf("connector.NewArgs: %d values for %d attributes", len(vals), len(schema)))
	}
	return Args{schema: schema, vals: vals}
}

// ArgsOf returns the arguments that obj, an object, has for the
// attributes of schema, converted to their types, with defaults and nulls
// for those it lacks, as the runtime makes them of a card's arguments (an
// argument given as null stays null). Unlike the runtime it keeps marks
// and lets a required argument be null, so that tests can hand an action
// what the runtime never would.
func ArgsOf(schema Schema, obj cty.Value) (Args, error) {
	vals := make([]cty.Value, len(schema))
	for i, a := range schema {
		v, given := attr(obj, a.Name)
		switch {
		case !given && a.Default != cty.NilVal:
			vals[i] = a.Default
		case v.IsNull():
			vals[i] = cty.NullVal(a.Type).WithMarks(v.Marks())
		default:
			cv, err := convert.Convert(v, a.Type)
			if err != nil {
				return Args{}, fmt.Errorf("%s: %w", a.Name, err)
			}
			vals[i] = cv
		}
	}
	return Args{schema: schema, vals: vals}, nil
}

// Schema returns the attributes the arguments are values of.
func (a Args) Schema() Schema { return a.schema }

// Get returns the argument name, or a null of dynamic type when the
// action has no such argument.
func (a Args) Get(name string) cty.Value {
	for i := range a.schema {
		if a.schema[i].Name == name {
			return a.vals[i]
		}
	}
	return cty.NullVal(cty.DynamicPseudoType)
}

// Object returns the arguments as an object with one attribute per
// argument (an attribute of dynamic type has the type of its value).
func (a Args) Object() cty.Value {
	if len(a.schema) == 0 {
		return cty.EmptyObjectVal
	}
	attrs := make(map[string]cty.Value, len(a.schema))
	for i, at := range a.schema {
		attrs[at.Name] = a.vals[i]
	}
	return cty.ObjectVal(attrs)
}

// String returns the string argument name, or "" when it is null or the
// action has none.
func (a Args) String(name string) string { return stringOf(a.plain(name)) }

// Bool returns the bool argument name, or def when it is null.
func (a Args) Bool(name string, def bool) bool { return boolOf(a.plain(name), def) }

// Int returns the number argument name as an int, or def when it is null.
func (a Args) Int(name string, def int) int { return intOf(a.plain(name), def) }

// Strings returns the list or set of strings argument name as a slice.
func (a Args) Strings(name string) []string { return stringsOf(a.plain(name)) }

// StringMap returns the map or object argument name whose values are
// strings; other values are encoded as JSON.
func (a Args) StringMap(name string) map[string]string { return stringMapOf(a.plain(name)) }

// plain is Get without marks.
func (a Args) plain(name string) cty.Value {
	v, _ := a.Get(name).Unmark()
	return v
}
