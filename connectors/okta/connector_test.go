package okta_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine/connector"
)

func TestDescriptor(t *testing.T) {
	c := okta.New()
	if c.Name != "okta" || c.Open == nil || c.Webhook == nil || c.Webhook.Receive == nil {
		t.Fatalf("incomplete descriptor: %+v", c)
	}
	connector.NewRegistry(c) // panics on a malformed descriptor
	reserved := []string{"connection", "filter", "every"}
	for _, a := range c.Actions {
		if a.Doc == "" || a.Do == nil || a.Output == cty.NilType {
			t.Errorf("action %s: missing Doc, Do or Output", a.Name)
		}
		for _, in := range a.Input {
			if in.Doc == "" {
				t.Errorf("action %s: argument %s has no Doc", a.Name, in.Name)
			}
		}
	}
	for _, tr := range c.Triggers {
		if tr.Doc == "" || tr.Output == cty.NilType {
			t.Errorf("trigger %s: missing Doc or Output", tr.Name)
		}
		for _, in := range tr.Config {
			for _, r := range reserved {
				if in.Name == r {
					t.Errorf("trigger %s: config uses the engine's reserved argument %q", tr.Name, r)
				}
			}
		}
	}
	for _, name := range []string{"read_user", "search_users", "update_user_profile", "add_user_to_group",
		"remove_user_from_group", "assign_user_to_app", "remove_user_from_app", "activate_user",
		"deactivate_user", "suspend_user", "unsuspend_user", "list_user_groups", "api_call"} {
		if _, ok := c.Action(name); !ok {
			t.Errorf("missing action %s", name)
		}
	}
	for _, name := range []string{"event_hook", "system_log"} {
		if _, ok := c.Trigger(name); !ok {
			t.Errorf("missing trigger %s", name)
		}
	}
}

func TestOpenValidation(t *testing.T) {
	tests := []struct {
		name    string
		attrs   map[string]cty.Value
		wantErr string
	}{
		{"token", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com/"), "token": cty.StringVal("t")}, ""},
		{"marked secrets", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"),
			"token": cty.StringVal("t").Mark("sensitive"), "event_hook_secret": cty.StringVal("h").Mark("sensitive")}, ""},
		{"loopback http", map[string]cty.Value{"org_url": cty.StringVal("http://127.0.0.1:8080"), "token": cty.StringVal("t")}, ""},
		{"localhost http", map[string]cty.Value{"org_url": cty.StringVal("http://localhost:8080"), "token": cty.StringVal("t")}, ""},
		{"remote http", map[string]cty.Value{"org_url": cty.StringVal("http://acme.okta.com"), "token": cty.StringVal("t")}, "https"},
		{"both", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"client_id": cty.StringVal("c")}, "either token"},
		{"neither", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com")}, "set token"},
		{"client without key", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"),
			"client_id": cty.StringVal("c"), "scopes": cty.ListVal([]cty.Value{cty.StringVal("okta.users.read")})}, "private_key"},
		{"client with bad key", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"),
			"client_id": cty.StringVal("c"), "private_key": cty.StringVal("nope"),
			"scopes": cty.ListVal([]cty.Value{cty.StringVal("okta.users.read")})}, "PEM"},
		{"bad timeout", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"request_timeout": cty.StringVal("soon")}, "duration"},
		{"bad hook header", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"event_hook_header": cty.StringVal("X Secret:")}, "header name"},
		{"hook header with a line break", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"event_hook_header": cty.StringVal("X-Secret\n")}, `event_hook_header "X-Secret\n" is not an HTTP header name`},
		{"hook header not ASCII", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"event_hook_header": cty.StringVal("X-Sécret")}, "header name"},
		{"bad rate", map[string]cty.Value{"org_url": cty.StringVal("https://acme.okta.com"), "token": cty.StringVal("t"),
			"rate_limit": cty.NumberIntVal(0)}, "rate_limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cl, err := okta.Open(connectionValue(tt.attrs))
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				_ = cl.Close()
				return
			}
			if err == nil {
				_ = cl.Close()
				t.Fatalf("Open succeeded, want an error containing %q", tt.wantErr)
			}
			if !strings.Contains(err.Error(), tt.wantErr) || connector.KindOf(err) != connector.Invalid {
				t.Fatalf("Open error = %v (kind %v), want Invalid containing %q", err, connector.KindOf(err), tt.wantErr)
			}
		})
	}
}

func TestConnectionChecks(t *testing.T) {
	schema := okta.New().Connection
	orgURL, _ := schema.Lookup("org_url")
	for _, bad := range []string{"http://example.com", "ftp://x", "https://acme-admin.okta.com", "https://u:p@acme.okta.com"} {
		if orgURL.Check(cty.StringVal(bad)) == nil {
			t.Errorf("org_url Check accepted %q", bad)
		}
	}
	for _, good := range []string{"https://acme.okta.com", "https://acme.okta.com/", "http://[::1]:9000", "http://127.0.0.1"} {
		if err := orgURL.Check(cty.StringVal(good)); err != nil {
			t.Errorf("org_url Check refused %q: %v", good, err)
		}
	}
	if err := orgURL.Check(cty.StringVal("http://example.com").Mark("sensitive")); err == nil {
		t.Error("org_url Check accepted a marked http URL")
	}
	timeout, _ := schema.Lookup("request_timeout")
	if timeout.Check(cty.StringVal("30")) == nil || timeout.Check(cty.StringVal("1m")) != nil {
		t.Error("request_timeout Check is wrong")
	}
	hookHeader, _ := schema.Lookup("event_hook_header")
	for _, good := range []string{"X-Okta-Hook-Key", "authorization", "!#$%&'*+-.^_`|~09AZaz"} {
		if err := hookHeader.Check(cty.StringVal(good)); err != nil {
			t.Errorf("event_hook_header Check refused %q: %v", good, err)
		}
	}
	for _, bad := range []string{"", "X Secret", "X-Secret:", "X\n", "X\tY", "Xé", "X/Y", "X@Y", "X(Y)", "X\"Y", "X\x7f"} {
		err := hookHeader.Check(cty.StringVal(bad))
		if want := fmt.Sprintf("event_hook_header %q is not an HTTP header name", bad); err == nil || err.Error() != want {
			t.Errorf("event_hook_header Check(%q) = %v, want %s", bad, err, want)
		}
	}
	for _, name := range []string{"token", "private_key", "event_hook_secret"} {
		if a, _ := schema.Lookup(name); !a.Sensitive {
			t.Errorf("%s is not sensitive", name)
		}
	}
}

// connectionValue builds a connection config object with the schema's
// defaults for absent attributes.
func connectionValue(attrs map[string]cty.Value) cty.Value {
	return objectValue(okta.New().Connection, attrs)
}

// objectValue builds an object of schema's ObjectType from attrs, filling
// absent attributes with their defaults or nulls, as the engine does.
// argsOf returns the arguments attrs of an action with input schema, as
// the runtime would pass them.
func argsOf(t testing.TB, schema connector.Schema, attrs map[string]cty.Value) connector.Args {
	t.Helper()
	in, err := connector.ArgsOf(schema, cty.ObjectVal(attrs))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func objectValue(schema connector.Schema, attrs map[string]cty.Value) cty.Value {
	vals := make(map[string]cty.Value, len(schema))
	for _, a := range schema {
		switch v, ok := attrs[a.Name]; {
		case ok:
			vals[a.Name] = v
		case a.Default != cty.NilVal:
			vals[a.Name] = a.Default
		default:
			vals[a.Name] = cty.NullVal(a.Type)
		}
	}
	return cty.ObjectVal(vals)
}
