package config

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
)

// Trigger is a flow's `trigger "<type>"` block.
type Trigger struct {
	Type      string // "okta.event_hook"
	Connector *connector.Connector
	Spec      *connector.Trigger
	// Connection is the "type.name" address, "" when the connector has none.
	Connection      string
	ConnectionRange hcl.Range
	// Filter is an expr-lang predicate over the trigger value.
	Filter      string
	FilterRange hcl.Range
	// Every is the poll interval expression (poll and schedule triggers).
	Every hcl.Expression
	// Attrs are the connector-specific arguments.
	Attrs     hcl.Attributes
	DeclRange hcl.Range
	TypeRange hcl.Range
}

// Trigger arguments the engine owns, beside the connector's own.
var triggerMeta = []hcl.AttributeSchema{
	{Name: "connection"},
	{Name: "filter"},
	{Name: "every"},
}

// decodeTrigger decodes a trigger block; src is its file, for diagnostics
// that quote the author's source.
func decodeTrigger(b *hcl.Block, reg *connector.Registry, src []byte) (*Trigger, hcl.Diagnostics) {
	t := &Trigger{Type: b.Labels[0], DeclRange: b.DefRange, TypeRange: b.LabelRanges[0]}
	var diags hcl.Diagnostics
	conn, spec, err := reg.Trigger(t.Type)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown trigger type",
			Detail:   fmt.Sprintf("There is no trigger %q.%s", t.Type, didyoumean.Hint(t.Type, reg.TriggerNames())),
			Subject:  b.LabelRanges[0].Ptr(),
		})
		// Still decode the engine's own arguments so later checks can run.
		content, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: triggerMeta})
		_ = content
		return nil, diags
	}
	t.Connector, t.Spec = conn, spec
	schema := schemaOf(spec.Config)
	schema.Attributes = append(schema.Attributes, triggerMeta...)
	content, d := b.Body.Content(schema)
	hintOtherTriggers(d, t.Type, reg)
	diags = append(diags, d...)
	t.Attrs = hcl.Attributes{}
	for name, a := range content.Attributes {
		switch name {
		case "connection":
			addr, d := connectionRef(a.Expr)
			diags = append(diags, d...)
			t.Connection, t.ConnectionRange = addr, a.Expr.Range()
		case "filter":
			var d hcl.Diagnostics
			t.Filter, d = decodePredicate("filter", a.Expr, src)
			diags = append(diags, d...)
			t.FilterRange = a.Expr.Range()
		case "every":
			t.Every = a.Expr
		default:
			t.Attrs[name] = a
		}
	}
	diags = append(diags, checkConnectionArg(conn, t.Connection, content.Attributes["connection"], b.DefRange)...)
	if t.Every != nil && spec.Mode != connector.Poll && spec.Mode != connector.Schedule {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unsupported argument",
			Detail:   fmt.Sprintf("The %s trigger is not polled: it takes no \"every\" interval.", t.Type),
			Subject:  t.Every.Range().Ptr(),
		})
	}
	return t, diags
}

// checkConnectionArg reports a missing or superfluous connection argument.
func checkConnectionArg(conn *connector.Connector, addr string, attr *hcl.Attribute, def hcl.Range) hcl.Diagnostics {
	switch {
	case conn.HasConnection() && attr == nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Missing connection",
			Detail:   fmt.Sprintf("The %s connector needs a connection: add connection = connection.%s.<name>.", conn.Name, conn.Name),
			Subject:  def.Ptr(),
		}}
	case !conn.HasConnection() && attr != nil:
		return hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Unexpected connection",
			Detail:   fmt.Sprintf("The %s connector runs inside the engine and takes no connection.", conn.Name),
			Subject:  attr.Expr.Range().Ptr(),
		}}
	}
	return nil
}

// connectionRef decodes `connection.<type>.<name>` into "type.name".
func connectionRef(expr hcl.Expression) (string, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if !diags.HasErrors() && len(tr) == 3 && tr.RootName() == "connection" {
		t, ok1 := tr[1].(hcl.TraverseAttr)
		n, ok2 := tr[2].(hcl.TraverseAttr)
		if ok1 && ok2 {
			return t.Name + "." + n.Name, nil
		}
	}
	return "", hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid connection reference",
		Detail:   "Expected a reference to a connection block, such as connection.okta.main.",
		Subject:  expr.Range().Ptr(),
	}}
}

// hintOtherTriggers adds to HCL's "Unsupported argument" diagnostics of a
// trigger block of type typ, when they have no did-you-mean, the triggers
// that do take the argument: reply belongs to http.endpoint, and an author
// who put it on a schedule learns where it goes.
func hintOtherTriggers(diags hcl.Diagnostics, typ string, reg *connector.Registry) {
	for _, d := range diags {
		if d.Summary != "Unsupported argument" || strings.Contains(d.Detail, "Did you mean") {
			continue
		}
		name := quoted(d.Detail)
		if name == "" {
			continue
		}
		var owners []string
		for _, tn := range reg.TriggerNames() {
			if _, spec, err := reg.Trigger(tn); err == nil && tn != typ {
				if _, ok := spec.Config.Lookup(name); ok {
					owners = append(owners, strconv.Quote(tn))
				}
			}
		}
		switch len(owners) {
		case 0:
		case 1:
			d.Detail += fmt.Sprintf(" Only trigger %s takes it.", owners[0])
		default:
			d.Detail += fmt.Sprintf(" Only the triggers %s take it.", strings.Join(owners, ", "))
		}
	}
}
