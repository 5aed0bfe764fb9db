package emulator_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cardflow/cardflow/connectors/okta/emulator"
)

func TestSeedFixture(t *testing.T) {
	o := seededOrg(t)
	if n := len(o.emu.LogEvents()); n != 0 {
		t.Errorf("seeding logged %d events; seeded objects are pre-existing state", n)
	}
	var members []string
	for _, u := range o.emu.GroupMembers("VPN Users") {
		members = append(members, u.Login())
	}
	if diff := cmp.Diff([]string{"it-admin@acme.example", "sofie.lund@acme.example"}, members); diff != "" {
		t.Errorf("VPN Users (-want +got):\n%s", diff)
	}
	erik, ok := o.emu.User("erik.berg@acme.example")
	if !ok || erik.Status != "ACTIVE" || erik.Activated == nil {
		t.Fatalf("erik = %+v, %v", erik, ok)
	}
	if n := len(o.emu.AppUsers("Salesforce")); n != 1 {
		t.Errorf("Salesforce users = %d, want 1", n)
	}
	// The helpers go through the same paths as HTTP: events are logged.
	if err := o.emu.Lifecycle(erik.ID, "suspend"); err != nil {
		t.Fatal(err)
	}
	if err := o.emu.Lifecycle(erik.ID, "suspend"); err == nil || !strings.Contains(err.Error(), "E0000001") {
		t.Errorf("second suspend: %v, want E0000001", err)
	}
	if evs := o.emu.LogEvents(); len(evs) != 1 || evs[0].EventType != "user.lifecycle.suspend" {
		t.Errorf("events after suspend = %+v", evs)
	}
}

func TestSeedErrors(t *testing.T) {
	tests := []struct {
		name string
		json string
		want string
	}{
		{"unknown field", `{"users":[{"profil":{}}]}`, "unknown field"},
		{"unknown group", `{"users":[{"profile":{"login":"a@x.com","email":"a@x.com","firstName":"A","lastName":"B"},"groups":["Nope"]}]}`, "Nope (UserGroup)"},
		{"bad status", `{"users":[{"status":"HAPPY","profile":{"login":"a@x.com","email":"a@x.com","firstName":"A","lastName":"B"}}]}`, "HAPPY"},
		{"missing login", `{"users":[{"profile":{"email":"a@x.com","firstName":"A","lastName":"B"}}]}`, "login"},
		{"duplicate group", `{"groups":[{"name":"G"},{"name":"G"}]}`, "already exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "seed.json")
			if err := os.WriteFile(path, []byte(tt.json), 0o600); err != nil {
				t.Fatal(err)
			}
			emu := emulator.New(emulator.Options{})
			defer emu.Close()
			seed, err := emulator.LoadSeed(path)
			if err == nil {
				err = emu.Seed(seed)
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
