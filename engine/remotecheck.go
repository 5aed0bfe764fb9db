package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// CheckRemote asks the remote side, for each card whose action has a
// CheckRemote, about the card's inputs known before it runs (plan.Card's
// Static: an Okta group named in the flow, or in a variable's list a
// for_each goes over), and for each trigger whose Spec has one, about its
// config; it returns what they say as warnings on the arguments. It reads
// and never changes: `cardflow validate --check-env` calls it where
// cardflow runs, against the connections' real services. Cards and
// triggers on a connection whose settings are not all known here (an
// unset env()) are skipped, as are those the connector cannot open. The
// same finding about the same argument is reported once.
func CheckRemote(ctx context.Context, gen *plan.Generation) hcl.Diagnostics {
	if gen == nil {
		return nil
	}
	clients := map[string]connector.Client{}
	defer func() {
		for _, c := range clients {
			if c != nil {
				_ = c.Close()
			}
		}
	}()
	client := func(addr string) connector.Client {
		if c, ok := clients[addr]; ok {
			return c
		}
		conn := gen.Connections[addr]
		var c connector.Client
		if conn != nil && conn.Connector != nil && conn.Config.IsWhollyKnown() {
			if opened, err := conn.Connector.Open(conn.Config); err == nil {
				c = opened
			}
		}
		clients[addr] = c
		return c
	}
	var diags hcl.Diagnostics
	seen := map[string]bool{}
	report := func(findings []connector.Finding, attrs hcl.Attributes, def hcl.Range) {
		for _, f := range findings {
			subject := def
			if a, ok := attrs[f.Arg]; ok {
				subject = a.Expr.Range()
			}
			key := fmt.Sprint(subject, f.Summary, f.Detail)
			if seen[key] {
				continue
			}
			seen[key] = true
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: f.Summary, Detail: f.Detail, Subject: subject.Ptr()})
		}
	}
	check := func(addr string, in cty.Value, fn func(context.Context, connector.Client, cty.Value) []connector.Finding) []connector.Finding {
		c := client(addr)
		if c == nil {
			return nil
		}
		in, _ = in.UnmarkDeep()
		cctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		defer cancel()
		return fn(cctx, c, in)
	}
	for _, name := range sortedFlowNames(gen) {
		f := gen.Flows[name]
		if t := f.Trigger; t != nil && t.Spec.CheckRemote != nil && t.Connection != "" && t.Config.IsWhollyKnown() {
			report(check(t.Connection, t.Config, t.Spec.CheckRemote), f.Decl.Trigger.Attrs, f.Decl.Trigger.TypeRange)
		}
		for _, card := range f.Cards {
			if card.Action == nil || card.Action.CheckRemote == nil || card.Connection == "" || len(card.Static) == 0 {
				continue
			}
			for _, st := range card.Static {
				report(check(card.Connection, st.In, card.Action.CheckRemote), card.Inputs, card.Decl.ActionRange)
			}
		}
	}
	return diags
}

func sortedFlowNames(gen *plan.Generation) []string {
	names := make([]string, 0, len(gen.Flows))
	for n := range gen.Flows {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
