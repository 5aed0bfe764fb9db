package engine

import (
	"context"
	"sort"

	"github.com/hashicorp/hcl/v2"

	"github.com/cardflow/cardflow/engine/plan"
)

// CheckWebhooks asks each connection whose connector has a Webhook.Check
// whether the remote side delivers what the enabled flows listen for (an
// Okta event hook that lacks an event type starts no flow), and returns
// what it says as warnings on the connection blocks. It reads and never
// changes: `cardflow validate --check-env` calls it where cardflow runs.
// A connection whose settings are not all known here (an unset env()) is
// skipped; so is one the connector cannot open, which the load reported.
func CheckWebhooks(ctx context.Context, gen *plan.Generation) hcl.Diagnostics {
	if gen == nil {
		return nil
	}
	addrs := make([]string, 0, len(gen.Connections))
	for addr := range gen.Connections {
		addrs = append(addrs, addr)
	}
	sort.Strings(addrs)
	var diags hcl.Diagnostics
	for _, addr := range addrs {
		conn := gen.Connections[addr]
		if conn.Connector == nil || conn.Connector.Webhook == nil || conn.Connector.Webhook.Check == nil ||
			!conn.Config.IsWhollyKnown() {
			continue
		}
		req := HookSyncRequest(gen, conn)
		if len(req.Triggers) == 0 {
			continue
		}
		client, err := conn.Connector.Open(conn.Config)
		if err != nil {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		notices := conn.Connector.Webhook.Check(cctx, client, req)
		cancel()
		_ = client.Close()
		var subject *hcl.Range
		if gen.Config != nil && gen.Config.Connections[addr] != nil {
			subject = gen.Config.Connections[addr].DeclRange.Ptr()
		}
		for _, n := range notices {
			diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagWarning, Summary: n.Summary, Detail: n.Detail, Subject: subject})
		}
	}
	return diags
}
