package runtime

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// forEach runs an instance of card c (journaled as name) per element of
// its for_each collection, at most c.Concurrency at once, and collects
// their outputs by key.
func (r *run) forEach(ctx context.Context, c *plan.Card, scope *flowScope, name string) (cty.Value, error) {
	coll, diags := c.ForEach.Value(scope.evalContext(c, nil))
	if diags.HasErrors() {
		return cty.NilVal, connector.Errorf(connector.Invalid, "for_each: %s", diagText(diags))
	}
	items, err := eachItems(coll)
	if err != nil {
		return cty.NilVal, err
	}
	limit := c.Concurrency
	if limit <= 0 {
		limit = 1
	}
	outs := make([]cty.Value, len(items))
	errs := make([]error, len(items))
	sem := make(chan struct{}, limit)
	var wg sync.WaitGroup
	var failed atomic.Bool
	launched := 0
	for i, it := range items {
		sem <- struct{}{}
		// Once an instance failed (or the execution is interrupted) the
		// card fails: start no more instances, as a sequential card would.
		if failed.Load() || ctx.Err() != nil {
			<-sem
			break
		}
		launched++
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			each := &lang.Each{Key: cty.StringVal(it.key), Value: it.value}
			outs[i], errs[i] = r.instance(ctx, c, scope, each, name, it.key)
			if errs[i] != nil {
				failed.Store(true)
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return cty.NilVal, err
	}
	if launched < len(items) {
		return cty.NilVal, ctx.Err()
	}
	m := make(map[string]cty.Value, len(items))
	for i, it := range items {
		m[it.key] = outs[i]
	}
	if len(m) == 0 {
		return cty.MapValEmpty(c.Output.ElementType()), nil
	}
	v, err := convert.Convert(cty.ObjectVal(m), c.Output)
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Other, "collecting for_each outputs: %v", err)
	}
	return v, nil
}

type eachItem struct {
	key   string
	value cty.Value
}

// eachItems lists a for_each collection with stable keys: map keys, the
// values of a list or set of strings, otherwise the index.
func eachItems(coll cty.Value) ([]eachItem, error) {
	coll, _ = coll.UnmarkDeep()
	if coll.IsNull() || !coll.IsKnown() {
		return nil, connector.Errorf(connector.Invalid, "for_each is null")
	}
	ty := coll.Type()
	if !coll.CanIterateElements() {
		return nil, connector.Errorf(connector.Invalid, "for_each takes a list, set or map, not %s", ty.FriendlyName())
	}
	byValue := (ty.IsListType() || ty.IsSetType()) && ty.ElementType() == cty.String || allStrings(ty)
	var items []eachItem
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
		items = append(items, eachItem{key: key, value: v})
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
