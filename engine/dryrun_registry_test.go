package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/zclconf/go-cty/cty"
)

// remoteLog is a loopback server standing in for every remote system of a
// dry run: Okta, ServiceNow and the URLs of http.request. It answers
// every request with an empty JSON object and keeps a log of them.
type remoteLog struct {
	mu   sync.Mutex
	reqs []string // "METHOD /path"
}

func (l *remoteLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.reqs = append(l.reqs, r.Method+" "+r.URL.Path)
	l.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte("{}"))
}

// take returns the requests logged since the last take.
func (l *remoteLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	reqs := l.reqs
	l.reqs = nil
	return reqs
}

// registryConnections are the connections of the registry walk's flows,
// every one pointed at the remote log by the environment.
const registryConnections = `
connection "okta" "main" {
  org_url = env("REMOTE_URL")
  token   = env("REMOTE_TOKEN")
}

connection "servicenow" "main" {
  instance_url = env("REMOTE_URL")
  username     = "svc.cardflow"
  password     = env("REMOTE_TOKEN")
}

table "t" {
  columns = {
    user = string
  }
  key = "user"
}

flow "helper" {
  trigger "flow.called" {}
  card "c" {
    action = text.compose
    text   = "helper"
  }
}
`

// remoteHost is the environment of the walk's flows: the connections'
// address and secret.
func remoteHost(url string) lang.Host {
	env := map[string]string{"REMOTE_URL": url, "REMOTE_TOKEN": "remote-token"}
	return lang.Host{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }}
}

// registrySkips are the actions the walk cannot put in a flow, and why.
var registrySkips = map[string]string{
	"okta_workflows.unconverted": "a placeholder that never validates",
}

// registryExtras are arguments some actions need besides their required
// ones, by action: the walk's generic sample values do not do for them.
var registryExtras = map[string]string{
	"flow.wait":              `for = "30s"`,
	"servicenow.read_record": `sys_id = "9d385017c611228701d22104cc95c371"`,
	"list.filter":            `where = "item == 'a'"`,
	"list.map":               `expr = "upper(item)"`,
}

// TestDryRunHonoursEveryActionsEffect walks every action of the built-in
// connectors and dry-runs a flow of one card of it, with the connections
// and http.request pointed at a loopback server, as --live points them at
// the tenants: a write never reaches the server and is reported with its
// input; a read of a remote system is sent, with GET only; functions and
// the engine's own actions (flow tables, helper flows) send nothing.
func TestDryRunHonoursEveryActionsEffect(t *testing.T) {
	remote := &remoteLog{}
	srv := httptest.NewServer(remote)
	defer srv.Close()
	host := remoteHost(srv.URL)
	reg := engineRegistry()
	walked := 0
	for _, cname := range reg.Names() {
		conn, _ := reg.Connector(cname)
		for _, action := range conn.Actions {
			name := conn.Name + "." + action.Name
			if why, ok := registrySkips[name]; ok {
				t.Logf("%s skipped: %s", name, why)
				continue
			}
			walked++
			t.Run(name, func(t *testing.T) {
				args := sampleArgs(t, conn, action, srv.URL)
				out := dryRunOneCard(t, reg, host, conn, args)
				reqs := remote.take()
				checkEffect(t, conn, action, out, reqs)
			})
		}
	}
	if walked < 50 {
		t.Errorf("walked %d actions: the registry is not the built-in one", walked)
	}
}

// TestDryRunNeverSendsHTTPRequests: http.request is a write whatever its
// method; the URL, the body and the headers, sensitive ones redacted, are
// reported, and nothing reaches the URL.
func TestDryRunNeverSendsHTTPRequests(t *testing.T) {
	remote := &remoteLog{}
	srv := httptest.NewServer(remote)
	defer srv.Close()
	host := remoteHost(srv.URL)
	reg := engineRegistry()
	http, _ := reg.Connector("http")
	for _, method := range []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"} {
		t.Run(method, func(t *testing.T) {
			args := fmt.Sprintf(`action = http.request
    method = %q
    url    = "%s/hook?key=${env("REMOTE_TOKEN")}"
    body   = { user = "kari" }
    secret_headers = { Authorization = "Bearer ${env("REMOTE_TOKEN")}" }`, method, srv.URL)
			res := dryRunOneCard(t, reg, host, http, args)
			if reqs := remote.take(); len(reqs) > 0 {
				t.Fatalf("a dry run sent %v", reqs)
			}
			if len(res.Writes) != 1 || res.Writes[0].Action != "http.request" {
				t.Fatalf("want the request among the intercepted writes, got %+v", res.Writes)
			}
			in := string(res.Writes[0].Input)
			for _, want := range []string{`"method":"` + method + `"`, `"user":"kari"`, `"secret_headers":"` + runtime.Redacted + `"`} {
				if !strings.Contains(in, want) {
					t.Errorf("the intercepted input %s lacks %s", in, want)
				}
			}
			if strings.Contains(in, "remote-token") {
				t.Errorf("a secret is in the intercepted input: %s", in)
			}
		})
	}
}

