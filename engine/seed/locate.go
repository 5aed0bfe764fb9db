package seed

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// locateUnknown finds the first field of data (in key order) that the type
// of v has no place for, and says where it is: "okta.users[0]" and
// "profil". encoding/json names the field but not where it is, and a seed
// file has many objects of the same kind.
func locateUnknown(data []byte, v any, prefix string) (where, field string, ok bool) {
	var raw any
	if json.Unmarshal(data, &raw) != nil {
		return "", "", false
	}
	return walk(raw, reflect.TypeOf(v), prefix)
}

func walk(raw any, t reflect.Type, where string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return "", "", false // decodes itself, with its own rules
	}
	switch t.Kind() {
	case reflect.Struct:
		obj, ok := raw.(map[string]any)
		if !ok {
			return "", "", false
		}
		fields := jsonFields(t)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			ft, known := fields[strings.ToLower(k)]
			if !known {
				return where, k, true
			}
			if w, f, ok := walk(obj[k], ft, join(where, k)); ok {
				return w, f, true
			}
		}
	case reflect.Slice, reflect.Array:
		arr, _ := raw.([]any)
		for i, el := range arr {
			if w, f, ok := walk(el, t.Elem(), fmt.Sprintf("%s[%d]", where, i)); ok {
				return w, f, true
			}
		}
	case reflect.Map:
		obj, _ := raw.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			if w, f, ok := walk(obj[k], t.Elem(), join(where, k)); ok {
				return w, f, true
			}
		}
	}
	return "", "", false
}

// jsonFields maps a struct's JSON field names, lower-cased as
// encoding/json matches them, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out[strings.ToLower(name)] = sf.Type
	}
	return out
}
