package lang

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/zclconf/go-cty/cty"
)

// EachItems lists a for_each collection as the card's instances see it,
// with stable keys (each.key, a string): map keys, the values of a list or
// set of strings, otherwise the index. A list of strings that repeats a
// value gives it once.
func EachItems(coll cty.Value) ([]*Each, error) {
	coll, _ = coll.UnmarkDeep()
	if coll.IsNull() || !coll.IsKnown() {
		return nil, errors.New("for_each is null")
	}
	ty := coll.Type()
	if !coll.CanIterateElements() {
		return nil, fmt.Errorf("for_each takes a list, set or map, not %s", ty.FriendlyName())
	}
	byValue := (ty.IsListType() || ty.IsSetType()) && ty.ElementType() == cty.String || allStrings(ty)
	var items []*Each
	seen := map[string]bool{}
	for it := coll.ElementIterator(); it.Next(); {
		k, v := it.Element()
		var key string
		switch {
		case ty.IsMapType() || ty.IsObjectType():
			key = k.AsString()
		case byValue && !v.IsNull():
			key = v.AsString()
		default:
			bf := k.AsBigFloat()
			i, _ := bf.Int64()
			key = strconv.FormatInt(i, 10)
		}
		if seen[key] {
			continue // a list of strings may repeat a value: act once
		}
		seen[key] = true
		items = append(items, &Each{Key: cty.StringVal(key), Value: v})
	}
	return items, nil
}

// allStrings reports whether ty is a tuple of strings: a literal list such
// as for_each = ["Employees", "VPN Users"], keyed by value like a list of
// strings.
func allStrings(ty cty.Type) bool {
	if !ty.IsTupleType() {
		return false
	}
	for _, et := range ty.TupleElementTypes() {
		if et != cty.String {
			return false
		}
	}
	return len(ty.TupleElementTypes()) > 0
}
