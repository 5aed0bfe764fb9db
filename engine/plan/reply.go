package plan

import (
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// replyChecks checks the results an endpoint flow answers its caller with
// against its trigger's reply (connector.Reply.Check: the status, headers
// and body of a raw reply): the argument of each card whose action names
// one in Action.Result, as far as it is known before the flow runs. Each
// finding is an error on the attribute of the result it is about, since
// the caller would be answered 500 each time the card returns it.
func replyChecks(f *Flow) hcl.Diagnostics {
	t := f.Trigger
	if t == nil || t.Spec.Reply == nil || !t.Config.IsWhollyKnown() || t.Config.IsNull() {
		return nil
	}
	cfg, _ := t.Config.UnmarkDeep()
	reply := t.Spec.Reply(cfg)
	if reply == nil || reply.Check == nil {
		return nil
	}
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	for _, c := range f.Cards {
		if c.Action == nil || c.Action.Result == "" {
			continue
		}
		attr, ok := c.Inputs[c.Action.Result]
		if !ok {
			continue // no result: the caller is answered 204
		}
		for _, st := range c.Static {
			if !st.In.Type().IsObjectType() || !st.In.Type().HasAttribute(c.Action.Result) {
				continue
			}
			for _, fd := range reply.Check(resultOf(st.In, c.Action.Result)) {
				subject := attr.Expr.Range()
				if fd.Key != "" {
					subject = rowItemRange(attr.Expr, fd.Key)
				}
				if key := subject.String() + fd.Detail; !seen[key] {
					seen[key] = true
					diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: fd.Summary, Detail: fd.Detail, Subject: subject.Ptr()})
				}
			}
		}
	}
	return diags
}

// resultOf is the attribute name of a card's inputs in, unknown of its
// type when in is.
func resultOf(in cty.Value, name string) cty.Value {
	if !in.IsKnown() {
		return cty.UnknownVal(in.Type().AttributeType(name))
	}
	return in.GetAttr(name)
}
