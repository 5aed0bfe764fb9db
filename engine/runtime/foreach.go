package runtime

import (
	"context"
	"errors"
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
	items, err := lang.EachItems(coll)
	if err != nil {
		return cty.NilVal, connector.Errorf(connector.Invalid, "%v", err)
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
			outs[i], errs[i] = r.instance(ctx, c, scope, it, name, it.Key.AsString())
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
		m[it.Key.AsString()] = outs[i]
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
