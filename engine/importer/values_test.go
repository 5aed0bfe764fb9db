package importer_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// TestImportValues checks what values.flopack's cards become: one flow per
// kind of value Okta Workflows and cardflow write differently.
func TestImportValues(t *testing.T) {
	res := importFile(t, "values.flopack")
	tests := []struct {
		name, file string
		want       []string
	}{
		{"Construct keys with dots nest, numbers index lists", "post_hook_answer.hcl", []string{
			"commands = [{\n        type = \"com.okta.action.update\"\n        value = {\n          registration = \"ALLOW\"\n        }\n      }]",
			"user = {\n        email = trigger.input.email\n      }",
		}},
		{"a query string written as text becomes a map", "post_hook_answer.hcl", []string{"query = {\n      to = \"$${x}\"\n    }"}},
		{"JSON Parse of an HTTP response reads the parsed body", "search_ldap.hcl", []string{"output = card.call_ldap_api.body"}},
		{"bln and dec columns are bool and number", "tables.hcl", []string{
			"Removed = bool   # default false", "Hours   = number # default 0",
		}},
		{"Create Row sets the defaults of the columns it does not set", "exempt_user.hcl", []string{"Removed = false"}},
		{"Okta group, app and System Log cards have actions", "group_report.hcl", []string{
			"action     = okta.read_group", "action      = okta.create_group", "action     = okta.update_group",
			"action     = okta.list_group_members", "action     = okta.assign_group_to_app",
			"action     = okta.remove_user_from_app", "action     = okta.search_apps", "action     = okta.search_system_log",
			"app        = trigger.input.appId",
		}},
		{"Okta's record fields read cardflow's", "group_report.hcl", []string{
			"x if x.Profile.Name == \"Admins\"", "Profile = { Name = x.name, Description = x.description }",
			// Profile.Name of Read Group's { Name = …, Description = … }.
			"group_name     = card.read_group.name",
			`x.Actor["Alternate ID"]`, "x.Login]",
		}},
		{"Read User's Last Login and primaryPhone", "group_report.hcl", []string{
			"last_login     = card.read_user.last_login", "phone          = card.read_user.profile.primaryPhone",
		}},
		{"Remove User from Group's status is Okta's 204", "group_report.hcl", []string{"status         = 204"}},
		{"a Limit over 10000 is clamped", "group_report.hcl", []string{"limit      = 10000\n"}},
		{"a literal API key is read from the environment", "group_report.hcl", []string{
			`api_key_ODNMOB = env("API_KEY_ODNMOB")`, "set the environment variable API_KEY_ODNMOB",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := string(res.Files[tt.file])
			for _, w := range tt.want {
				if !strings.Contains(src, w) {
					t.Errorf("%s lacks %q:\n%s", tt.file, w, src)
				}
			}
		})
	}
	for name, src := range res.Files {
		for _, bad := range []string{`"commands.0.type"`, `"user.email"`, "jsondecode(card.", "9d49d5d1", "10000000"} {
			if strings.Contains(string(src), bad) {
				t.Errorf("%s holds %s", name, bad)
			}
		}
	}
	var rep strings.Builder
	res.Report.WriteText(&rep)
	for _, w := range []string{
		"has no cardflow action yet",
	} {
		if strings.Contains(rep.String(), w) {
			t.Errorf("the report says %q:\n%s", w, rep.String())
		}
	}
	for _, w := range []string{
		"Limit 10000000 is above the 10000 records",
		"okta.read_user has no profile attribute shopify_customer_id",
		"set the environment variable API_KEY_ODNMOB to it",
		"Inputs with no counterpart in okta.update_group were left out: email",
	} {
		if !strings.Contains(rep.String(), w) {
			t.Errorf("the report lacks %q:\n%s", w, rep.String())
		}
	}
}

// TestImportValuesValidate: every converted card of values.flopack
// validates; the errors left are the placeholder and the custom profile
// attribute the report names.
func TestImportValuesValidate(t *testing.T) {
	res := importFile(t, "values.flopack")
	_, _, diags := engine.LoadSources(res.Files, engine.LoadOptions{Registry: registry(), Mode: lang.Check,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	var got []string
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			got = append(got, d.Summary+": "+strings.TrimSpace(string(d.Subject.SliceBytes(res.Files[d.Subject.Filename]))))
		}
	}
	for _, g := range got {
		if !strings.Contains(g, "okta_workflows.unconverted") && !strings.Contains(g, "original =") &&
			!strings.Contains(g, "shopify_customer_id") && !strings.HasPrefix(g, "Invalid argument value") {
			t.Errorf("unexpected error %s", g)
		}
	}
	if len(got) != 2 {
		t.Errorf("errors = %q, want the placeholder's and shopify_customer_id's", got)
	}
}

// TestImportedValuesRun runs the imported flows against a loopback server:
// the nested Construct object and the form text arrive as Okta Workflows
// sends them, and JSON Parse of a JSON response succeeds.
func TestImportedValuesRun(t *testing.T) {
	type received struct{ Method, Path, Query, ContentType, Body string }
	var got []received
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, received{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("Content-Type"), string(b)})
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"uid":"kari","cn":"Kari Nordmann"}]`)
	}))
	defer srv.Close()
	res := importFile(t, "values.flopack")
	files := map[string][]byte{}
	for _, f := range []string{"post_hook_answer.hcl", "search_ldap.hcl"} {
		files[f] = res.Files[f]
	}
	gen, _, diags := engine.LoadSources(files, engine.LoadOptions{Registry: registry(), Mode: lang.Live,
		Host: lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	clients := runtime.NewClients()
	defer clients.Close()
	run := engine.NewSingleRun(engine.SingleRunOptions{Clients: clients})
	defer run.Close()
	execute := func(flow string, input map[string]string) *engine.SingleResult {
		t.Helper()
		payload, _ := json.Marshal(map[string]any{"input": input, "caller": map[string]string{"flow": "test", "execution_id": "x"}})
		out, err := run.Execute(context.Background(), gen.Flows[flow], engine.SingleEvent{Key: flow, Type: "flow.called", Payload: payload})
		if err != nil {
			t.Fatal(err)
		}
		if out.Result.Status != store.Succeeded {
			t.Fatalf("%s: %s: %v", flow, out.Result.Status, out.Result.Err)
		}
		return out
	}

	execute("post_hook_answer", map[string]string{"email": "kari@acme.example", "hookUrl": srv.URL + "/hook"})
	want := []received{
		{"POST", "/hook", "", "application/json",
			`{"commands":[{"type":"com.okta.action.update","value":{"registration":"ALLOW"}}],"ok":true,"user":{"email":"kari@acme.example"}}`},
		{"POST", "/hook", "to=%24%7Bx%7D", "application/x-www-form-urlencoded", "To=kari@acme.example&Body=hello & welcome"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("the server received (-want +got):\n%s", diff)
	}

	out := execute("search_ldap", map[string]string{"ldapFilter": "(uid=kari)", "gatewayUrl": srv.URL + "/searchLdap"})
	result := out.Result.Output.GetAttr("output")
	if result.LengthInt() != 1 || result.Index(ctyZero).GetAttr("uid").AsString() != "kari" {
		t.Errorf("result = %#v", out.Result.Output)
	}
}

var ctyZero = cty.NumberIntVal(0)
