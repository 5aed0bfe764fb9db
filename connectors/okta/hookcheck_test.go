package okta_test

import (
	"context"
	"strings"
	"testing"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

// createHook makes a hook by hand, as an admin would in the console.
func (o *org) createHook(t *testing.T, name string, types ...string) {
	t.Helper()
	ctx, client, err := sdk.NewClient(context.Background(), sdk.WithOrgUrl(o.srv.URL), sdk.WithToken(testToken),
		sdk.WithTestingDisableHttpsCheck(true), sdk.WithCache(false))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.EventHook.CreateEventHook(ctx, sdk.EventHook{Name: name,
		Events: &sdk.EventSubscriptions{Type: "EVENT_TYPE", Items: types},
		Channel: &sdk.EventHookChannel{Type: "HTTP", Version: "1.0.0", Config: &sdk.EventHookChannelConfig{
			Uri: "https://cardflow.acme.example/hooks/okta/main"}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestCheckUnmanagedHook checks Webhook.Check, what `cardflow validate
// --check-env` asks: the same finding as run's warning, nothing for a
// managed hook (run keeps it in step) and no request made for it.
func TestCheckUnmanagedHook(t *testing.T) {
	o := newOrg(t, nil)
	o.createHook(t, "HR events", "user.lifecycle.create")
	check := okta.New().Webhook.Check
	req := connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create", "user.lifecycle.deactivate")}
	ns := check(context.Background(), o.open(t, nil), req)
	if len(ns) != 1 || ns[0].Summary != "Event Hook Lacks Event Types" ||
		!strings.Contains(ns[0].Detail, "HR events") || !strings.Contains(ns[0].Detail, "does not deliver user.lifecycle.deactivate,") {
		t.Fatalf("notices = %+v", ns)
	}
	warnings, err := okta.New().Webhook.Sync(context.Background(), o.open(t, nil), req)
	if err != nil || len(warnings) != 1 || warnings[0] != ns[0].Detail {
		t.Errorf("run's warning %q (%v) differs from validate's %q", warnings, err, ns[0].Detail)
	}
	if ns := check(context.Background(), o.open(t, nil), connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create")}); len(ns) != 0 {
		t.Errorf("nothing missing: %+v", ns)
	}
	managed := o.open(t, map[string]cty.Value{"manage_event_hook": cty.True, "public_url": s("https://c.example"), "event_hook_secret": s("x")})
	before := o.emu.Requests()
	if ns := check(context.Background(), managed, req); len(ns) != 0 || o.emu.Requests() != before {
		t.Errorf("managed: %+v after %d requests", ns, o.emu.Requests()-before)
	}
	down := o.open(t, map[string]cty.Value{"org_url": s("http://127.0.0.1:1")})
	if ns := check(context.Background(), down, req); len(ns) != 1 || ns[0].Summary != "Event Hook Not Checked" || !strings.Contains(ns[0].Detail, "failed") {
		t.Errorf("unreachable org: %+v", ns)
	}
}

// TestUnreadableHooksSaidOnce: a token without okta.eventHooks.read gets
// 403 on the hooks; run says so once and goes on, validate says so.
func TestUnreadableHooksSaidOnce(t *testing.T) {
	o := newOrg(t, nil)
	o.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/v1/eventHooks", Status: 403, Count: 100})
	req := connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create")}
	c := o.open(t, nil)
	sync := okta.New().Webhook.Sync
	warnings, err := sync(context.Background(), c, req)
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "HTTP 403: it lacks okta.eventHooks.read") ||
		!strings.Contains(warnings[0], "user.lifecycle.create") {
		t.Fatalf("first sync: %q, %v", warnings, err)
	}
	if warnings, err := sync(context.Background(), c, req); err != nil || len(warnings) != 0 {
		t.Errorf("second sync: %q, %v (want nothing: said once)", warnings, err)
	}
	ns := okta.New().Webhook.Check(context.Background(), c, req)
	if len(ns) != 1 || ns[0].Summary != "Event Hook Not Checked" || !strings.Contains(ns[0].Detail, "okta.eventHooks.read") {
		t.Errorf("check: %+v", ns)
	}
}
