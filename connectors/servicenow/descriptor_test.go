package servicenow_test

import (
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/connector"
)

func TestDescriptor(t *testing.T) {
	c := servicenow.New()
	connector.NewRegistry(c)
	if c.Name != "servicenow" {
		t.Fatalf("name %q", c.Name)
	}
	want := []string{"create_record", "read_record", "update_record", "search_records", "delete_record",
		"resolve_incident", "close_incident", "add_work_note", "api_call"}
	for _, n := range want {
		a, ok := c.Action(n)
		if !ok {
			t.Errorf("missing action %s", n)
			continue
		}
		if a.Do == nil || a.Doc == "" || a.Output == cty.NilType {
			t.Errorf("action %s is incomplete", n)
		}
		for _, at := range a.Input {
			if at.Default != cty.NilVal && !at.Default.Type().Equals(at.Type) {
				t.Errorf("%s.%s: default of type %s", n, at.Name, at.Default.Type().FriendlyName())
			}
		}
	}
	for _, n := range []string{"record_created", "record_updated"} {
		tr, ok := c.Trigger(n)
		if !ok || tr.Mode != connector.Poll || tr.Poll == nil {
			t.Fatalf("trigger %s missing or not a poller", n)
		}
		for _, reserved := range []string{"connection", "filter", "every"} {
			if _, ok := tr.Config.Lookup(reserved); ok {
				t.Errorf("trigger %s defines reserved argument %s", n, reserved)
			}
		}
	}
}

func TestConnectionChecks(t *testing.T) {
	c := servicenow.New()
	check := func(name string, v cty.Value) error {
		a, ok := c.Connection.Lookup(name)
		if !ok {
			t.Fatalf("no connection attribute %s", name)
		}
		return a.Check(v)
	}
	for _, tc := range []struct {
		url string
		ok  bool
	}{
		{"https://acme.service-now.com", true},
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080/", true},
		{"http://[::1]:9", true},
		{"http://acme.service-now.com", false},
		{"acme.service-now.com", false},
		{"https://user:pw@acme.service-now.com", false},
	} {
		if err := check("instance_url", cty.StringVal(tc.url)); (err == nil) != tc.ok {
			t.Errorf("instance_url %q: err = %v, want ok=%v", tc.url, err, tc.ok)
		}
	}
	if err := check("timeout", cty.StringVal("soon")); err == nil {
		t.Error("timeout \"soon\" accepted")
	}
	for _, n := range []string{"password", "client_secret", "api_key"} {
		if a, _ := c.Connection.Lookup(n); !a.Sensitive {
			t.Errorf("%s is not sensitive", n)
		}
	}
	tr, _ := c.Trigger("record_updated")
	q, _ := tr.Config.Lookup("query")
	if err := q.Check(cty.StringVal("state=6^ORDERBY")); err == nil {
		t.Error("bad query accepted")
	}
	if err := q.Check(cty.StringVal("correlation_display=cardflow^state=6")); err != nil {
		t.Errorf("good query rejected: %v", err)
	}
}
