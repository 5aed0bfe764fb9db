package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/google/go-cmp/cmp"
)

const hookSecret = "hook-s3cret"

const flowsHCL = `
connection "okta" "main" {
  org_url           = env("OKTA_ORG_URL")
  token             = env("OKTA_API_TOKEN")
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
}

connection "okta" "nosecret" {
  org_url = env("OKTA_ORG_URL")
  token   = env("OKTA_API_TOKEN")
}

connection "servicenow" "main" {
  instance_url = env("SERVICENOW_INSTANCE_URL")
  username     = env("SERVICENOW_USERNAME")
  password     = env("SERVICENOW_PASSWORD")
}

flow "on_create" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create"]
  }
  card "hello" {
    action = text.compose
    text   = "created ${trigger.event.target[0].id}"
  }
}

flow "on_update" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.account.update_profile"]
  }
  card "hello" {
    action = text.compose
    text   = "updated"
  }
}

flow "hr" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
  }
  card "hello" {
    action = text.compose
    text   = "hr"
  }
}
`

var fakeEnv = map[string]string{
	"OKTA_ORG_URL":            "http://127.0.0.1:1",
	"OKTA_API_TOKEN":          "okta-token",
	"OKTA_EVENT_HOOK_SECRET":  hookSecret,
	"SERVICENOW_INSTANCE_URL": "http://127.0.0.1:2",
	"SERVICENOW_USERNAME":     "svc",
	"SERVICENOW_PASSWORD":     "pw",
	"HR_ENDPOINT_TOKEN":       "hr-token",
}

func registry() *connector.Registry {
	return connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
}

func loadGen(t testing.TB, src string) *plan.Generation {
	t.Helper()
	gen, _, diags := engine.LoadSources(map[string][]byte{"flows.hcl": []byte(src)}, engine.LoadOptions{
		Registry: registry(), Mode: lang.Live,
		Host: lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := fakeEnv[k]; return v, ok }},
	})
	if diags.HasErrors() {
		t.Fatalf("loading flows: %s", diags.Error())
	}
	return gen
}

// fakeBackend is a server.Backend over a generation and the memory store.
type fakeBackend struct {
	gen     *plan.Generation
	clients *runtime.Clients
	st      *memory.Store
	// refused says the intake refuses every event (the store is lost).
	refused atomic.Bool
	ops     operations
}

func (b *fakeBackend) Generation() *plan.Generation { return b.gen }
func (b *fakeBackend) Client(conn *plan.Connection) (connector.Client, error) {
	return b.clients.Get(conn)
}
func (b *fakeBackend) Store() store.Store { return b.st }
func (b *fakeBackend) Health() server.Health {
	status := "ok"
	if b.refused.Load() {
		status = "unavailable"
	}
	return server.Health{Status: status, Detail: map[string]any{"status": status, "flows": len(b.gen.Flows)}}
}
func (b *fakeBackend) IntakeRefused() bool { return b.refused.Load() }

// intake is the intake of b's generation over b's store, with no workers.
func (b *fakeBackend) intake(obs trigger.IntakeObserver) *trigger.Intake {
	in := &trigger.Intake{Store: b.st, Generation: b.Generation}
	if obs != nil {
		in.Observer = obs
	}
	return in
}

// busy puts in over its inbox limit.
func busy(in *trigger.Intake) {
	in.Limit = 1
	in.SetDepth(1)
}

type observer struct {
	mu       sync.Mutex
	received map[string]int
	rejected map[string]int
}

func (o *observer) Received(flow string, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.received[flow] += n
}

func (o *observer) Held(time.Duration) {}

func (o *observer) Rejected(path string, status int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rejected[path+" "+http.StatusText(status)]++
}

type fixture struct {
	backend *fakeBackend
	intake  *trigger.Intake
	obs     *observer
	srv     *httptest.Server // the public surface
	admin   *httptest.Server // the admin surface, trusting everyone as on loopback
	audit   *auditLog
}

