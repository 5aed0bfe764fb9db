package config

import (
	"fmt"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Card is a `card "<name>"` block: one action with its inputs.
type Card struct {
	Name        string
	Description string
	Action      string // "okta.read_user"
	ActionRange hcl.Range
	Connector   *connector.Connector
	Spec        *connector.Action
	// Connection is the "type.name" address, "" when the connector has none.
	Connection      string
	ConnectionRange hcl.Range
	// If is an expr-lang predicate; the card is skipped when it is false.
	If      string
	IfRange hcl.Range
	// ForEach runs the card once per element of a list, set or map.
	ForEach     hcl.Expression
	Concurrency hcl.Expression
	Timeout     hcl.Expression
	Retry       *Retry
	OnError     OnError
	// Inputs are the action's arguments, decoded against its schema.
	Inputs    hcl.Attributes
	DeclRange hcl.Range
}

// OnErrorMode says what a card's failure does to its execution.
type OnErrorMode uint8

// The error policies of a card.
const (
	Halt     OnErrorMode = iota // the execution fails (default)
	Continue                    // the card's output is the error; the flow goes on
	CallFlow                    // the named flow is called with the failure; the execution fails
)

// OnError is a card's error policy.
type OnError struct {
	Mode  OnErrorMode
	Flow  string
	Range hcl.Range
}

// Retry is a card's `retry` block. Its expressions evaluate to numbers and
// durations.
type Retry struct {
	Attempts   hcl.Expression
	Backoff    hcl.Expression
	MaxBackoff hcl.Expression
	DeclRange  hcl.Range
}

var cardMeta = []hcl.AttributeSchema{
	{Name: "action", Required: true},
	{Name: "connection"},
	{Name: "description"},
	{Name: "if"},
	{Name: "for_each"},
	{Name: "concurrency"},
	{Name: "timeout"},
	{Name: "on_error"},
}

var cardMetaNames = func() []string {
	names := make([]string, len(cardMeta))
	for i, a := range cardMeta {
		names[i] = a.Name
	}
	return names
}()

var cardMetaSchema = &hcl.BodySchema{
	Attributes: cardMeta,
	Blocks:     []hcl.BlockHeaderSchema{{Type: "retry"}},
}

// cardMetaSchemaFor is cardMetaSchema without the attributes that b's
// action takes as arguments of its own (okta.create_group's description):
// those go to the action, and the card has no description then.
func cardMetaSchemaFor(b *hcl.Block, reg *connector.Registry) *hcl.BodySchema {
	peek, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "action"}}})
	a := peek.Attributes["action"]
	if a == nil || reg == nil {
		return cardMetaSchema
	}
	tr, d := hcl.AbsTraversalForExpr(a.Expr)
	if d.HasErrors() || len(tr) != 2 {
		return cardMetaSchema
	}
	step, _ := tr[1].(hcl.TraverseAttr)
	_, spec, err := reg.Action(tr.RootName() + "." + step.Name)
	if err != nil {
		return cardMetaSchema
	}
	if _, takes := spec.Input.Lookup("description"); !takes {
		return cardMetaSchema
	}
	s := &hcl.BodySchema{Blocks: cardMetaSchema.Blocks}
	for _, at := range cardMeta {
		if at.Name != "description" {
			s.Attributes = append(s.Attributes, at)
		}
	}
	return s
}

var retrySchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "attempts"},
		{Name: "backoff"},
		{Name: "max_backoff"},
	},
}

