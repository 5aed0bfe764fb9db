package flowtest

import (
	"fmt"
	"sort"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// conformValue converts a value written in a test (a mock output, a trigger
// event, a table row) to ty. Attributes the test leaves out are null, but
// nested objects are present, so that card.x.profile.department is null
// rather than an error, as with a real API answer.
func conformValue(v cty.Value, ty cty.Type) (cty.Value, error) {
	v, _ = v.UnmarkDeep()
	if !v.IsWhollyKnown() {
		return cty.NilVal, fmt.Errorf("the value is not known")
	}
	g, err := connector.ToGo(v)
	if err != nil {
		return cty.NilVal, err
	}
	return connector.FromGo(skeleton(g, ty), ty)
}

// skeleton adds empty objects for the object-typed attributes g lacks.
func skeleton(g any, ty cty.Type) any {
	if !ty.IsObjectType() {
		return g
	}
	m, ok := g.(map[string]any)
	if g == nil {
		m, ok = map[string]any{}, true
	}
	if !ok {
		return g
	}
	for name, aty := range ty.AttributeTypes() {
		if aty.IsObjectType() {
			m[name] = skeleton(m[name], aty)
		}
	}
	return m
}

// extraAttributes lists the attribute paths of v that ty does not declare
// (typos in mock outputs, trigger events and rows).
func extraAttributes(v cty.Value, ty cty.Type, path string) []string {
	if v.IsNull() || !v.IsKnown() || !ty.IsObjectType() {
		return nil
	}
	vt := v.Type()
	if !vt.IsObjectType() && !vt.IsMapType() {
		return nil
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		name := k.AsString()
		if !ty.HasAttribute(name) {
			out = append(out, path+name)
			continue
		}
		out = append(out, extraAttributes(ev, ty.AttributeType(name), path+name+".")...)
	}
	sort.Strings(out)
	return out
}

// subset reports whether got has every value of want: objects and maps
// recursively by key, everything else equal after conversion to got's type.
func subset(want, got cty.Value) bool {
	want, _ = want.UnmarkDeep()
	got, _ = got.UnmarkDeep()
	if want.IsNull() {
		return got.IsNull()
	}
	if got.IsNull() || !want.IsWhollyKnown() || !got.IsWhollyKnown() {
		return false
	}
	wt, gt := want.Type(), got.Type()
	if (wt.IsObjectType() || wt.IsMapType()) && (gt.IsObjectType() || gt.IsMapType()) {
		for it := want.ElementIterator(); it.Next(); {
			k, wv := it.Element()
			name := k.AsString()
			var gv cty.Value
			switch {
			case gt.IsObjectType() && gt.HasAttribute(name):
				gv = got.GetAttr(name)
			case gt.IsMapType() && got.HasIndex(k).True():
				gv = got.Index(k)
			default:
				return false
			}
			if !subset(wv, gv) {
				return false
			}
		}
		return true
	}
	cv, err := convert.Convert(want, gt)
	if err != nil {
		return false
	}
	return cv.Equals(got).True()
}

// show renders a value compactly for failure messages.
func show(v cty.Value) string {
	v, _ = v.UnmarkDeep()
	if v == cty.NilVal || v.IsNull() {
		return "null"
	}
	if !v.IsWhollyKnown() {
		return "(unknown)"
	}
	g, err := connector.ToGo(v)
	if err != nil {
		return v.GoString()
	}
	return showGo(g)
}

func showGo(g any) string {
	switch x := g.(type) {
	case nil:
		return "null"
	case string:
		return fmt.Sprintf("%q", x)
	case map[string]any:
		keys := connector.SortedKeys(x)
		parts := make([]string, 0, len(keys))
		for _, k := range keys {
			if x[k] == nil {
				continue
			}
			parts = append(parts, k+" = "+showGo(x[k]))
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = showGo(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(g)
}

// CheckTriggerEvent checks a trigger event given outside a test file (dry-run's
// --event) as a run's trigger is checked: attributes the trigger's output type
// does not have, with a did-you-mean, and values that do not convert to it,
// named by their path (event.target). Each problem is one sentence; none
// means the event fits.
func CheckTriggerEvent(v cty.Value, ty cty.Type, trigger string) []string {
	of := "the " + trigger + " trigger's value"
	if extra := extraAttributes(v, ty, ""); len(extra) > 0 {
		var out []string
		for _, path := range extra {
			out = append(out, fmt.Sprintf("%s has no attribute %q.%s", upperFirst(of), path, suggestPath(path, ty)))
		}
		return out
	}
	_, err := conformValue(v, ty)
	if err == nil {
		return nil
	}
	if g, gerr := connector.ToGo(v); gerr == nil {
		if path, perr := mistyped(skeleton(g, ty), ty, ""); path != "" {
			return []string{fmt.Sprintf("%s does not fit %s: %v.", path, of, perr)}
		}
	}
	return []string{fmt.Sprintf("The value does not fit %s: %v.", of, err)}
}

// mistyped finds the deepest attribute or element of g that does not
// convert to its part of ty, and says why.
func mistyped(g any, ty cty.Type, path string) (string, error) {
	_, err := connector.FromGo(g, ty)
	if err == nil {
		return "", nil
	}
	switch v := g.(type) {
	case map[string]any:
		if ty.IsObjectType() {
			for _, name := range connector.SortedKeys(ty.AttributeTypes()) {
				if p, e := mistyped(v[name], ty.AttributeType(name), joinPath(path, name)); p != "" {
					return p, e
				}
			}
		}
	case []any:
		if ty.IsListType() || ty.IsSetType() {
			for i, el := range v {
				if p, e := mistyped(el, ty.ElementType(), fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p, e
				}
			}
		}
	}
	return path, err
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}
