package config

import (
	"fmt"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/gohcl"
)

// Flow is a `flow "<name>"` block: one trigger and its cards, in order.
type Flow struct {
	Name        string
	Description string
	Enabled     hcl.Expression // nil: enabled
	Timeout     hcl.Expression // duration string; nil: the engine default
	Concurrency hcl.Expression // number; nil: unlimited within the worker pool
	// OnError names a flow to call with the failure when an execution fails.
	OnError      string
	OnErrorRange hcl.Range
	Trigger      *Trigger
	Cards        []*Card
	DeclRange    hcl.Range
	// Range covers the whole block, for the definition hash.
	Range hcl.Range
}

// Card returns the card called name, or nil.
func (f *Flow) Card(name string) *Card {
	for _, c := range f.Cards {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// CardIndex returns the position of the card called name, or -1.
func (f *Flow) CardIndex(name string) int {
	for i, c := range f.Cards {
		if c.Name == name {
			return i
		}
	}
	return -1
}

var flowSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "description"},
		{Name: "enabled"},
		{Name: "timeout"},
		{Name: "concurrency"},
		{Name: "on_error"},
	},
	Blocks: []hcl.BlockHeaderSchema{
		{Type: "trigger", LabelNames: []string{"type"}},
		{Type: "card", LabelNames: []string{"name"}},
	},
}

// decodeFlow decodes a flow block; src is its file, for diagnostics that
// quote the author's source.
func decodeFlow(b *hcl.Block, reg *connector.Registry, src []byte) (*Flow, hcl.Diagnostics) {
	f := &Flow{Name: b.Labels[0], DeclRange: b.DefRange, Range: blockRange(b)}
	diags := checkName("flow", f.Name, b.LabelRanges[0])
	content, d := b.Body.Content(flowSchema)
	diags = append(diags, d...)
	if a, ok := content.Attributes["description"]; ok {
		diags = append(diags, gohcl.DecodeExpression(a.Expr, nil, &f.Description)...)
	}
	if a, ok := content.Attributes["enabled"]; ok {
		f.Enabled = a.Expr
	}
	if a, ok := content.Attributes["timeout"]; ok {
		f.Timeout = a.Expr
	}
	if a, ok := content.Attributes["concurrency"]; ok {
		f.Concurrency = a.Expr
	}
	if a, ok := content.Attributes["on_error"]; ok {
		name, d := flowRef(a.Expr)
		diags = append(diags, d...)
		f.OnError, f.OnErrorRange = name, a.Expr.Range()
	}
	var firstTrigger *hcl.Block
	for _, blk := range content.Blocks {
		switch blk.Type {
		case "trigger":
			if firstTrigger != nil {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate trigger",
					Detail:   fmt.Sprintf("A flow has exactly one trigger; this flow's first is at %s. Split the flow in two, or call a helper flow from both.", firstTrigger.DefRange),
					Subject:  blk.DefRange.Ptr(),
				})
				continue
			}
			firstTrigger = blk
			t, d := decodeTrigger(blk, reg, src)
			diags = append(diags, d...)
			f.Trigger = t
		case "card":
			c, d := decodeCard(blk, reg, src)
			diags = append(diags, d...)
			if c == nil {
				continue
			}
			if prev := f.Card(c.Name); prev != nil {
				diags = append(diags, duplicate("card", c.Name, prev.DeclRange, blk.LabelRanges[0]))
				continue
			}
			f.Cards = append(f.Cards, c)
		}
	}
	if firstTrigger == nil {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing trigger",
			Detail:   "A flow needs one trigger block, for example trigger \"okta.event_hook\" { … } or trigger \"flow.called\" {} for a helper flow.",
			Subject:  b.DefRange.Ptr(),
		})
	}
	if len(content.Blocks) > 0 && len(f.Cards) == 0 && !diags.HasErrors() {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Missing cards",
			Detail:   "A flow needs at least one card block.",
			Subject:  b.DefRange.Ptr(),
		})
	}
	return f, diags
}

// blockRange is the range of a whole block, header to closing brace.
func blockRange(b *hcl.Block) hcl.Range {
	type ranger interface{ Range() hcl.Range }
	if r, ok := b.Body.(ranger); ok {
		return hcl.RangeBetween(b.DefRange, r.Range())
	}
	return b.DefRange
}

// flowRef decodes `flow.<name>`.
func flowRef(expr hcl.Expression) (string, hcl.Diagnostics) {
	tr, diags := hcl.AbsTraversalForExpr(expr)
	if diags.HasErrors() || len(tr) != 2 || tr.RootName() != "flow" {
		return "", hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid flow reference",
			Detail:   "Expected a reference to a flow, such as flow.notify_failure.",
			Subject:  expr.Range().Ptr(),
		}}
	}
	step, ok := tr[1].(hcl.TraverseAttr)
	if !ok {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid flow reference", Detail: "Expected flow.<name>.", Subject: expr.Range().Ptr()}}
	}
	return step.Name, nil
}
