package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
)

// Seed is the initial content of an org, decodable from JSON (see
// testdata/seed.json). Seeded objects are pre-existing state: seeding writes
// no System Log events and triggers no event hooks.
type Seed struct {
	Users  []SeedUser  `json:"users"`
	Groups []SeedGroup `json:"groups"`
	Apps   []SeedApp   `json:"apps"`
}

// SeedUser is a user to seed. Status defaults to ACTIVE; Groups are group
// names or ids, Apps app labels or ids. Password, when set, gives the user
// a password (never checked): activating a STAGED user with one makes them
// ACTIVE at once, without one PROVISIONED until the welcome flow is done.
type SeedUser struct {
	ID       string         `json:"id,omitempty"`
	Status   string         `json:"status,omitempty"`
	Profile  map[string]any `json:"profile"`
	Password string         `json:"password,omitempty"`
	Groups   []string       `json:"groups,omitempty"`
	Apps     []string       `json:"apps,omitempty"`
}

// SeedGroup is a group to seed; Type defaults to OKTA_GROUP.
type SeedGroup struct {
	ID          string `json:"id,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type,omitempty"`
}

// SeedApp is an app to seed; Status defaults to ACTIVE, SignOnMode to
// BOOKMARK.
type SeedApp struct {
	ID         string `json:"id,omitempty"`
	Name       string `json:"name"`
	Label      string `json:"label"`
	Status     string `json:"status,omitempty"`
	SignOnMode string `json:"signOnMode,omitempty"`
}

// LoadSeed reads a Seed from a JSON file; unknown fields are errors.
func LoadSeed(path string) (Seed, error) {
	var s Seed
	data, err := os.ReadFile(path)
	if err != nil {
		return s, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return s, fmt.Errorf("okta emulator seed %s: %w", path, err)
	}
	return s, nil
}

var userStatuses = map[string]bool{"STAGED": true, "PROVISIONED": true, "ACTIVE": true, "RECOVERY": true,
	"LOCKED_OUT": true, "PASSWORD_EXPIRED": true, "SUSPENDED": true, "DEPROVISIONED": true}

// Seed adds groups, then apps, then users. It stops at the first invalid
// entry; entries before it stay.
func (e *Emulator) Seed(s Seed) error {
	c := e.directCall("seed")
	e.mu.Lock()
	defer e.mu.Unlock()
	e.quiet = true
	defer func() { e.quiet = false }()
	for i, g := range s.Groups {
		typ := g.Type
		if typ == "" {
			typ = "OKTA_GROUP"
		}
		if typ == "BUILT_IN" && g.Name == everyoneName {
			if ae := e.seedEveryoneLocked(g); ae != nil {
				return fmt.Errorf("seed groups[%d] %q: %w", i, g.Name, ae)
			}
			continue
		}
		if _, ae := e.createGroupLocked(c, g.ID, typ, GroupProfile{Name: g.Name, Description: g.Description}); ae != nil {
			return fmt.Errorf("seed groups[%d] %q: %w", i, g.Name, ae)
		}
	}
	for i, a := range s.Apps {
		if _, ae := e.createAppLocked(c, appBody{ID: a.ID, Name: a.Name, Label: a.Label, Status: a.Status, SignOnMode: a.SignOnMode}); ae != nil {
			return fmt.Errorf("seed apps[%d] %q: %w", i, a.Label, ae)
		}
	}
	for i, su := range s.Users {
		if err := e.seedUserLocked(c, su); err != nil {
			return fmt.Errorf("seed users[%d]: %w", i, err)
		}
	}
	return nil
}

func (e *Emulator) seedUserLocked(c *callCtx, su SeedUser) error {
	status := su.Status
	if status == "" {
		status = "ACTIVE"
	}
	if !userStatuses[status] {
		return fmt.Errorf("unknown status %q", status)
	}
	if su.ID != "" && e.users[su.ID] != nil {
		return alreadyExists("id")
	}
	u, ae := e.createUserLocked(c, createUserBody{Profile: su.Profile}, false)
	if ae != nil {
		return ae
	}
	if su.Password != "" {
		u.passwordChanged = &u.created
	}
	if su.ID != "" {
		delete(e.users, u.id)
		delete(e.everyone.members, u.id)
		u.id = su.ID
		e.users[u.id] = u
		e.everyone.members[u.id] = true
	}
	u.setStatus(status, u.created)
	for _, name := range su.Groups {
		g := e.findGroupLocked(name)
		if g == nil {
			return notFound(name, "UserGroup")
		}
		g.members[u.id] = true
	}
	for _, label := range su.Apps {
		a := e.findAppLocked(label)
		if a == nil {
			return notFound(label, "AppInstance")
		}
		if _, ae := e.assignLocked(c, a.id, appUserBody{ID: u.id}); ae != nil {
			return ae
		}
	}
	return nil
}
