package okta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v2/okta"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

// receiver is cardflow's hook endpoint for one connection: the connector's
// own Webhook.Receive behind a loopback server, counting delivered events.
type receiver struct {
	srv    *httptest.Server
	events atomic.Int64
}

func newReceiver(t *testing.T, client func() connector.Client) *receiver {
	t.Helper()
	rc := &receiver{}
	wh := okta.New().Webhook
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/hooks/okta/main" {
			http.NotFound(w, r)
			return
		}
		rep, err := wh.Receive(r.Context(), client(), r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		rc.events.Add(int64(len(rep.Events)))
		for k, v := range rep.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(max(rep.Status, http.StatusOK))
		_, _ = w.Write(rep.Body)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func hookUses(types ...string) []connector.TriggerUse {
	var uses []connector.TriggerUse
	for _, et := range types {
		uses = append(uses, connector.TriggerUse{Flow: "f_" + et, Trigger: "event_hook",
			Config: cty.ObjectVal(map[string]cty.Value{"event_types": cty.ListVal([]cty.Value{s(et)})})})
	}
	// A System Log trigger on the same connection needs no hook.
	uses = append(uses, connector.TriggerUse{Flow: "poll", Trigger: "system_log",
		Config: cty.ObjectVal(map[string]cty.Value{"event_types": cty.ListVal([]cty.Value{s("user.lifecycle.suspend")})})})
	return uses
}

func (o *org) hooks(t *testing.T) []*sdk.EventHook {
	t.Helper()
	ctx, client, err := sdk.NewClient(context.Background(), sdk.WithOrgUrl(o.srv.URL), sdk.WithToken(testToken),
		sdk.WithTestingDisableHttpsCheck(true), sdk.WithCache(false))
	if err != nil {
		t.Fatal(err)
	}
	hooks, _, err := client.EventHook.ListEventHooks(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return hooks
}

// TestManagedEventHook runs the whole cycle against the emulator's event
// hook API: create, verify (the emulator calls the receiver), deliver,
// update on a new flow, and leave alone when nothing changed.
func TestManagedEventHook(t *testing.T) {
	o := newOrg(t, nil)
	secret := "hook-secret-123"
	// The receiver needs the client, the client the receiver's URL: open a
	// second client with the URL once the server is up.
	var managed atomic.Pointer[connector.Client]
	rc := newReceiver(t, func() connector.Client { return *managed.Load() })
	c := o.open(t, map[string]cty.Value{"manage_event_hook": cty.True, "public_url": s(rc.srv.URL),
		"event_hook_secret": s(secret)})
	managed.Store(&c)
	sync := okta.New().Webhook.Sync
	ctx := context.Background()

	warnings, err := sync(ctx, c, connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create")})
	if err != nil {
		t.Fatal(err)
	}
	hooks := o.hooks(t)
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.Name != "cardflow-main" || h.VerificationStatus != "VERIFIED" || h.Status != "ACTIVE" ||
		strings.Join(h.Events.Items, ",") != "user.lifecycle.create" || h.Channel.Config.Uri != rc.srv.URL+"/hooks/okta/main" {
		t.Fatalf("hook = %+v %+v %+v", h, h.Events, h.Channel.Config)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "created") {
		t.Errorf("warnings = %v", warnings)
	}
	// Okta delivers with the connection's secret, and the receiver takes it.
	if _, err := o.emu.CreateUser(map[string]any{"login": "d@acme.example", "email": "d@acme.example", "firstName": "D", "lastName": "E"}, false); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the delivery", func() bool { return rc.events.Load() == 1 })

	// A reload with a new flow on another event type updates the hook.
	if _, err := sync(ctx, c, connector.HookSync{Connection: "main",
		Triggers: hookUses("user.lifecycle.create", "group.user_membership.add")}); err != nil {
		t.Fatal(err)
	}
	h = o.hooks(t)[0]
	if strings.Join(h.Events.Items, ",") != "group.user_membership.add,user.lifecycle.create" || h.VerificationStatus != "VERIFIED" {
		t.Errorf("after update: %+v", h.Events)
	}
	if _, err := o.do(t, "add_user_to_group", map[string]cty.Value{"user": s("d@acme.example"), "group": s("Finance")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the membership delivery", func() bool { return rc.events.Load() == 2 })
	// Nothing changed: no write.
	before := o.emu.Requests()
	warnings, err = sync(ctx, c, connector.HookSync{Connection: "main",
		Triggers: hookUses("group.user_membership.add", "user.lifecycle.create")})
	if err != nil || len(warnings) != 0 || o.emu.Requests()-before != 1 {
		t.Errorf("unchanged sync: %v %v, %d requests (want the one list)", warnings, err, o.emu.Requests()-before)
	}

	st, err := c.(*okta.Client).EventHookStatus(ctx, "main", []string{"user.lifecycle.create", "user.lifecycle.deactivate"})
	if err != nil || !st.Found || st.Verification != "VERIFIED" || strings.Join(st.Missing, ",") != "user.lifecycle.deactivate" {
		t.Errorf("status = %+v %v", st, err)
	}
}

// TestUnmanagedEventHookWarnsOnce checks the warning for a hook that
// lacks a type a flow needs, given once per missing set.
func TestUnmanagedEventHookWarnsOnce(t *testing.T) {
	o := newOrg(t, nil)
	// A loopback port nothing listens on: the verification fails.
	managed := o.open(t, map[string]cty.Value{"manage_event_hook": cty.True, "public_url": s("http://127.0.0.1:1"),
		"event_hook_secret": s("x")})
	// The hook exists (made by an earlier run); its URL cannot answer the
	// verification, which sync reports as an error.
	_, err := okta.New().Webhook.Sync(context.Background(), managed, connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create")})
	if err == nil || !strings.Contains(err.Error(), "could not verify") {
		t.Fatalf("sync to an unreachable URL: %v", err)
	}
	plain := o.open(t, nil)
	sync := okta.New().Webhook.Sync
	req := connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create", "user.lifecycle.deactivate")}
	warnings, err := sync(context.Background(), plain, req)
	if err != nil || len(warnings) != 1 || !strings.Contains(warnings[0], "does not deliver user.lifecycle.deactivate") {
		t.Fatalf("warnings = %v, %v", warnings, err)
	}
	if warnings, _ := sync(context.Background(), plain, req); len(warnings) != 0 {
		t.Errorf("warned again: %v", warnings)
	}
	if warnings, _ := sync(context.Background(), plain, connector.HookSync{Connection: "main", Triggers: hookUses("user.lifecycle.create")}); len(warnings) != 0 {
		t.Errorf("warned with nothing missing: %v", warnings)
	}
}

func TestManageEventHookNeedsURLAndSecret(t *testing.T) {
	for _, attrs := range []map[string]cty.Value{
		{"manage_event_hook": cty.True, "event_hook_secret": s("x")},
		{"manage_event_hook": cty.True, "public_url": s("https://c.example")},
		{"public_url": s("http://cardflow.example")},
	} {
		all := map[string]cty.Value{"org_url": s("https://acme.okta.com"), "token": s("t")}
		for k, v := range attrs {
			all[k] = v
		}
		if _, err := okta.Open(connectionValue(all)); connector.KindOf(err) != connector.Invalid {
			t.Errorf("Open(%v) = %v, want Invalid", attrs, err)
		}
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
