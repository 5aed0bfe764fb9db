package connector

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testConnectors() []*Connector {
	return []*Connector{
		{Name: "okta", Actions: []*Action{{Name: "read_user"}, {Name: "add_user_to_group"}}, Triggers: []*Trigger{{Name: "event_hook"}}},
		{Name: "text", Actions: []*Action{{Name: "compose"}}},
	}
}

func TestRegistryLookup(t *testing.T) {
	r := NewRegistry(testConnectors()...)
	if diff := cmp.Diff([]string{"okta", "text"}, r.Names()); diff != "" {
		t.Errorf("Names (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"okta.read_user", "okta.add_user_to_group", "text.compose"}, r.ActionNames()); diff != "" {
		t.Errorf("ActionNames (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"okta.event_hook"}, r.TriggerNames()); diff != "" {
		t.Errorf("TriggerNames (-want +got):\n%s", diff)
	}

	c, a, err := r.Action("okta.read_user")
	if err != nil || c.Name != "okta" || a.Name != "read_user" {
		t.Errorf("Action(okta.read_user) = %v, %v, %v", c, a, err)
	}
	c, tr, err := r.Trigger("okta.event_hook")
	if err != nil || c.Name != "okta" || tr.Name != "event_hook" {
		t.Errorf("Trigger(okta.event_hook) = %v, %v, %v", c, tr, err)
	}

	errs := []struct {
		name, lookup string
		trigger      bool
		want         string
		wantConn     bool // the connector is returned for suggestions
	}{
		{"no dot", "okta", false, "is not of the form connector.name", false},
		{"empty action", "okta.", false, "is not of the form", false},
		{"empty connector", ".read_user", false, "is not of the form", false},
		{"unknown connector", "salesforce.read", false, `there is no connector "salesforce"`, false},
		{"unknown action", "okta.read_usr", false, `connector "okta" has no action "read_usr"`, true},
		{"action is not a trigger", "okta.read_user", true, `connector "okta" has no trigger "read_user"`, true},
		{"trigger is not an action", "okta.event_hook", false, `has no action "event_hook"`, true},
		{"unknown trigger connector", "nope.x", true, `there is no connector "nope"`, false},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			var c *Connector
			var err error
			if tt.trigger {
				c, _, err = r.Trigger(tt.lookup)
			} else {
				c, _, err = r.Action(tt.lookup)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
			if (c != nil) != tt.wantConn {
				t.Errorf("connector = %v, want returned: %v", c, tt.wantConn)
			}
		})
	}
}

func TestRegistryPanics(t *testing.T) {
	tests := []struct {
		name string
		fn   func()
		want string
	}{
		{"duplicate in NewRegistry", func() { NewRegistry(&Connector{Name: "a"}, &Connector{Name: "a"}) }, "Register called twice for a"},
		{"duplicate Register", func() { NewRegistry(&Connector{Name: "a"}).Register(&Connector{Name: "a"}) }, "twice"},
		{"nil", func() { NewRegistry().Register(nil) }, "nil or unnamed"},
		{"unnamed", func() { NewRegistry().Register(&Connector{}) }, "nil or unnamed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("no panic")
				}
				if s, _ := r.(string); !strings.Contains(s, tt.want) {
					t.Errorf("panic %v, want one containing %q", r, tt.want)
				}
			}()
			tt.fn()
		})
	}
}

func TestRegistryClone(t *testing.T) {
	r := NewRegistry(testConnectors()...)
	c := r.Clone()
	c.Register(&Connector{Name: "fake"})
	if _, ok := r.Connector("fake"); ok {
		t.Error("registering on the clone changed the original")
	}
	if _, ok := c.Connector("fake"); !ok {
		t.Error("the clone lacks what was registered on it")
	}
	if _, ok := c.Connector("okta"); !ok {
		t.Error("the clone lacks the original's connectors")
	}
	// Registering on the original after cloning does not reach the clone,
	// and the clone still panics on its own duplicates.
	r.Register(&Connector{Name: "late"})
	if _, ok := c.Connector("late"); ok {
		t.Error("registering on the original changed the clone")
	}
	c.Register(&Connector{Name: "late"})
}

func TestConnectorLookup(t *testing.T) {
	c := testConnectors()[0]
	if _, ok := c.Action("compose"); ok {
		t.Error("okta has compose")
	}
	if _, ok := c.Trigger("event_hook"); !ok {
		t.Error("okta lacks event_hook")
	}
	if c.HasConnection() {
		t.Error("a connector without a connection schema has a connection")
	}
	c.Connection = Schema{{Name: "org_url"}}
	if !c.HasConnection() {
		t.Error("HasConnection false with a schema")
	}
}
