package emulator

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
)

// Seed is the initial content of an instance, usually read from JSON by
// LoadSeed:
//
//	{"users":[{"user_name":"beth.anglin","name":"Beth Anglin","email":"...","password":"..."}],
//	 "groups":[{"name":"Service Desk","members":["beth.anglin"]}],
//	 "records":{"incident":[{"short_description":"...","caller_id":"beth.anglin"}]},
//	 "close_codes":["Solution provided", ...]}
type Seed struct {
	Users   []SeedUser          `json:"users"`
	Groups  []SeedGroup         `json:"groups"`
	Records map[string][]Fields `json:"records"`
	// CloseCodes, when set, replace the incident close_code choice list.
	CloseCodes []string `json:"close_codes"`
	// Columns are custom columns the instance has, by table (as
	// Options.Columns): {"incident": ["u_okta_id"]}.
	Columns map[string][]string `json:"columns,omitempty"`
}

// SeedUser is a sys_user row; a Password makes it a basic-auth login.
type SeedUser struct {
	SysID    string `json:"sys_id,omitempty"`
	UserName string `json:"user_name"`
	Name     string `json:"name,omitempty"`
	Email    string `json:"email,omitempty"`
	Title    string `json:"title,omitempty"`
	Password string `json:"password,omitempty"`
}

// SeedGroup is a sys_user_group row with its members' user_names.
type SeedGroup struct {
	SysID       string   `json:"sys_id,omitempty"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Members     []string `json:"members,omitempty"`
}

// Fields is a record's field values. As JSON it accepts strings, numbers,
// booleans, null (as "") and reference objects {"value": ...}.
type Fields map[string]string

// UnmarshalJSON implements json.Unmarshaler.
func (f *Fields) UnmarshalJSON(data []byte) error {
	out, err := decodeFields(data)
	if err != nil {
		return err
	}
	*f = out
	return nil
}

// decodeFields is Fields.UnmarshalJSON for a body that is known to be
// alone: decoding it straight into a map reads it once rather than three
// times (validate, skip, then decode again in UnmarshalJSON).
func decodeFields(data []byte) (Fields, error) {
	var raw map[string]any
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, nil
	}
	out := make(Fields, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case nil:
			out[k] = ""
		case string:
			out[k] = v
		case bool:
			out[k] = strconv.FormatBool(v)
		case float64:
			out[k] = strconv.FormatFloat(v, 'f', -1, 64)
		case map[string]any:
			s, _ := v["value"].(string)
			out[k] = s
		default:
			return nil, fmt.Errorf("field %q: unsupported JSON value %v", k, v)
		}
	}
	return out, nil
}

// LoadSeed reads a Seed from a JSON file.
func LoadSeed(path string) (Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, err
	}
	var s Seed
	if err := json.Unmarshal(data, &s); err != nil {
		return Seed{}, fmt.Errorf("seed %s: %w", path, err)
	}
	return s, nil
}

// Seed loads users, groups, close codes and records. Seeded records keep the
// system fields they give (sys_id, sys_created_on, sys_updated_on, ...) and
// skip the data policy, so recorded history can be replayed; missing fields
// get the insert defaults. References may be given as sys_id or user_name.
func (e *Emulator) Seed(s Seed) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if s.CloseCodes != nil {
		e.setChoicesLocked("incident", "close_code", s.CloseCodes, nil)
	}
	if err := e.declareColumnsLocked(s.Columns); err != nil {
		return fmt.Errorf("seed %w", err)
	}
	for _, u := range s.Users {
		if err := e.seedUserLocked(u); err != nil {
			return err
		}
	}
	for _, g := range s.Groups {
		if err := e.seedGroupLocked(g); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Records)) {
		t, err := e.tableLocked(name, true)
		if err != nil {
			return err
		}
		for i, rec := range s.Records[name] {
			if f := unknownField(t, rec); f != "" {
				return fmt.Errorf("seed %s[%d]: %s has no field %q: declare custom columns under \"columns\" ({\"%s\": [\"%s\"]})",
					name, i, name, f, name, f)
			}
			user := rec["sys_created_by"]
			if user == "" {
				user = "admin"
			}
			if _, err := e.applyLocked(write{t: t, fields: rec, user: user, seed: true}); err != nil {
				return fmt.Errorf("seed %s[%d]: %w", name, i, err)
			}
		}
	}
	return nil
}

// unknownField is a field of rec that t does not have, in name order, or
// "": a seed record is the instance's state, and a write would drop the
// field without a word.
func unknownField(t *table, rec Fields) string {
	if t.schema.open {
		return ""
	}
	for _, f := range slices.Sorted(maps.Keys(rec)) {
		if !t.schema.has(f) && !t.schema.journal[f] {
			return f
		}
	}
	return ""
}

func (e *Emulator) seedUserLocked(u SeedUser) error {
	if u.UserName == "" {
		return fmt.Errorf("seed: user without user_name")
	}
	if u.SysID != "" && !isSysID(u.SysID) {
		return fmt.Errorf("seed: user %s: sys_id %q is not 32 lowercase hex digits", u.UserName, u.SysID)
	}
	users := e.tables["sys_user"]
	id := e.userIDLocked(u.UserName)
	rec := users.rows[id]
	if u.SysID != "" && u.SysID != id {
		delete(users.rows, id)
		rec["sys_id"] = u.SysID
		users.rows[u.SysID] = rec
	}
	if u.Name != "" {
		rec["name"] = u.Name
		rec["first_name"], rec["last_name"] = splitFullName(u.Name)
	}
	rec["email"], rec["title"] = u.Email, u.Title
	if u.Password != "" {
		e.creds[u.UserName] = u.Password
	}
	return nil
}

func splitFullName(name string) (string, string) {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == ' ' {
			return name[:i], name[i+1:]
		}
	}
	return name, ""
}

func (e *Emulator) seedGroupLocked(g SeedGroup) error {
	if g.Name == "" {
		return fmt.Errorf("seed: group without name")
	}
	groups := e.tables["sys_user_group"]
	fields := Fields{"name": g.Name, "description": g.Description}
	if g.SysID != "" {
		fields["sys_id"] = g.SysID
	}
	rec, err := e.applyLocked(write{t: groups, fields: fields, user: "admin", seed: true})
	if err != nil {
		return err
	}
	members := e.tables["sys_user_grmember"]
	for _, m := range g.Members {
		uid := e.userIDLocked(m)
		if _, err := e.applyLocked(write{t: members, fields: Fields{"user": uid, "group": rec["sys_id"]}, user: "admin", seed: true}); err != nil {
			return err
		}
	}
	return nil
}

//go:embed testdata/seed.json
var demoSeed []byte

// DemoSeed returns the built-in seed (testdata/seed.json): the integration
// account svc.cardflow, the approver beth.anglin, two agents and callers,
// two groups, a modern instance's close codes and two unrelated incidents.
// `cardflow demo` and `cardflow emulate servicenow` start from it.
func DemoSeed() Seed {
	var s Seed
	if err := json.Unmarshal(demoSeed, &s); err != nil {
		panic("emulator: embedded seed: " + err.Error()) // caught by TestDemoSeed
	}
	return s
}