// decodeCard decodes a card block; src is its file, for diagnostics that
// quote the author's source.
func decodeCard(b *hcl.Block, reg *connector.Registry, src []byte) (*Card, hcl.Diagnostics) {
	c := &Card{Name: b.Labels[0], DeclRange: b.DefRange}
	diags := checkName("card", c.Name, b.LabelRanges[0])
	meta, rest, d := b.Body.PartialContent(cardMetaSchemaFor(b, reg))
	diags = append(diags, d...)
	for name, a := range meta.Attributes {
		switch name {
		case "action":
			c.ActionRange = a.Expr.Range()
			tr, d := hcl.AbsTraversalForExpr(a.Expr)
			if d.HasErrors() || len(tr) != 2 {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Invalid action",
					Detail:   "The action is a connector action without quotes, such as okta.read_user or text.compose.",
					Subject:  a.Expr.Range().Ptr(),
				})
				continue
			}
			step, _ := tr[1].(hcl.TraverseAttr)
			c.Action = tr.RootName() + "." + step.Name
		case "connection":
			addr, d := connectionRef(a.Expr)
			diags = append(diags, d...)
			c.Connection, c.ConnectionRange = addr, a.Expr.Range()
		case "description":
			diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &c.Description)...)
		case "if":
			c.If, d = decodePredicate("if", a.Expr, src)
			diags = append(diags, d...)
			c.IfRange = a.Expr.Range()
		case "for_each":
			c.ForEach = a.Expr
		case "concurrency":
			c.Concurrency = a.Expr
		case "timeout":
			c.Timeout = a.Expr
		case "on_error":
			c.OnError, d = decodeOnError(a.Expr)
			diags = append(diags, d...)
		}
	}
	for _, blk := range meta.Blocks {
		if c.Retry != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Duplicate retry block",
				Detail:   "A card has at most one retry block.",
				Subject:  blk.DefRange.Ptr(),
			})
			continue
		}
		content, d := blk.Body.Content(retrySchema)
		diags = append(diags, d...)
		c.Retry = &Retry{DeclRange: blk.DefRange}
		if a, ok := content.Attributes["attempts"]; ok {
			c.Retry.Attempts = a.Expr
		}
		if a, ok := content.Attributes["backoff"]; ok {
			c.Retry.Backoff = a.Expr
		}
		if a, ok := content.Attributes["max_backoff"]; ok {
			c.Retry.MaxBackoff = a.Expr
		}
	}
	if c.Concurrency != nil && c.ForEach == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Concurrency without for_each",
			Detail:   "The concurrency argument bounds how many for_each iterations run at once, but this card has no for_each: remove it, or add for_each.",
			Subject:  c.Concurrency.Range().Ptr(),
		})
	}
	if c.Action == "" {
		// Without an action the inputs cannot be checked; accept them.
		c.Inputs, _ = rest.JustAttributes()
		return c, diags
	}
	conn, spec, err := reg.Action(c.Action)
	if err != nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Unknown action",
			Detail:   fmt.Sprintf("There is no action %q.%s", c.Action, didyoumean.Hint(c.Action, reg.ActionNames())),
			Subject:  c.ActionRange.Ptr(),
		})
		c.Inputs, _ = rest.JustAttributes()
		return c, diags
	}
	c.Connector, c.Spec = conn, spec
	content, d := rest.Content(schemaOf(spec.Input))
	suggestUnsupported(d, append(spec.Input.Names(), cardMetaNames...), []string{"retry"})
	diags = append(diags, d...)
	c.Inputs = content.Attributes
	diags = append(diags, checkConnectionArg(conn, c.Connection, meta.Attributes["connection"], b.DefRange)...)
	return c, diags
}

func decodeOnError(expr hcl.Expression) (OnError, hcl.Diagnostics) {
	oe := OnError{Range: expr.Range()}
	switch hcl.ExprAsKeyword(expr) {
	case "halt":
		oe.Mode = Halt
		return oe, nil
	case "continue":
		oe.Mode = Continue
		return oe, nil
	}
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if !diags.HasErrors() && tr.RootName() == "flow" {
		name, d := flowRef(expr)
		oe.Mode, oe.Flow = CallFlow, name
		return oe, d
	}
	return oe, hcl.Diagnostics{{
		Severity: hcl.DiagError,
		Summary:  "Invalid on_error",
		Detail:   "The on_error argument is halt (the default), continue (the card's output is the error), or a flow to call with the failure, such as flow.notify_failure.",
		Subject:  expr.Range().Ptr(),
	}}
}