// dryRunOneCard loads a flow "one" whose card "c" has args, and dry-runs
// it with its connections as configured (no emulators).
func dryRunOneCard(t *testing.T, reg *connector.Registry, host lang.Host, conn *connector.Connector, args string) *engine.DryRunResult {
	t.Helper()
	dir := t.TempDir()
	src := registryConnections + fmt.Sprintf("\nflow \"one\" {\n  trigger \"flow.called\" {}\n  card \"c\" {\n    %s\n  }\n}\n", args)
	if err := os.WriteFile(filepath.Join(dir, "flows.hcl"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	gen, _, diags := engine.Load([]string{dir}, engine.LoadOptions{Registry: reg, Mode: lang.Live, Host: host})
	if diags.HasErrors() {
		t.Fatalf("the flow of one %s card does not load (give the walk a sample argument that passes its check):\n%s\n%s", conn.Name, diags.Error(), src)
	}
	res, err := engine.DryRun(context.Background(), gen, gen.Flows["one"], []byte(`{"input":{}}`), engine.DryRunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// checkEffect judges one dry-run card by its action's effect.
func checkEffect(t *testing.T, conn *connector.Connector, action *connector.Action, res *engine.DryRunResult, reqs []string) {
	t.Helper()
	name := conn.Name + "." + action.Name
	intercepted := len(res.Writes) == 1 && res.Writes[0].Action == name && res.Writes[0].Card == "c"
	switch {
	case action.Effect == connector.Write && !conn.InEngine:
		if len(reqs) > 0 {
			t.Errorf("a write reached the remote side: %v", reqs)
		}
		if !intercepted {
			t.Fatalf("want the write intercepted, got %+v", res.Writes)
		}
		var in map[string]any
		if err := json.Unmarshal(res.Writes[0].Input, &in); err != nil || len(in) == 0 {
			t.Errorf("the intercepted write has no input: %s (%v)", res.Writes[0].Input, err)
		}
	case action.Effect == connector.Read && !conn.InEngine:
		if len(reqs) == 0 {
			t.Errorf("the read was not sent (execution %s: %s)", res.Execution.Status, res.Execution.Error)
		}
		for _, r := range reqs {
			if !strings.HasPrefix(r, "GET ") {
				t.Errorf("a read sent %s", r)
			}
		}
		if len(res.Writes) > 0 {
			t.Errorf("a read was reported as a write: %+v", res.Writes)
		}
	default:
		if len(reqs) > 0 {
			t.Errorf("an action of the engine's own reached the remote side: %v", reqs)
		}
		if len(res.Writes) > 0 {
			t.Errorf("an action of the engine's own was reported as an intercepted write: %+v", res.Writes)
		}
	}
}

// sampleArgs are the card's arguments: its connection, and a value of its
// type for each required argument that passes the argument's check.
func sampleArgs(t *testing.T, conn *connector.Connector, action *connector.Action, remoteURL string) string {
	t.Helper()
	lines := []string{"action = " + conn.Name + "." + action.Name}
	if conn.HasConnection() {
		lines = append(lines, fmt.Sprintf("connection = connection.%s.main", conn.Name))
	}
	extra := registryExtras[conn.Name+"."+action.Name]
	if extra != "" {
		lines = append(lines, extra)
	}
	for _, a := range action.Input {
		if !a.Required || strings.HasPrefix(extra, a.Name+" ") {
			continue
		}
		lines = append(lines, a.Name+" = "+sampleValue(t, conn, a, remoteURL))
	}
	return strings.Join(lines, "\n    ")
}

// sampleValue is an HCL expression for attribute a.
func sampleValue(t *testing.T, conn *connector.Connector, a connector.Attribute, remoteURL string) string {
	t.Helper()
	switch {
	case conn.Name == "table" && a.Name == "table":
		return "table.t"
	case conn.Name == "flow" && a.Name == "flow":
		return "flow.helper"
	case conn.Name == "http" && a.Name == "url":
		return fmt.Sprintf("%q", remoteURL+"/http")
	case a.Name == "items":
		return `["a", "b"]`
	case a.Name == "row":
		return `{ user = "kari" }`
	}
	switch ty := a.Type; {
	case ty == cty.String:
		for _, s := range []string{"kari", "true", "incident", "/api/v1/users"} {
			if a.Check == nil || a.Check(cty.StringVal(s)) == nil {
				return fmt.Sprintf("%q", s)
			}
		}
		t.Fatalf("no sample string passes the check of %s: add one", a.Name)
	case ty == cty.Number:
		return "1"
	case ty == cty.Bool:
		return "true"
	case ty.IsMapType() || ty.IsObjectType() || ty == cty.DynamicPseudoType:
		return `{ name = "kari" }`
	case ty.IsListType() || ty.IsSetType():
		return `["kari"]`
	}
	t.Fatalf("no sample value of type %s for %s", a.Type.FriendlyName(), a.Name)
	return ""
}
