package okta_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"
	"go.uber.org/goleak"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/okta/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m,
		// The SDK's request executor always builds a go-cache for OAuth
		// tokens, whose janitor goroutine only stops when the cache is
		// garbage collected (okta-sdk-golang v2.20.0 has no Close).
		goleak.IgnoreTopFunction("github.com/patrickmn/go-cache.(*janitor).Run"),
	)
}

const testToken = "emulator-token"

// org is an emulator behind an httptest server and an open connection to it.
type org struct {
	emu    *emulator.Emulator
	srv    *httptest.Server
	client connector.Client
	last   *lastResponse
}

// beforeRequest has f run before the emulator answers each request, to
// play another actor changing the org between a connector's calls.
func (o *org) beforeRequest(f func(method, path string)) {
	o.last.mu.Lock()
	o.last.before = f
	o.last.mu.Unlock()
}

// lastResponse records the headers of the emulator's latest answer, so
// tests can compare what the connector reports with what Okta said.
type lastResponse struct {
	mu       sync.Mutex
	status   int
	header   http.Header
	requests []string // request URIs, in order
	before   func(method, path string)
}

func (l *lastResponse) uris() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...)
}

func (l *lastResponse) get() (int, http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.status, l.header
}

type recorder struct {
	http.ResponseWriter
	last *lastResponse
}

func (r *recorder) WriteHeader(status int) {
	r.last.mu.Lock()
	r.last.status, r.last.header = status, r.ResponseWriter.Header().Clone()
	r.last.mu.Unlock()
	r.ResponseWriter.WriteHeader(status)
}

// newOrg starts a seeded emulator and opens a connection with attrs
// (org_url and token are filled in unless given).
func newOrg(t *testing.T, attrs map[string]cty.Value) *org {
	t.Helper()
	o := &org{emu: emulator.New(emulator.Options{Token: testToken}), last: &lastResponse{}}
	o.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.last.mu.Lock()
		o.last.requests = append(o.last.requests, r.Method+" "+r.URL.RequestURI())
		before := o.last.before
		o.last.mu.Unlock()
		if before != nil {
			before(r.Method, r.URL.Path)
		}
		o.emu.ServeHTTP(&recorder{ResponseWriter: w, last: o.last}, r)
	}))
	t.Cleanup(func() {
		o.srv.Close()
		o.emu.Close()
	})
	if err := o.emu.Seed(testSeed()); err != nil {
		t.Fatalf("Seed: %v", err)
	}
	o.client = o.open(t, attrs)
	return o
}

// open opens another connection to the org.
func (o *org) open(t *testing.T, attrs map[string]cty.Value) connector.Client {
	t.Helper()
	all := map[string]cty.Value{"org_url": cty.StringVal(o.srv.URL), "token": cty.StringVal(testToken)}
	for k, v := range attrs {
		all[k] = v
	}
	c, err := okta.Open(connectionValue(all))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func testSeed() emulator.Seed {
	return emulator.Seed{
		Groups: []emulator.SeedGroup{
			{Name: "Employees", Description: "Everyone employed by Acme"},
			{Name: "Finance", Description: "Finance department"},
			{Name: "VPN Users"},
			{Name: "VPN Users Europe"},
		},
		Apps: []emulator.SeedApp{
			{Name: "slack", Label: "Slack"},
			{Name: "zoomus", Label: "Zoom"},
			{Name: "salesforce", Label: "Salesforce Sandbox"},
			{Name: "salesforce", Label: "Salesforce"},
		},
		Users: []emulator.SeedUser{
			{Profile: map[string]any{"login": "erik.berg@acme.example", "email": "erik.berg@acme.example",
				"firstName": "Erik", "lastName": "Berg", "department": "Finance", "title": "Controller",
				"employeeNumber": 4711},
				Groups: []string{"Employees", "Finance"}, Apps: []string{"Slack"}},
			{Status: "STAGED", Profile: map[string]any{"login": "kari.nordmann@acme.example",
				"email": "kari.nordmann@acme.example", "firstName": "Kari", "lastName": "Nordmann"}},
			{Status: "SUSPENDED", Profile: map[string]any{"login": "sven.suspended@acme.example",
				"email": "sven.suspended@acme.example", "firstName": "Sven", "lastName": "Suspended"}},
		},
	}
}

func action(t *testing.T, name string) *connector.Action {
	t.Helper()
	a, ok := okta.New().Action(name)
	if !ok {
		t.Fatalf("no action %s", name)
	}
	return a
}

// do runs an action with attrs (absent inputs get their defaults) and
// checks that a result conforms to the action's Output type.
func (o *org) do(t *testing.T, name string, attrs map[string]cty.Value) (cty.Value, error) {
	t.Helper()
	return doWith(t, o.client, name, attrs)
}

func doWith(t *testing.T, c connector.Client, name string, attrs map[string]cty.Value) (cty.Value, error) {
	t.Helper()
	a := action(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := a.Do(ctx, &connector.Call{Client: c, Input: argsOf(t, a.Input, attrs)})
	if err != nil {
		return out, err
	}
	if errs := out.Type().TestConformance(a.Output); len(errs) > 0 {
		t.Fatalf("%s output %s does not conform to %s: %v", name, out.Type().FriendlyName(), a.Output.FriendlyName(), errs)
	}
	return out, nil
}

// mustDo is do that fails the test on an error.
func (o *org) mustDo(t *testing.T, name string, attrs map[string]cty.Value) cty.Value {
	t.Helper()
	out, err := o.do(t, name, attrs)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

// get walks attribute names through v and returns a string ("" for null).
func get(v cty.Value, path ...string) string {
	for _, p := range path {
		switch {
		case v.IsNull():
			return ""
		case v.Type().IsMapType():
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
	switch v.Type() {
	case cty.String:
		return v.AsString()
	case cty.Bool:
		if v.True() {
			return "true"
		}
		return "false"
	case cty.Number:
		return v.AsBigFloat().Text('f', -1)
	}
	return v.GoString()
}

func s(v string) cty.Value { return cty.StringVal(v) }

// asError returns err as an *connector.Error or fails.
func asError(t *testing.T, err error) *connector.Error {
	t.Helper()
	ce, ok := err.(*connector.Error)
	if !ok {
		t.Fatalf("error %v (%T) is not an *connector.Error", err, err)
	}
	return ce
}
