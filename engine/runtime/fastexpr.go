package runtime

import (
	"math/big"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// A fastExpr evaluates the shapes most card arguments have — references
// (trigger.event.target[0].id), string templates of them and object
// constructors with literal keys (fields = { … }) — the way hclsyntax
// does, without its general machinery: the traversal's split, the
// diagnostics it prepares, the conversion of every template part, the
// marks it gathers. Each execution evaluates every argument again, and
// for the peers' incident job that machinery was most of the inputs' cost.
//
// value returns ok = false wherever it could not be sure to give what
// hclsyntax gives: a reference to something missing, a null, unknown or
// marked value on the way, a template part that is not a string, an
// error in a part evaluated by HCL. The caller then evaluates the whole
// expression with HCL, which gives the value or the diagnostics it always
// gave. Parts of another shape (function calls, conditionals, for
// expressions) are evaluated by HCL in place: an expression's value is
// made from its parts' values, whoever evaluates them.
type fastExpr interface {
	value(ctx *hcl.EvalContext) (cty.Value, bool)
}

// compileFast returns expr as a fastExpr, or nil when HCL would evaluate
// all of it anyway (another syntax, or no shape the fast path knows at
// its top).
func compileFast(expr hcl.Expression) fastExpr {
	syn, ok := expr.(hclsyntax.Expression)
	if !ok {
		return nil
	}
	f := compileNode(syn)
	if _, whole := f.(fastHCL); whole {
		return nil
	}
	return f
}

func compileNode(expr hclsyntax.Expression) fastExpr {
	switch e := expr.(type) {
	case *hclsyntax.LiteralValueExpr:
		return fastLiteral{e.Val}
	case *hclsyntax.TemplateWrapExpr:
		return compileNode(e.Wrapped)
	case *hclsyntax.ScopeTraversalExpr:
		if t, ok := compileTraversal(e.Traversal); ok {
			return t
		}
	case *hclsyntax.TemplateExpr:
		parts := make([]fastExpr, len(e.Parts))
		for i, p := range e.Parts {
			parts[i] = compileNode(p)
		}
		return fastTemplate{parts}
	case *hclsyntax.ObjectConsExpr:
		if o, ok := compileObject(e); ok {
			return o
		}
	}
	return fastHCL{expr}
}

// fastHCL is a part the fast path leaves to HCL.
type fastHCL struct{ expr hcl.Expression }

func (f fastHCL) value(ctx *hcl.EvalContext) (cty.Value, bool) {
	v, diags := f.expr.Value(ctx)
	return v, !diags.HasErrors()
}

type fastLiteral struct{ v cty.Value }

func (f fastLiteral) value(*hcl.EvalContext) (cty.Value, bool) { return f.v, true }

// fastTemplate is a TemplateExpr whose parts all give known strings
// without marks: what hclsyntax then returns is cty.StringVal of them
// joined.
type fastTemplate struct{ parts []fastExpr }

func (f fastTemplate) value(ctx *hcl.EvalContext) (cty.Value, bool) {
	var b strings.Builder
	for _, p := range f.parts {
		v, ok := p.value(ctx)
		if !ok || !plainString(v) {
			return cty.NilVal, false
		}
		b.WriteString(v.AsString())
	}
	return cty.StringVal(b.String()), true
}

// plainString reports whether v is a known, non-null string without marks.
func plainString(v cty.Value) bool {
	return v.Type() == cty.String && !v.IsMarked() && v.IsKnown() && !v.IsNull()
}

// fastObject is an ObjectConsExpr whose keys are literal and distinct.
type fastObject struct {
	keys []string
	vals []fastExpr
}

func compileObject(e *hclsyntax.ObjectConsExpr) (fastObject, bool) {
	o := fastObject{keys: make([]string, len(e.Items)), vals: make([]fastExpr, len(e.Items))}
	seen := make(map[string]bool, len(e.Items))
	for i, item := range e.Items {
		key, ok := literalKey(item.KeyExpr)
		if !ok || seen[key] {
			return fastObject{}, false
		}
		seen[key] = true
		o.keys[i], o.vals[i] = key, compileNode(item.ValueExpr)
	}
	return o, true
}

// literalKey returns the string an object constructor's key expression
// always evaluates to, when it refers to nothing and calls nothing.
func literalKey(expr hclsyntax.Expression) (string, bool) {
	if len(expr.Variables()) > 0 {
		return "", false
	}
	calls := false
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if _, ok := n.(*hclsyntax.FunctionCallExpr); ok {
			calls = true
		}
		return nil
	})
	if calls {
		return "", false
	}
	v, diags := expr.Value(nil)
	if diags.HasErrors() || !plainString(v) {
		return "", false
	}
	return v.AsString(), true
}

