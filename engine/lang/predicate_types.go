package lang

import (
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// ExprChecker type-checks expr-lang expressions (conditions, the where of
// table.search and list.filter, list.map's expr) against the Go struct
// types that mirror their environment's cty types. It keeps each struct
// type it builds for an object type, for the checks that follow: the
// outputs of actions are few and large, and the conditions of a load's
// thousand flows read the same ones (BenchmarkValidate: a fifth fewer
// allocations than building them per check). A list searched with Equals is
// much cheaper than a map keyed by GoString, which formats the whole type.
//
// One load's compiler owns one, so that nothing outlives the load. The zero
// value is ready; it is safe for concurrent use.
type ExprChecker struct {
	mu      sync.RWMutex
	structs []structEntry
}

type structEntry struct {
	ty cty.Type
	rt reflect.Type
}

// maxStructs bounds what a checker keeps: flow tables and helper flows can
// make many distinct types.
const maxStructs = 512

func (x *ExprChecker) cachedStruct(ty cty.Type) (reflect.Type, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	for _, e := range x.structs {
		if e.ty.Equals(ty) {
			return e.rt, true
		}
	}
	return nil, false
}

func (x *ExprChecker) storeStruct(ty cty.Type, rt reflect.Type) {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.structs) < maxStructs {
		x.structs = append(x.structs, structEntry{ty, rt})
	}
}

// envStruct builds a struct type whose fields mirror env, so that expr-lang's
// checker knows every field and its type.
func (x *ExprChecker) envStruct(env map[string]cty.Type) reflect.Type {
	names := slices.Sorted(maps.Keys(env))
	fields := make([]reflect.StructField, len(names))
	for i, n := range names {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: x.goType(env[n]),
			Tag:  reflect.StructTag(`expr:` + strconv.Quote(n)),
		}
	}
	return reflect.StructOf(fields)
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// goType maps a cty type to the Go type expr-lang checks against.
func (x *ExprChecker) goType(ty cty.Type) reflect.Type {
	switch {
	case ty == cty.String:
		return reflect.TypeOf("")
	case ty == cty.Number:
		return reflect.TypeOf(float64(0))
	case ty == cty.Bool:
		return reflect.TypeOf(false)
	case ty.IsListType() || ty.IsSetType():
		return reflect.SliceOf(x.goType(ty.ElementType()))
	case ty.IsTupleType():
		return reflect.SliceOf(anyType)
	case ty.IsMapType():
		return reflect.MapOf(reflect.TypeOf(""), x.goType(ty.ElementType()))
	case ty.IsObjectType():
		if t, ok := x.cachedStruct(ty); ok {
			return t
		}
		atys := ty.AttributeTypes()
		if len(atys) == 0 {
			// An empty object has no fields: card.stop.result on a
			// flow.return card is an unknown field, not any value.
			return reflect.TypeOf(struct{}{})
		}
		t := x.envStruct(atys)
		x.storeStruct(ty, t)
		return t
	}
	return anyType
}
