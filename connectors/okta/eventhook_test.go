package okta_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

const hookSecret = "s3cret-hook-value"

func hookClient(t testing.TB, attrs map[string]cty.Value) connector.Client {
	t.Helper()
	all := map[string]cty.Value{"org_url": s("https://acme.okta.com"), "token": s("t"),
		"event_hook_secret": s(hookSecret)}
	for k, v := range attrs {
		all[k] = v
	}
	c, err := okta.Open(connectionValue(all))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// receive calls the connector's Webhook.Receive; answered reports that the
// reply is an answer of the connector's own (a verification), not the
// engine's 200 once the events are stored.
func receive(c connector.Client, r *http.Request) (connector.HookReply, []connector.Event, bool, error) {
	rep, err := okta.New().Webhook.Receive(r.Context(), c, r)
	return rep, rep.Events, rep.Status != 0 || rep.Body != nil, err
}

func delivery(t *testing.T, body []byte, header, secret string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/hooks/okta/main", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if header != "" {
		r.Header.Set(header, secret)
	}
	return r
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestEventHookVerification(t *testing.T) {
	c := hookClient(t, nil)
	r := httptest.NewRequest(http.MethodGet, "/hooks/okta/main", nil)
	r.Header.Set("x-okta-verification-challenge", "abc-123") // as net/http parses Okta's lower-case name
	r.Header.Set("Authorization", hookSecret)                // Okta sends the hook's header on verification too
	rep, evs, handled, err := receive(c, r)
	if err != nil || !handled || len(evs) != 0 {
		t.Fatalf("handled=%v events=%d err=%v", handled, len(evs), err)
	}
	var got map[string]string
	if rep.Status != 200 || json.Unmarshal(rep.Body, &got) != nil || got["verification"] != "abc-123" {
		t.Fatalf("answer %d %q", rep.Status, rep.Body)
	}
	if ct := rep.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("answer Content-Type %q, want application/json", ct)
	}
	noChallenge := httptest.NewRequest(http.MethodGet, "/hooks/okta/main", nil)
	noChallenge.Header.Set("Authorization", hookSecret)
	if _, _, _, err = receive(c, noChallenge); connector.KindOf(err) != connector.Invalid {
		t.Errorf("GET without challenge: %v, want Invalid", err)
	}
	// Without the secret, or with a wrong one, the challenge is not
	// answered.
	for name, secret := range map[string]string{"no secret": "", "wrong secret": "s3cret-hook-valuX"} {
		r := httptest.NewRequest(http.MethodGet, "/hooks/okta/main", nil)
		r.Header.Set("X-Okta-Verification-Challenge", "abc-123")
		if secret != "" {
			r.Header.Set("Authorization", secret)
		}
		if rep, _, _, err := receive(c, r); connector.KindOf(err) != connector.Permission || rep.Body != nil {
			t.Errorf("verification with %s: %v %q, want Permission and no answer", name, err, rep.Body)
		}
	}
}

func TestEventHookAuthentication(t *testing.T) {
	body := fixture(t, "event-hook-user-created.json")
	c := hookClient(t, nil)
	for name, r := range map[string]*http.Request{
		"missing header": delivery(t, body, "", ""),
		"wrong secret":   delivery(t, body, "Authorization", "s3cret-hook-valuX"),
		"prefix only":    delivery(t, body, "Authorization", "s3cret"),
		"other header":   delivery(t, body, "X-Secret", hookSecret),
	} {
		if _, evs, _, err := receive(c, r); connector.KindOf(err) != connector.Permission || len(evs) != 0 {
			t.Errorf("%s: %v (%d events), want Permission", name, err, len(evs))
		}
	}
	if _, evs, _, err := receive(c, delivery(t, body, "Authorization", hookSecret)); err != nil || len(evs) != 1 {
		t.Errorf("right secret: %v, %d events", err, len(evs))
	}
	custom := hookClient(t, map[string]cty.Value{"event_hook_header": s("X-Okta-Hook-Key")})
	if _, _, _, err := receive(custom, delivery(t, body, "x-okta-hook-key", hookSecret)); err != nil {
		t.Errorf("custom header: %v", err)
	}
	none := hookClient(t, map[string]cty.Value{"event_hook_secret": cty.NullVal(cty.String)})
	if _, _, _, err := receive(none, delivery(t, body, "Authorization", "")); connector.KindOf(err) != connector.Permission {
		t.Errorf("no secret configured: %v, want Permission", err)
	}
}

