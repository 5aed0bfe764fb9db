package emulator

import (
	"strings"
	"testing"
)

// TestUnknownFieldsAreNotColumns: a real instance stores only the columns
// a table has. A u_ field its admins never added is dropped from a write,
// and a query condition on it is ignored (it matches every record); a
// declared column is stored and filters (reference servicenow.md §1.1,
// §1.3).
func TestUnknownFieldsAreNotColumns(t *testing.T) {
	tests := []struct {
		name     string
		columns  map[string][]string
		stored   bool // u_okta_id is stored and filters
		wantRows int  // rows sysparm_query=u_okta_id=00uNEW matches
	}{
		{"undeclared", nil, false, 2},
		{"declared", map[string][]string{"incident": {"u_okta_id"}}, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, func(o *Options) { o.Columns = tt.columns })
			f.createIncident(map[string]any{"short_description": "unrelated"})
			r := f.do("POST", "/api/now/table/incident?sysparm_fields=number,u_okta_id", map[string]any{
				"short_description": "x", "u_okta_id": "00uNEW"})
			if r.status != 201 {
				t.Fatalf("POST: %d %s", r.status, r.raw)
			}
			v, ok := r.result()["u_okta_id"]
			if ok != tt.stored || (tt.stored && v != "00uNEW") {
				t.Errorf("POST answered u_okta_id %v (present %v), want present %v", v, ok, tt.stored)
			}
			rec, _ := f.e.Get("incident", r.result()["number"].(string))
			if _, has := rec["u_okta_id"]; has != tt.stored {
				t.Errorf("stored record has u_okta_id: %v, want %v (%v)", has, tt.stored, rec["u_okta_id"])
			}
			got := f.do("GET", "/api/now/table/incident?sysparm_query=u_okta_id%3D00uNEW", nil).results()
			if len(got) != tt.wantRows {
				t.Errorf("query u_okta_id=00uNEW matched %d rows, want %d", len(got), tt.wantRows)
			}
		})
	}
}

func TestSeedColumns(t *testing.T) {
	e := New(Options{})
	err := e.Seed(Seed{
		Columns: map[string][]string{"incident": {"u_okta_id"}, "u_access_request": {"u_user"}},
		Records: map[string][]Fields{
			"incident":         {{"short_description": "seeded", "u_okta_id": "00u1"}},
			"u_access_request": {{"u_user": "kari"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := e.Find("incident", "u_okta_id=00u1"); len(got) != 1 || got[0]["short_description"] != "seeded" {
		t.Errorf("the seeded u_okta_id: %v", got)
	}
	// A declared custom table is as closed as a built-in one.
	rec, err := e.Insert("u_access_request", "", map[string]string{"u_user": "ola", "u_typo": "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := rec["u_typo"]; ok || rec["u_user"] != "ola" {
		t.Errorf("insert into the declared table: %v, want u_user stored and u_typo dropped", rec)
	}

	err = New(Options{}).Seed(Seed{Records: map[string][]Fields{"incident": {{"short_description": "x", "u_okta_id": "00u1"}}}})
	if err == nil || !strings.Contains(err.Error(), `incident has no field "u_okta_id"`) || !strings.Contains(err.Error(), `"columns"`) {
		t.Errorf("seeding an undeclared u_ field: %v, want an error naming it and columns", err)
	}
	if err := New(Options{}).Seed(Seed{Columns: map[string][]string{"incident": {"u bad"}}}); err == nil {
		t.Error("a malformed column name was accepted")
	}
}
