package lang

import (
	"reflect"
	"sort"
	"strconv"
	"sync"

	"github.com/zclconf/go-cty/cty"
)

// structCache maps object types to the struct types that mirror them. The
// outputs of actions are few and large: a list searched with Equals is much
// cheaper than a map keyed by GoString, which formats the whole type.
var structCache struct {
	sync.RWMutex
	entries []structEntry
}

type structEntry struct {
	ty cty.Type
	rt reflect.Type
}

func cachedStruct(ty cty.Type) (reflect.Type, bool) {
	structCache.RLock()
	defer structCache.RUnlock()
	for _, e := range structCache.entries {
		if e.ty.Equals(ty) {
			return e.rt, true
		}
	}
	return nil, false
}

func storeStruct(ty cty.Type, rt reflect.Type) {
	structCache.Lock()
	defer structCache.Unlock()
	// Bounded: flow tables and helper flows can make many distinct types.
	if len(structCache.entries) < 512 {
		structCache.entries = append(structCache.entries, structEntry{ty, rt})
	}
}

// envStruct builds a struct type whose fields mirror env, so that expr-lang's
// checker knows every field and its type.
func envStruct(env map[string]cty.Type) reflect.Type {
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	fields := make([]reflect.StructField, len(names))
	for i, n := range names {
		fields[i] = reflect.StructField{
			Name: "F" + strconv.Itoa(i),
			Type: goType(env[n]),
			Tag:  reflect.StructTag(`expr:` + strconv.Quote(n)),
		}
	}
	return reflect.StructOf(fields)
}

var anyType = reflect.TypeOf((*any)(nil)).Elem()

// goType maps a cty type to the Go type expr-lang checks against.
func goType(ty cty.Type) reflect.Type {
	switch {
	case ty == cty.String:
		return reflect.TypeOf("")
	case ty == cty.Number:
		return reflect.TypeOf(float64(0))
	case ty == cty.Bool:
		return reflect.TypeOf(false)
	case ty.IsListType() || ty.IsSetType():
		return reflect.SliceOf(goType(ty.ElementType()))
	case ty.IsTupleType():
		return reflect.SliceOf(anyType)
	case ty.IsMapType():
		return reflect.MapOf(reflect.TypeOf(""), goType(ty.ElementType()))
	case ty.IsObjectType():
		if t, ok := cachedStruct(ty); ok {
			return t
		}
		atys := ty.AttributeTypes()
		if len(atys) == 0 {
			// An empty object has no fields: card.stop.result on a
			// flow.return card is an unknown field, not any value.
			return reflect.TypeOf(struct{}{})
		}
		t := envStruct(atys)
		storeStruct(ty, t)
		return t
	}
	return anyType
}