func newFixture(t testing.TB, gen *plan.Generation) *fixture {
	t.Helper()
	b := &fakeBackend{gen: gen, clients: runtime.NewClients(), st: memory.New()}
	obs := &observer{received: map[string]int{}, rejected: map[string]int{}}
	in := b.intake(obs)
	s := &server.Server{Backend: b, Intake: in, Observer: obs, RetryAfter: 1500 * time.Millisecond,
		Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "metrics") })}
	srv := httptest.NewServer(s.Handler())
	audit := &auditLog{}
	admin := httptest.NewServer(s.Admin(server.AdminOptions{Auth: server.LoopbackTrust{}, Auditor: audit, Pprof: true}))
	t.Cleanup(func() {
		srv.Close()
		admin.Close()
		b.clients.Close()
		_ = b.st.Close()
	})
	return &fixture{backend: b, intake: in, obs: obs, srv: srv, admin: admin, audit: audit}
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type response struct {
	Status int
	Header http.Header
	Body   string
}

// do sends a request to the public surface.
func (f *fixture) do(t testing.TB, method, path string, body []byte, header map[string]string) response {
	t.Helper()
	return send(t, f.srv, method, path, body, header)
}

// doAdmin sends a request to the admin surface.
func (f *fixture) doAdmin(t testing.TB, method, path string, body []byte, header map[string]string) response {
	t.Helper()
	return send(t, f.admin, method, path, body, header)
}

func send(t testing.TB, srv *httptest.Server, method, path string, body []byte, header map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, string(b)}
}

