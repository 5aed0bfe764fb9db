package engine

import (
	"context"
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// CheckRemote reads the remote side of the generation's connections for
// what would keep its flows from working, and returns what it finds as
// warnings: `cardflow validate --check-env` calls it where cardflow runs,
// against the connections' real services. It reads and never changes.
//
//   - Each connection whose connector has a Webhook.Check is asked whether
//     the remote side delivers what the enabled flows listen for (an Okta
//     event hook that lacks an event type starts no flow); warnings on the
//     connection block.
//   - Each trigger whose Spec has a CheckRemote is asked about its config,
//     and each card whose action has one about its inputs known before it
//     runs (plan.Card's Static: an Okta group named in the flow, or in a
//     variable's list a for_each goes over); warnings on the arguments.
//
// First each connection whose connector has a CheckCredentials is asked
// whether the service takes its credentials at all: one it refuses (an
// invalid token) is an error on the connection block, since every card
// and trigger on it would fail, and the connection is asked nothing more.
//
// One client per connection serves all the questions. A connection whose
// settings are not all known here (an unset env()) is skipped; so is one
// the connector cannot open, which the load reported. The same finding
// about the same argument is reported once.
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
	warn := func(summary, detail string, subject *hcl.Range) {
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: summary, Detail: detail, Subject: subject})
	}
	diags = append(diags, checkCredentials(ctx, gen, client, clients)...)

	for _, addr := range connector.SortedKeys(gen.Connections) {
		conn := gen.Connections[addr]
		if conn.Connector == nil || conn.Connector.Webhook == nil || conn.Connector.Webhook.Check == nil {
			continue
		}
		req := HookSyncRequest(gen, conn)
		c := client(addr)
		if len(req.Triggers) == 0 || c == nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		notices := conn.Connector.Webhook.Check(cctx, c, req)
		cancel()
		var subject *hcl.Range
		if gen.Config != nil && gen.Config.Connections[addr] != nil {
			subject = gen.Config.Connections[addr].DeclRange.Ptr()
		}
		for _, n := range notices {
			warn(n.Summary, n.Detail, subject)
		}
	}

	seen := map[string]bool{}
	ask := func(addr string, in cty.Value, fn func(context.Context, connector.Client, cty.Value) []connector.Finding, attrs hcl.Attributes, def hcl.Range) {
		c := client(addr)
		if c == nil {
			return
		}
		in, _ = in.UnmarkDeep()
		cctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		findings := fn(cctx, c, in)
		cancel()
		for _, f := range findings {
			subject := def
			if a, ok := attrs[f.Arg]; ok {
				subject = a.Expr.Range()
			}
			if key := fmt.Sprint(subject, f.Summary, f.Detail); !seen[key] {
				seen[key] = true
				warn(f.Summary, f.Detail, subject.Ptr())
			}
		}
	}
	for _, name := range gen.Config.FlowNames() {
		f := gen.Flows[name]
		if f == nil {
			continue
		}
		if t := f.Trigger; t != nil && t.Spec.CheckRemote != nil && t.Connection != "" && t.Config.IsWhollyKnown() {
			ask(t.Connection, t.Config, t.Spec.CheckRemote, f.Decl.Trigger.Attrs, f.Decl.Trigger.TypeRange)
		}
		for _, card := range f.Cards {
			if card.Action == nil || card.Action.CheckRemote == nil || card.Connection == "" {
				continue
			}
			for _, st := range card.Static {
				ask(card.Connection, st.In, card.Action.CheckRemote, card.Inputs, card.Decl.ActionRange)
			}
		}
	}
	return diags
}

// checkCredentials asks each connection whose connector can tell whether
// the service takes its credentials, and returns an error for each it
// refuses. A refused connection's client is replaced by nil in clients,
// so that no other check asks it (each would warn of the same refusal).
func checkCredentials(ctx context.Context, gen *plan.Generation, client func(string) connector.Client, clients map[string]connector.Client) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, addr := range connector.SortedKeys(gen.Connections) {
		conn := gen.Connections[addr]
		if conn.Connector == nil || conn.Connector.CheckCredentials == nil {
			continue
		}
		c := client(addr)
		if c == nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		err := conn.Connector.CheckCredentials(cctx, c)
		cancel()
		if err == nil {
			continue
		}
		var subject *hcl.Range
		if gen.Config != nil && gen.Config.Connections[addr] != nil {
			subject = gen.Config.Connections[addr].DeclRange.Ptr()
		}
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagError,
			Summary:  "Credentials refused",
			Detail: fmt.Sprintf("%s refused the credentials of connection.%s: %v. Every card and trigger on the connection would fail: "+
				"give it valid credentials where cardflow runs.", conn.Connector.Name, addr, err),
			Subject: subject,
		})
		_ = c.Close()
		clients[addr] = nil
	}
	return diags
}