func TestEventHookRejectsBadDeliveries(t *testing.T) {
	c := hookClient(t, nil)
	huge := append([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"`), bytes.Repeat([]byte("a"), 1<<20)...)
	tests := map[string]struct {
		body   []byte
		status int
	}{
		"oversize":        {huge, 413},
		"malformed":       {[]byte(`{"eventType": "com.okta.event_hook", "data": {`), 0},
		"not a hook":      {[]byte(`{"eventType": "user.lifecycle.create", "data": {"events": []}}`), 0},
		"events object":   {[]byte(`{"eventType": "com.okta.event_hook", "data": {"events": {}}}`), 0},
		"no data":         {[]byte(`{"eventType": "com.okta.event_hook"}`), 0},
		"event no uuid":   {[]byte(`{"eventType": "com.okta.event_hook", "data": {"events": [{"eventType": "x.y"}]}}`), 0},
		"event not obj":   {[]byte(`{"eventType": "com.okta.event_hook", "data": {"events": ["x"]}}`), 0},
		"array top level": {[]byte(`[]`), 0},
	}
	for name, tt := range tests {
		_, evs, _, err := receive(c, delivery(t, tt.body, "Authorization", hookSecret))
		ce := asError(t, err)
		if ce.Kind != connector.Invalid || len(evs) != 0 || (tt.status != 0 && ce.Status != tt.status) {
			t.Errorf("%s: %v (kind %v, status %d), want Invalid %d", name, err, ce.Kind, ce.Status, tt.status)
		}
	}
	r := httptest.NewRequest(http.MethodPut, "/hooks/okta/main", nil)
	r.Header.Set("Authorization", hookSecret)
	if _, _, _, err := receive(c, r); connector.KindOf(err) != connector.Invalid {
		t.Errorf("PUT: %v, want Invalid", err)
	}
}

func TestEventHookBatch(t *testing.T) {
	body := fixture(t, "event-hook-batch-mixed.json")
	_, evs, handled, err := receive(hookClient(t, nil), delivery(t, body, "Authorization", hookSecret))
	if err != nil || handled {
		t.Fatalf("handled=%v err=%v", handled, err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	want := []struct{ id, typ string }{
		{"2d4f8a1e-8b7c-11ef-9f2a-4f5c1b7d2e90", "user.lifecycle.create"},
		{"2d4f8a1f-8b7c-11ef-9f2a-4f5c1b7d2e90", "user.lifecycle.create"},
		{"2d4f8a20-8b7c-11ef-9f2a-4f5c1b7d2e90", "user.account.update_profile"},
	}
	for i, w := range want {
		if evs[i].ID != w.id || evs[i].Type != w.typ {
			t.Errorf("event %d = %s %s, want %s %s", i, evs[i].ID, evs[i].Type, w.id, w.typ)
		}
	}
	var env struct {
		Data struct {
			Events []json.RawMessage `json:"events"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	for i, ev := range evs {
		var p struct {
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(ev.Payload, &p); err != nil || !bytes.Equal(p.Event, env.Data.Events[i]) {
			t.Errorf("event %d not kept byte for byte in the payload (err %v)", i, err)
		}
	}
	if !evs[0].Time.Equal(time.Date(2026, 11, 20, 9, 14, 2, 871e6, time.UTC)) {
		t.Errorf("Time = %v", evs[0].Time)
	}
	tr, _ := okta.New().Trigger("event_hook")
	cfg := objectValue(tr.Config, map[string]cty.Value{"event_types": cty.ListVal([]cty.Value{s("user.lifecycle.create")})})
	kept := 0
	for i := range evs {
		if tr.Accept(cfg, &evs[i]) {
			kept++
		}
	}
	if kept != 2 {
		t.Errorf("Accept kept %d events, want 2", kept)
	}
	// The payload is trigger.*: it must convert to the trigger's Output.
	v, err := connector.FromJSON(evs[1].Payload, tr.Output)
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string][]string{
		"00u8newUsEr5678def0h7":                {"event", "target", "0", "id"},
		"ola.hansen@acme.example":              {"event", "target", "0", "alternateId"},
		"it-admin@acme.example":                {"event", "actor", "alternateId"},
		"7a2b9c10-1d3e-4f50-8a6b-7c8d9e0f1a2b": {"delivery", "event_id"},
		"2026-11-20T09:14:03.512Z":             {"delivery", "event_time"},
		"/api/v1/users":                        {"event", "debugContext", "debugData", "requestUri"},
		"203.0.113.24":                         {"event", "client", "ipAddress"},
	} {
		if got := walk(v, want); got != path {
			t.Errorf("trigger.%s = %q, want %q", strings.Join(want, "."), got, path)
		}
	}
}

// walk follows attribute names, map keys and list indexes.
func walk(v cty.Value, path []string) string {
	for _, p := range path {
		if v.IsNull() {
			return ""
		}
		switch ty := v.Type(); {
		case ty.IsListType() || ty.IsTupleType():
			i, _ := strconv.Atoi(p)
			v = v.Index(cty.NumberIntVal(int64(i)))
		case ty.IsMapType():
			if !v.HasIndex(cty.StringVal(p)).True() {
				return ""
			}
			v = v.Index(cty.StringVal(p))
		default:
			v = v.GetAttr(p)
		}
	}
	if v.IsNull() {
		return ""
	}
	return v.AsString()
}

func TestEventTypesCheck(t *testing.T) {
	tr, _ := okta.New().Trigger("event_hook")
	poll, _ := okta.New().Trigger("system_log")
	check := tr.Config[0].Check
	list := func(ts ...string) cty.Value {
		vals := make([]cty.Value, len(ts))
		for i, x := range ts {
			vals[i] = s(x)
		}
		return cty.ListVal(vals)
	}
	for _, ok := range [][]string{{"user.lifecycle.create"}, {"user.lifecycle.create", "group.user_membership.add"},
		{"user.account.lock.limit"}, {"workflows.user.flow.execution_history.clear"}} {
		if err := check(list(ok...)); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for bad, want := range map[string]string{
		"user.lifecycle.created":   `did you mean "user.lifecycle.create"`,
		"user.lifecyle.activate":   `did you mean "user.lifecycle.activate"`,
		"User.Lifecycle.Create":    "dotted lower-case",
		"userlifecyclecreate":      "dotted lower-case",
		"event_hook.delivery":      "not eligible",
		"group.user_membership.ad": `did you mean "group.user_membership.add"`,
	} {
		err := check(list(bad))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", bad, err, want)
		}
	}
	if err := check(cty.ListValEmpty(cty.String)); err == nil {
		t.Error("empty list accepted")
	}
	if err := poll.Config[0].Check(list("event_hook.delivery")); err != nil {
		t.Errorf("system_log refuses event_hook.delivery: %v", err)
	}
}

// Okta's own delivery path, end to end: the emulator verifies the hook and
// POSTs events of a created user to a server that hands requests to the
// connector's Webhook.
func TestEventHookFromEmulator(t *testing.T) {
	c := hookClient(t, nil)
	var (
		mu   sync.Mutex
		got  []connector.Event
		done = make(chan struct{}, 8)
	)
	hooks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep, err := okta.New().Webhook.Receive(r.Context(), c, r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if rep.Status != 0 { // the verification: the connector's own answer
			for k, v := range rep.Header {
				w.Header()[k] = v
			}
			w.WriteHeader(rep.Status)
			_, _ = w.Write(rep.Body)
			return
		}
		mu.Lock()
		got = append(got, rep.Events...)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
		done <- struct{}{}
	}))
	defer hooks.Close()
	o := newOrg(t, nil)
	if _, err := o.emu.RegisterEventHook(emulator.EventHook{Name: "cardflow", URI: hooks.URL + "/hooks/okta/main",
		Secret: hookSecret, EventTypes: []string{"user.lifecycle.create"}}); err != nil {
		t.Fatalf("verification through the connector failed: %v", err)
	}
	u, err := o.emu.CreateUser(map[string]any{"login": "new.hire@acme.example", "email": "new.hire@acme.example",
		"firstName": "New", "lastName": "Hire"}, false)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0].Type != "user.lifecycle.create" {
		t.Fatalf("events %+v", got)
	}
	tr, _ := okta.New().Trigger("event_hook")
	v, err := connector.FromJSON(got[0].Payload, tr.Output)
	if err != nil {
		t.Fatal(err)
	}
	if id := walk(v, []string{"event", "target", "0", "id"}); id != u.ID {
		t.Errorf("target id %q, want %q", id, u.ID)
	}
}

func FuzzDecodeEventHook(f *testing.F) {
	// The 9 KiB batch fixture stalls Go's mutator (0 execs/s); the batch
	// is decoded and checked byte for byte in TestEventHookBatch instead.
	for _, name := range []string{"event-hook-user-created.json"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","published":"x"}]}}`))
	f.Add([]byte(`{"eventType":"com.okta.event_hook","data":{"events":[{"uuid":"u","eventType":"a.b","published":"2026-01-01T00:00:00Z"}]}}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		evs, err := okta.DecodeEventHook(body)
		if err != nil {
			if connector.KindOf(err) != connector.Invalid {
				t.Fatalf("error of kind %v: %v", connector.KindOf(err), err)
			}
			return
		}
		var env struct {
			Data struct {
				Events []json.RawMessage `json:"events"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &env); err != nil {
			t.Fatalf("decoded an envelope encoding/json refuses: %v", err)
		}
		if len(evs) != len(env.Data.Events) {
			t.Fatalf("%d events from %d elements", len(evs), len(env.Data.Events))
		}
		for i, ev := range evs {
			var p struct {
				Event    json.RawMessage `json:"event"`
				Delivery map[string]any  `json:"delivery"`
			}
			if err := json.Unmarshal(ev.Payload, &p); err != nil {
				t.Fatalf("payload %d is not JSON: %v", i, err)
			}
			if !bytes.Equal(p.Event, bytes.TrimSpace(env.Data.Events[i])) {
				t.Fatalf("event %d not kept byte for byte", i)
			}
			if ev.ID == "" {
				t.Fatalf("event %d without ID", i)
			}
		}
	})
}