// executions returns flow → dedup keys of what the store holds.
func (f *fixture) executions(t testing.TB) map[string][]string {
	t.Helper()
	exs, err := f.backend.st.Executions(context.Background(), store.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, ex := range exs {
		out[ex.Flow] = append(out[ex.Flow], ex.DedupKey)
	}
	for _, keys := range out {
		slices.Sort(keys)
	}
	return out
}

var auth = map[string]string{"Authorization": hookSecret, "Content-Type": "application/json"}

const (
	uuidCreate1 = "2d4f8a1e-8b7c-11ef-9f2a-4f5c1b7d2e90"
	uuidCreate2 = "2d4f8a1f-8b7c-11ef-9f2a-4f5c1b7d2e90"
	uuidUpdate  = "2d4f8a20-8b7c-11ef-9f2a-4f5c1b7d2e90"
)

func TestHookBatch(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	batch := readFixture(t, "event-hook-batch-mixed.json")

	r := f.do(t, "POST", "/hooks/okta/main", batch, auth)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	want := map[string][]string{"on_create": {uuidCreate1, uuidCreate2}, "on_update": {uuidUpdate}}
	if diff := cmp.Diff(want, f.executions(t)); diff != "" {
		t.Errorf("executions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"on_create": 2, "on_update": 1}, f.obs.received); diff != "" {
		t.Errorf("received (-want +got):\n%s", diff)
	}

	// Each execution's trigger payload is the event itself.
	exs, _ := f.backend.st.Executions(context.Background(), store.Filter{Flow: "on_update"})
	var payload struct {
		Event struct {
			UUID      string `json:"uuid"`
			EventType string `json:"eventType"`
		} `json:"event"`
	}
	if err := json.Unmarshal(exs[0].Payload, &payload); err != nil || payload.Event.UUID != uuidUpdate || payload.Event.EventType != "user.account.update_profile" {
		t.Errorf("payload %s (%v)", exs[0].Payload, err)
	}

	// Okta delivers at least once: the same delivery again runs nothing new
	// and is still acknowledged.
	r = f.do(t, "POST", "/hooks/okta/main", batch, auth)
	if r.Status != http.StatusOK {
		t.Fatalf("second delivery: status %d: %s", r.Status, r.Body)
	}
	if diff := cmp.Diff(want, f.executions(t)); diff != "" {
		t.Errorf("after a repeated delivery (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"on_create": 2, "on_update": 1}, f.obs.received); diff != "" {
		t.Errorf("duplicates counted as received (-want +got):\n%s", diff)
	}

	// A single-event delivery of an event already seen adds nothing either.
	r = f.do(t, "POST", "/hooks/okta/main", readFixture(t, "event-hook-user-created.json"), auth)
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	if diff := cmp.Diff(want, f.executions(t)); diff != "" {
		t.Errorf("after the single event (-want +got):\n%s", diff)
	}
}

// TestHookChecksEveryEvent: every event of a delivery must be a well-formed
// Okta event (uuid, eventType, target), whether a flow takes it or not; a
// delivery with one that is not is refused whole, and nothing of it is
// stored. Well-formed events no flow takes are acknowledged.
func TestHookChecksEveryEvent(t *testing.T) {
	const (
		create     = `{"uuid":"ok-1","eventType":"user.lifecycle.create","target":[{"id":"00u1","type":"User"}]}`
		deactivate = `{"uuid":"ok-2","eventType":"user.lifecycle.deactivate","target":[{"id":"00u2","type":"User"}]}`
	)
	delivery := func(events ...string) []byte {
		return []byte(`{"eventType":"com.okta.event_hook","data":{"events":[` + strings.Join(events, ",") + `]}}`)
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		want   string // in the error
		stored map[string][]string
	}{
		{"no eventType", delivery(`{"uuid":"a-1","target":[{"id":"x","type":"User"}]}`), 400, "trigger.event.eventType is missing", nil},
		{"a type no flow takes, target a string, in a batch", delivery(create, `{"uuid":"b-2","eventType":"user.lifecycle.deactivate","target":"oops"}`), 400,
			"event 2 of 2: trigger.event.target must be a list", nil},
		{"a type no flow takes, no target", delivery(`{"uuid":"c-1","eventType":"user.lifecycle.deactivate"}`), 400, "trigger.event.target is missing", nil},
		{"a type no flow takes, target null, after a good one", delivery(create, deactivate, `{"uuid":"d-3","eventType":"group.user_membership.add","target":null}`), 400,
			"event 3 of 3: trigger.event.target", nil},
		{"well-formed events no flow takes", delivery(deactivate, create), 200, "", map[string][]string{"on_create": {"ok-1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, loadGen(t, flowsHCL))
			r := f.do(t, "POST", "/hooks/okta/main", tt.body, auth)
			if r.Status != tt.status || !strings.Contains(r.Body, tt.want) {
				t.Errorf("status %d %s, want %d naming %q", r.Status, r.Body, tt.status, tt.want)
			}
			got := f.executions(t)
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(tt.stored, got); diff != "" {
				t.Errorf("stored (-want +got):\n%s", diff)
			}
		})
	}
}

func TestHookRejects(t *testing.T) {
	batch := readFixture(t, "event-hook-batch-mixed.json")
	var notHook bytes.Buffer
	_ = json.Compact(&notHook, []byte(`{"eventType": "com.example.other", "data": {"events": []}}`))
	tests := []struct {
		name   string
		method string
		path   string
		body   []byte
		header map[string]string
		status int
		busy   bool
		check  func(t *testing.T, r response)
	}{
		{name: "wrong secret", method: "POST", path: "/hooks/okta/main", body: batch,
			header: map[string]string{"Authorization": "nope"}, status: 401,
			check: func(t *testing.T, r response) {
				if strings.Contains(r.Body, hookSecret) || strings.Contains(r.Body, "nope") {
					t.Errorf("the 401 body echoes a secret: %s", r.Body)
				}
			}},
		{name: "no secret", method: "POST", path: "/hooks/okta/main", body: batch, status: 401},
		{name: "connection without a secret refuses all", method: "POST", path: "/hooks/okta/nosecret", body: batch, header: map[string]string{"Authorization": ""}, status: 401},
		{name: "malformed JSON", method: "POST", path: "/hooks/okta/main", body: batch[:len(batch)/2], header: auth, status: 400},
		{name: "not an event hook", method: "POST", path: "/hooks/okta/main", body: notHook.Bytes(), header: auth, status: 400},
		{name: "JSON array", method: "POST", path: "/hooks/okta/main", body: []byte(`[1,2]`), header: auth, status: 400},
		{name: "oversize", method: "POST", path: "/hooks/okta/main", body: append(append([]byte(`{"eventType":"com.okta.event_hook","pad":"`), bytes.Repeat([]byte("x"), 1<<20)...), `"}`...), header: auth, status: 413},
		// A hook nobody receives is answered as a wrong secret is, so
		// that nobody can list the connections (TestHookNamesDoNotLeak).
		{name: "unknown connection", method: "POST", path: "/hooks/okta/other", body: batch, header: auth, status: 401},
		{name: "connector without hooks", method: "POST", path: "/hooks/servicenow/main", body: batch, header: auth, status: 401},
		{name: "unknown connector", method: "POST", path: "/hooks/nope/main", body: batch, header: auth, status: 401},
		{name: "busy inbox", method: "POST", path: "/hooks/okta/main", body: batch, header: auth, status: 503, busy: true,
			check: func(t *testing.T, r response) {
				if got := r.Header.Get("Retry-After"); got != "2" {
					t.Errorf("Retry-After = %q, want 2 (1.5s rounded up)", got)
				}
			}},
		{name: "wrong method", method: "PUT", path: "/hooks/okta/main", body: batch, header: auth, status: 405},
		{name: "wrong method without the secret", method: "PUT", path: "/hooks/okta/main", body: batch, status: 401},
		{name: "GET without a challenge", method: "GET", path: "/hooks/okta/main", header: auth, status: 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, loadGen(t, flowsHCL))
			if tt.busy {
				busy(f.intake)
			}
			r := f.do(t, tt.method, tt.path, tt.body, tt.header)
			if r.Status != tt.status {
				t.Errorf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			var body map[string]string
			if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body["error"] == "" {
				t.Errorf("body %q is not a JSON error", r.Body)
			}
			if got := f.executions(t); len(got) != 0 {
				t.Errorf("stored %v", got)
			}
			if f.obs.rejected["/hooks "+http.StatusText(tt.status)] != 1 {
				t.Errorf("rejections %v", f.obs.rejected)
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func TestHookVerification(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	// Okta sends the hook's authentication header on its verification
	// request too; the answer echoes the challenge.
	r := f.do(t, "GET", "/hooks/okta/main", nil, map[string]string{"X-Okta-Verification-Challenge": "abc-123", "Authorization": hookSecret})
	if r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	var got map[string]string
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"verification": "abc-123"}, got); diff != "" {
		t.Error(diff)
	}
	if len(f.executions(t)) != 0 {
		t.Error("a verification stored something")
	}
}

// TestHookNamesDoNotLeak: without the hook's secret, the verification GET
// and a delivery get the same answer whether the connection exists or not,
// so that nobody can list the connections that receive hooks.
func TestHookNamesDoNotLeak(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	batch := readFixture(t, "event-hook-batch-mixed.json")
	want := f.do(t, "GET", "/hooks/okta/main", nil, map[string]string{"X-Okta-Verification-Challenge": "probe", "Authorization": "wrong"})
	if want.Status != http.StatusUnauthorized || strings.Contains(want.Body, "probe") {
		t.Fatalf("verification with a wrong secret: %d %s, want 401 without the challenge", want.Status, want.Body)
	}
	for _, tt := range []struct {
		method, path string
		body         []byte
		header       map[string]string
	}{
		{"GET", "/hooks/okta/main", nil, map[string]string{"X-Okta-Verification-Challenge": "probe"}},
		{"GET", "/hooks/okta/nope", nil, map[string]string{"X-Okta-Verification-Challenge": "probe"}},
		{"GET", "/hooks/okta/nope", nil, map[string]string{"X-Okta-Verification-Challenge": "probe", "Authorization": hookSecret}},
		{"GET", "/hooks/servicenow/main", nil, map[string]string{"X-Okta-Verification-Challenge": "probe", "Authorization": "wrong"}},
		{"POST", "/hooks/okta/main", batch, map[string]string{"Authorization": "wrong"}},
		{"POST", "/hooks/okta/nope", batch, map[string]string{"Authorization": "wrong"}},
	} {
		r := f.do(t, tt.method, tt.path, tt.body, tt.header)
		if r.Status != want.Status || r.Body != want.Body || r.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
			t.Errorf("%s %s %v: %d %q, want %d %q as for a wrong secret", tt.method, tt.path, tt.header, r.Status, r.Body, want.Status, want.Body)
		}
	}
	if len(f.executions(t)) != 0 {
		t.Error("a refused request stored something")
	}
}

// TestHookConnectionUnavailable: when a connection's client cannot be
// opened (here an empty token), a sender without the hook's secret gets
// the answer of a wrong secret, to a delivery and to the verification GET
// alike; only one with the secret, in the connection's own header, learns
// that the connection is unavailable.
func TestHookConnectionUnavailable(t *testing.T) {
	src := flowsHCL + `
connection "okta" "broken" {
  org_url           = env("OKTA_ORG_URL")
  token             = ""
  event_hook_secret = env("OKTA_EVENT_HOOK_SECRET")
  event_hook_header = "X-Hook-Secret"
}

flow "on_broken" {
  trigger "okta.event_hook" {
    connection  = connection.okta.broken
    event_types = ["user.lifecycle.create"]
  }
  card "hello" {
    action = text.compose
    text   = "created"
  }
}
`
	f := newFixture(t, loadGen(t, src))
	batch := readFixture(t, "event-hook-batch-mixed.json")
	want := f.do(t, "POST", "/hooks/okta/main", batch, map[string]string{"Authorization": "wrong"})
	if want.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong secret: %d %s, want 401", want.Status, want.Body)
	}
	challenge := func(h map[string]string) map[string]string {
		h["X-Okta-Verification-Challenge"] = "probe"
		return h
	}
	for _, tt := range []struct {
		name   string
		method string
		header map[string]string
	}{
		{"no secret", "POST", map[string]string{}},
		{"wrong secret", "POST", map[string]string{"X-Hook-Secret": "wrong"}},
		{"the secret in another header", "POST", map[string]string{"Authorization": hookSecret}},
		{"verification without the secret", "GET", challenge(map[string]string{})},
		{"verification with a wrong secret", "GET", challenge(map[string]string{"X-Hook-Secret": "wrong"})},
		{"wrong method without the secret", "PUT", map[string]string{}},
	} {
		r := f.do(t, tt.method, "/hooks/okta/broken", batch, tt.header)
		if r.Status != want.Status || r.Body != want.Body || r.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
			t.Errorf("%s: %d %q, want %d %q as for a wrong secret", tt.name, r.Status, r.Body, want.Status, want.Body)
		}
	}
	for _, method := range []string{"POST", "GET"} {
		r := f.do(t, method, "/hooks/okta/broken", batch, challenge(map[string]string{"X-Hook-Secret": hookSecret}))
		if r.Status != http.StatusServiceUnavailable || !strings.Contains(r.Body, "connection unavailable") {
			t.Errorf("%s with the secret: %d %s, want 503 connection unavailable", method, r.Status, r.Body)
		}
	}
	if got := f.obs.rejected; got["/hooks Unauthorized"] != 7 || got["/hooks Service Unavailable"] != 2 {
		t.Errorf("rejections %v, want 7 unauthorized and 2 unavailable", got)
	}
	if len(f.executions(t)) != 0 {
		t.Error("a refused request stored something")
	}

	// A connector that cannot check a sender without a client tells
	// nobody that the connection is unavailable.
	conn := f.backend.gen.Connections["okta.broken"]
	c := *conn.Connector
	wh := *c.Webhook
	wh.Authenticate = nil
	c.Webhook = &wh
	conn.Connector = &c
	r := f.do(t, "POST", "/hooks/okta/broken", batch, map[string]string{"X-Hook-Secret": hookSecret})
	if r.Status != want.Status || r.Body != want.Body {
		t.Errorf("with the secret, without Webhook.Authenticate: %d %q, want %d %q", r.Status, r.Body, want.Status, want.Body)
	}
}

func TestNoGeneration(t *testing.T) {
	f := newFixture(t, nil)
	for _, path := range []string{"/hooks/okta/main", "/flows/hr/invoke"} {
		r := f.do(t, "POST", path, []byte("{}"), auth)
		if r.Status != http.StatusServiceUnavailable {
			t.Errorf("%s before any generation: status %d, want 503", path, r.Status)
		}
	}
}

func TestInvoke(t *testing.T) {
	tests := []struct {
		name   string
		path   string
		header map[string]string
		body   string
		status int
		stored int
	}{
		{"token header", "/flows/hr/invoke", map[string]string{"X-Api-Client-Token": "hr-token", "Content-Type": "application/json"}, `{"title":"CTO"}`, 202, 1},
		{"token query", "/flows/hr/invoke?clientToken=hr-token", nil, "x", 202, 1},
		{"no token", "/flows/hr/invoke", nil, "{}", 401, 0},
		{"wrong token", "/flows/hr/invoke?clientToken=hr", nil, "{}", 401, 0},
		// A flow that has no endpoint is answered as a wrong token is
		// (TestEndpointNamesDoNotLeak).
		{"not an endpoint flow", "/flows/on_create/invoke?clientToken=hr-token", nil, "{}", 401, 0},
		{"no such flow", "/flows/nope/invoke?clientToken=hr-token", nil, "{}", 401, 0},
		{"malformed JSON", "/flows/hr/invoke", map[string]string{"X-Api-Client-Token": "hr-token", "Content-Type": "application/json"}, `{"a":`, 400, 0},
		{"oversize", "/flows/hr/invoke?clientToken=hr-token", nil, strings.Repeat("x", 1<<20+1), 413, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, loadGen(t, flowsHCL))
			r := f.do(t, "POST", tt.path, []byte(tt.body), tt.header)
			if r.Status != tt.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			got := f.executions(t)
			if len(got["hr"]) != tt.stored || len(got) > 1 {
				t.Errorf("stored %v, want %d for hr", got, tt.stored)
			}
			if tt.status == 202 {
				var body struct{ Executions []string }
				if err := json.Unmarshal([]byte(r.Body), &body); err != nil || len(body.Executions) != 1 {
					t.Fatalf("body %s: %v", r.Body, err)
				}
				ex, err := f.backend.st.Execution(context.Background(), body.Executions[0])
				if err != nil || ex.Flow != "hr" || ex.Status != store.Pending {
					t.Errorf("execution %+v, %v", ex, err)
				}
				if strings.Contains(string(ex.Payload), "hr-token") {
					t.Errorf("the client token reached the payload: %s", ex.Payload)
				}
			}
		})
	}
	t.Run("idempotency key dedups", func(t *testing.T) {
		f := newFixture(t, loadGen(t, flowsHCL))
		h := map[string]string{"X-Api-Client-Token": "hr-token", "Idempotency-Key": "k1"}
		a := f.do(t, "POST", "/flows/hr/invoke", []byte("one"), h)
		b := f.do(t, "POST", "/flows/hr/invoke", []byte("two"), h)
		if a.Status != 202 || b.Status != 202 || a.Body != b.Body {
			t.Errorf("retries with one key: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
		}
		if got := f.executions(t); len(got["hr"]) != 1 {
			t.Errorf("stored %v", got)
		}
	})
	t.Run("busy", func(t *testing.T) {
		f := newFixture(t, loadGen(t, flowsHCL))
		busy(f.intake)
		r := f.do(t, "POST", "/flows/hr/invoke?clientToken=hr-token", nil, nil)
		if r.Status != 503 || r.Header.Get("Retry-After") == "" {
			t.Errorf("status %d Retry-After %q", r.Status, r.Header.Get("Retry-After"))
		}
	})
}

// healthJSON checks r's status code and JSON content type and decodes its
// body.
func healthJSON(t *testing.T, what string, r response, status int) map[string]any {
	t.Helper()
	if r.Status != status || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("%s: status %d content type %q, want %d JSON: %s", what, r.Status, r.Header.Get("Content-Type"), status, r.Body)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return got
}

// TestHealthAndMetrics: the public /healthz tells the status word only,
// with the status code a load balancer needs; the admin /api/v1/health
// gives the backend's whole detail with the same code.
func TestHealthAndMetrics(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	got := healthJSON(t, "public /healthz", f.do(t, "GET", "/healthz", nil, nil), http.StatusOK)
	if diff := cmp.Diff(map[string]any{"status": "ok"}, got); diff != "" {
		t.Errorf("public /healthz (-want +got):\n%s", diff)
	}
	got = healthJSON(t, "admin /api/v1/health", f.doAdmin(t, "GET", "/api/v1/health", nil, nil), http.StatusOK)
	if diff := cmp.Diff(map[string]any{"status": "ok", "flows": 3.0}, got); diff != "" {
		t.Error(diff)
	}
	// While intake refuses events both answer 503.
	f.backend.refused.Store(true)
	got = healthJSON(t, "public /healthz while refusing", f.do(t, "GET", "/healthz", nil, nil), http.StatusServiceUnavailable)
	if diff := cmp.Diff(map[string]any{"status": "unavailable"}, got); diff != "" {
		t.Errorf("public /healthz while refusing (-want +got):\n%s", diff)
	}
	got = healthJSON(t, "admin /api/v1/health while refusing", f.doAdmin(t, "GET", "/api/v1/health", nil, nil), http.StatusServiceUnavailable)
	if diff := cmp.Diff(map[string]any{"status": "unavailable", "flows": 3.0}, got); diff != "" {
		t.Errorf("admin /api/v1/health while refusing (-want +got):\n%s", diff)
	}
	f.backend.refused.Store(false)
	if r := f.doAdmin(t, "GET", "/metrics", nil, nil); r.Status != 200 || r.Body != "metrics" {
		t.Errorf("metrics: %d %q", r.Status, r.Body)
	}
	// The public surface serves neither metrics nor history.
	for _, path := range []string{"/metrics", "/api/v1/executions", "/api/v1/health", "/debug/pprof/"} {
		if r := f.do(t, "GET", path, nil, nil); r.Status != http.StatusNotFound {
			t.Errorf("public GET %s: %d, want 404", path, r.Status)
		}
	}
	if r := f.do(t, "POST", "/healthz", nil, nil); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /healthz: %d", r.Status)
	}
}

func TestHookSkipsDisabledFlows(t *testing.T) {
	src := strings.Replace(flowsHCL, "flow \"on_update\" {", "flow \"on_update\" {\n  enabled = false", 1)
	f := newFixture(t, loadGen(t, src))
	if r := f.do(t, "POST", "/hooks/okta/main", readFixture(t, "event-hook-batch-mixed.json"), auth); r.Status != http.StatusOK {
		t.Fatalf("status %d: %s", r.Status, r.Body)
	}
	want := map[string][]string{"on_create": {uuidCreate1, uuidCreate2}}
	if diff := cmp.Diff(want, f.executions(t)); diff != "" {
		t.Errorf("executions (-want +got):\n%s", diff)
	}
	// An endpoint flow that is disabled has no endpoint; only a caller
	// with its token learns that it is disabled.
	src = strings.Replace(flowsHCL, "flow \"hr\" {", "flow \"hr\" {\n  enabled = false", 1)
	f = newFixture(t, loadGen(t, src))
	if r := f.do(t, "POST", "/flows/hr/invoke?clientToken=hr-token", nil, nil); r.Status != http.StatusNotFound {
		t.Errorf("disabled endpoint flow: status %d", r.Status)
	}
	noFlow := f.do(t, "POST", "/flows/nope/invoke?clientToken=hr-token", nil, nil)
	if r := f.do(t, "POST", "/flows/hr/invoke?clientToken=wrong", nil, nil); r.Status != http.StatusUnauthorized || r.Body != noFlow.Body {
		t.Errorf("disabled endpoint flow, wrong token: %d %q, want 401 %q as for no flow", r.Status, r.Body, noFlow.Body)
	}
	if len(f.executions(t)) != 0 {
		t.Error("a disabled endpoint flow stored something")
	}
}

// TestEndpointNamesDoNotLeak: without a flow's client token, a request to
// /flows/<flow>/invoke gets the same answer whether the flow exists, is an
// endpoint flow, or is disabled, so that nobody can list the flows.
func TestEndpointNamesDoNotLeak(t *testing.T) {
	src := strings.Replace(flowsHCL, "flow \"hr\" {", "flow \"hr\" {\n  enabled = false", 1) + `
flow "payroll" {
  trigger "http.endpoint" {
    token = env("HR_ENDPOINT_TOKEN")
  }
  card "hello" {
    action = text.compose
    text   = "payroll"
  }
}
`
	f := newFixture(t, loadGen(t, src))
	want := f.do(t, "POST", "/flows/payroll/invoke?clientToken=wrong", []byte("{}"), nil)
	if want.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d %s, want 401", want.Status, want.Body)
	}
	for _, tt := range []struct {
		path   string
		header map[string]string
	}{
		{"/flows/payroll/invoke", nil},
		{"/flows/nope/invoke", nil},
		{"/flows/nope/invoke?clientToken=wrong", nil},
		{"/flows/nope/invoke?clientToken=hr-token", nil},
		{"/flows/on_create/invoke", nil},
		{"/flows/on_create/invoke", map[string]string{"X-Api-Client-Token": "hr-token"}},
		{"/flows/hr/invoke", nil},
		{"/flows/hr/invoke?clientToken=wrong", nil},
	} {
		r := f.do(t, "POST", tt.path, []byte("{}"), tt.header)
		if r.Status != want.Status || r.Body != want.Body || r.Header.Get("Content-Type") != want.Header.Get("Content-Type") {
			t.Errorf("%s %v: %d %q, want %d %q as for a wrong token", tt.path, tt.header, r.Status, r.Body, want.Status, want.Body)
		}
	}
	if got := f.obs.rejected["/flows Unauthorized"]; got != 9 {
		t.Errorf("rejections %v, want 9 unauthorized", f.obs.rejected)
	}
	if len(f.executions(t)) != 0 {
		t.Error("a refused request stored something")
	}
}

// TestHookFansOut checks that one event reaches every flow subscribed to
// its type, each with its own execution.
func TestHookFansOut(t *testing.T) {
	src := flowsHCL + `
flow "audit" {
  trigger "okta.event_hook" {
    connection  = connection.okta.main
    event_types = ["user.lifecycle.create", "user.account.update_profile"]
  }
  card "log" {
    action = text.compose
    text   = trigger.event.eventType
  }
}
`
	f := newFixture(t, loadGen(t, src))
	for range 2 {
		if r := f.do(t, "POST", "/hooks/okta/main", readFixture(t, "event-hook-batch-mixed.json"), auth); r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Body)
		}
	}
	want := map[string][]string{
		"audit":     {uuidCreate1, uuidCreate2, uuidUpdate},
		"on_create": {uuidCreate1, uuidCreate2},
		"on_update": {uuidUpdate},
	}
	if diff := cmp.Diff(want, f.executions(t)); diff != "" {
		t.Errorf("executions (-want +got):\n%s", diff)
	}
}
