package engine

import (
	"context"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/plan"
)

// hookSyncTimeout bounds one connection's webhook sync: a reload must not
// hang on a remote API.
const hookSyncTimeout = 30 * time.Second

// syncWebhooks tells each connection whose connector has a Webhook.Sync
// which triggers of enabled flows use it (connectors keep their remote
// subscriptions in step, e.g. an Okta event hook) and logs what they say.
// A failure is logged and does not stop the generation: flows on other
// event types still run.
func (e *Engine) syncWebhooks(ctx context.Context, gen *plan.Generation) {
	for _, addr := range connector.SortedKeys(gen.Connections) {
		conn := gen.Connections[addr]
		if conn.Connector == nil || conn.Connector.Webhook == nil || conn.Connector.Webhook.Sync == nil {
			continue
		}
		req := HookSyncRequest(gen, conn)
		client, err := e.clients.Get(conn)
		if err != nil {
			e.log.Error("webhook sync: opening the connection failed", "connection", addr, "err", err)
			continue
		}
		sctx, cancel := context.WithTimeout(ctx, hookSyncTimeout)
		warnings, err := conn.Connector.Webhook.Sync(sctx, client, req)
		cancel()
		if err != nil {
			e.log.Error("webhook sync failed", "connection", addr, "err", err)
		}
		for _, w := range warnings {
			e.log.Warn(w, "connection", addr)
		}
	}
}

// HookSyncRequest is what Webhook.Sync is told about conn in gen: the
// connection's name and the triggers of the enabled flows on it.
func HookSyncRequest(gen *plan.Generation, conn *plan.Connection) connector.HookSync {
	req := connector.HookSync{Connection: strings.TrimPrefix(conn.Addr, conn.Connector.Name+".")}
	for _, name := range gen.Config.FlowNames() {
		f := gen.Flows[name]
		if f == nil || !f.Enabled || f.Trigger == nil || f.Trigger.Connection != conn.Addr {
			continue
		}
		req.Triggers = append(req.Triggers, connector.TriggerUse{Flow: f.Name, Trigger: f.Trigger.Spec.Name, Config: f.Trigger.Config})
	}
	return req
}
