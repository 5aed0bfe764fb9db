package plan

import (
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// MinPollInterval is the shortest `every` a polled trigger accepts.
const MinPollInterval = time.Second

func (c *compiler) flow(decl *config.Flow) (*Flow, hcl.Diagnostics) {
	f := &Flow{Name: decl.Name, Decl: decl, Gen: c.gen, Enabled: true, OnError: decl.OnError}
	var diags hcl.Diagnostics
	static := c.staticScope()
	if enabled := c.staticExpr(decl.Enabled, &diags); enabled != nil {
		v, d := enabled.Value(static.EvalContext())
		v, _ = v.UnmarkDeep() // a sensitive variable may switch a flow off
		diags = append(diags, d...)
		if !d.HasErrors() && v.IsKnown() && !v.IsNull() {
			if v.Type() != cty.Bool {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Incorrect argument type", Detail: "The enabled argument must be true or false.", Subject: enabled.Range().Ptr()})
			} else {
				f.Enabled = v.True()
			}
		}
	}
	var d hcl.Diagnostics
	f.Timeout, d = evalDuration(c.staticExpr(decl.Timeout, &diags), static, "flow timeout", time.Second)
	diags = append(diags, d...)
	f.Concurrency, d = evalInt(c.staticExpr(decl.Concurrency, &diags), static, "flow concurrency", 1, 10000)
	diags = append(diags, d...)
	if decl.Trigger == nil {
		return nil, diags
	}
	t, d := c.trigger(decl.Trigger)
	diags = append(diags, d...)
	f.Trigger = t
	scope := c.staticScope()
	scope.Cards = map[string]cty.Value{}
	if t != nil {
		scope.Trigger = cty.UnknownVal(t.Output)
	} else {
		scope.Trigger = cty.DynamicVal
	}
	for i, cd := range decl.Cards {
		card, d := c.card(decl, i, cd, scope)
		diags = append(diags, d...)
		f.Cards = append(f.Cards, card)
		scope.Cards[cd.Name] = cty.UnknownVal(card.Output)
	}
	if !diags.HasErrors() {
		diags = append(diags, lintComparisons(f)...)
		diags = append(diags, replyChecks(f)...)
		diags = append(diags, sensitiveWaitChecks(f)...)
	}
	f.TriggerUse = triggerUse(decl, t)
	return f, diags
}

func (c *compiler) trigger(decl *config.Trigger) (*Trigger, hcl.Diagnostics) {
	if decl == nil || decl.Spec == nil {
		return nil, nil
	}
	t := &Trigger{Type: decl.Type, Connector: decl.Connector, Spec: decl.Spec, Connection: decl.Connection}
	static := c.staticScope()
	cfgVal, diags := c.evalArgs(decl.Spec.Config, decl.Attrs, static, c.staticRefs)
	t.Config = cfgVal
	if !diags.HasErrors() {
		diags = append(diags, lint(decl.Spec.Lint, cfgVal, decl.Attrs, decl.TypeRange)...)
	}
	// A token from an unset env() is unknown in validate and dry-run: the
	// fields are known all the same.
	if cfgVal.IsKnown() && !cfgVal.IsNull() {
		plain, _ := cfgVal.UnmarkDeep()
		if decl.Spec.Sensitive != nil {
			t.Sensitive = decl.Spec.Sensitive(plain)
		}
		if decl.Spec.Invoke != nil {
			t.Secrets = flowSecrets(c.gen, cfgVal)
			t.secretBytes = bytesOf(t.Secrets)
		}
	}
	t.Output = decl.Spec.Output
	if decl.Spec.OutputFor != nil && cfgVal.IsWhollyKnown() && !cfgVal.IsNull() {
		t.Output = decl.Spec.OutputFor(cfgVal)
	}
	if decl.Spec.Mode == connector.Poll || decl.Spec.Mode == connector.Schedule {
		every, d := evalDuration(c.staticExpr(decl.Every, &diags), static, "poll interval (every)", MinPollInterval)
		diags = append(diags, d...)
		t.Every = every
	}
	if decl.Filter != "" {
		scope := c.staticScope()
		scope.Trigger = cty.UnknownVal(t.Output)
		p, d := c.exprs.CompilePredicate(decl.Filter, decl.FilterRange, lang.Types(scope.PredicateEnv()))
		diags = append(diags, d...)
		t.Filter = p
	}
	return t, diags
}

// staticRefs allows only var, table and flow references: connection and
// trigger arguments are evaluated before any event exists.
func (c *compiler) staticRefs(expr hcl.Expression) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tr := range expr.Variables() {
		switch tr.RootName() {
		case "var":
			diags = append(diags, c.checkVarRef(tr)...)
		case "table", "flow":
			diags = append(diags, c.checkNamedRef(tr)...)
		default:
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid reference",
				Detail:   fmt.Sprintf("%s.* cannot be used here: this argument is evaluated when flows load, before any event exists, so it may refer only to var.*, table.<name> and flow.<name>.", capitalize(tr.RootName())),
				Subject:  tr.SourceRange().Ptr(),
			})
		}
	}
	return diags
}

// staticExpr returns expr when its references are static (see staticRefs),
// else nil after adding the diagnostics: evaluating it would only repeat
// them in HCL's words.
func (c *compiler) staticExpr(expr hcl.Expression, diags *hcl.Diagnostics) hcl.Expression {
	if expr == nil {
		return nil
	}
	d := c.staticRefs(expr)
	*diags = append(*diags, d...)
	if d.HasErrors() {
		return nil
	}
	return expr
}

func (c *compiler) checkVarRef(tr hcl.Traversal) hcl.Diagnostics {
	name, rng, ok := attrStep(tr, 1)
	if !ok {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid reference", Detail: "A variable is referenced as var.<name>.", Subject: tr.SourceRange().Ptr()}}
	}
	if _, ok := c.gen.Config.Variables[name]; ok {
		return nil
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Unknown variable",
		Detail:   fmt.Sprintf("There is no variable %q.%s Declare it with a variable block.", name, didyoumean.Hint(name, connector.SortedKeys(c.gen.Config.Variables))),
		Subject:  rng.Ptr(),
	}}
}

func (c *compiler) checkNamedRef(tr hcl.Traversal) hcl.Diagnostics {
	kind := tr.RootName()
	name, rng, ok := attrStep(tr, 1)
	if !ok {
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid reference", Detail: fmt.Sprintf("A %s is referenced as %s.<name>.", kind, kind), Subject: tr.SourceRange().Ptr()}}
	}
	var names []string
	if kind == "table" {
		names = connector.SortedKeys(c.gen.Config.Tables)
	} else {
		names = c.gen.Config.FlowNames()
	}
	for _, n := range names {
		if n == name {
			return nil
		}
	}
	summary := "Unknown table"
	if kind == "flow" {
		summary = "Unknown flow"
	}
	return hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf("There is no %s %q.%s", kind, name, didyoumean.Hint(name, names)),
		Subject:  rng.Ptr(),
	}}
}

// attrStep returns the name and range of the attribute step at index i.
func attrStep(tr hcl.Traversal, i int) (string, hcl.Range, bool) {
	if len(tr) <= i {
		return "", hcl.Range{}, false
	}
	switch s := tr[i].(type) {
	case hcl.TraverseAttr:
		return s.Name, hcl.RangeBetween(tr[0].SourceRange(), s.SrcRange), true
	case hcl.TraverseIndex:
		if s.Key.Type() == cty.String {
			return s.Key.AsString(), hcl.RangeBetween(tr[0].SourceRange(), s.SrcRange), true
		}
	}
	return "", hcl.Range{}, false
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