func (f fastObject) value(ctx *hcl.EvalContext) (cty.Value, bool) {
	vals := make(map[string]cty.Value, len(f.keys))
	for i, p := range f.vals {
		v, ok := p.value(ctx)
		if !ok {
			return cty.NilVal, false
		}
		vals[f.keys[i]] = v
	}
	return cty.ObjectVal(vals), true
}

// fastTraversal is a ScopeTraversalExpr of attributes and literal
// indexes, followed as hcl.Traversal.TraverseAbs follows it where that
// succeeds.
type fastTraversal struct {
	root  string
	steps []fastStep
}

// fastStep is one attribute (name) or index (key) of a traversal.
type fastStep struct {
	name string    // an attribute; key is then cty.StringVal(name), for maps
	key  cty.Value // the index, or the attribute's name as a map key
	elem int       // a number key as an int, -1 when it is not a whole number ≥ 0
	attr bool
}

func compileTraversal(t hcl.Traversal) (fastTraversal, bool) {
	root, ok := t[0].(hcl.TraverseRoot)
	if !ok {
		return fastTraversal{}, false
	}
	f := fastTraversal{root: root.Name, steps: make([]fastStep, 0, len(t)-1)}
	for _, s := range t[1:] {
		switch s := s.(type) {
		case hcl.TraverseAttr:
			f.steps = append(f.steps, fastStep{name: s.Name, key: cty.StringVal(s.Name), elem: -1, attr: true})
		case hcl.TraverseIndex:
			k := s.Key
			if k.IsMarked() || !k.IsKnown() || k.IsNull() || (k.Type() != cty.String && k.Type() != cty.Number) {
				return fastTraversal{}, false
			}
			step := fastStep{key: k, elem: -1}
			if k.Type() == cty.String {
				step.name = k.AsString()
			} else if i, acc := k.AsBigFloat().Int64(); acc == big.Exact && i >= 0 && i <= 1<<31 {
				step.elem = int(i)
			}
			f.steps = append(f.steps, step)
		default:
			return fastTraversal{}, false
		}
	}
	return f, true
}

func (f fastTraversal) value(ctx *hcl.EvalContext) (cty.Value, bool) {
	v, ok := lookup(ctx, f.root)
	for i := 0; ok && i < len(f.steps); i++ {
		v, ok = f.steps[i].from(v)
	}
	return v, ok
}

// lookup finds name in ctx or its parents, as TraverseAbs does.
func lookup(ctx *hcl.EvalContext, name string) (cty.Value, bool) {
	for ; ctx != nil; ctx = ctx.Parent() {
		if v, ok := ctx.Variables[name]; ok {
			return v, true
		}
	}
	return cty.NilVal, false
}

// from takes the step from v as hcl.GetAttr or hcl.Index takes it, for
// known values without marks where the attribute, key or element exists.
func (s *fastStep) from(v cty.Value) (cty.Value, bool) {
	if v.IsMarked() || !v.IsKnown() || v.IsNull() {
		return cty.NilVal, false
	}
	ty := v.Type()
	switch {
	case ty.IsObjectType() && (s.attr || s.key.Type() == cty.String):
		if !ty.HasAttribute(s.name) {
			return cty.NilVal, false
		}
		return v.GetAttr(s.name), true
	case ty.IsMapType() && (s.attr || s.key.Type() == cty.String):
		if !v.HasIndex(s.key).True() {
			return cty.NilVal, false
		}
		return v.Index(s.key), true
	case (ty.IsListType() || ty.IsTupleType()) && !s.attr && s.elem >= 0:
		if s.elem >= v.LengthInt() {
			return cty.NilVal, false
		}
		return v.Index(s.key), true
	}
	return cty.NilVal, false
}
