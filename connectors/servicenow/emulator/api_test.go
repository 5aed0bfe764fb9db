package emulator

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGoAPIActsAsAPerson(t *testing.T) {
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "Approve access", "correlation_display": "cardflow"})

	_, err := f.e.Update("incident", id, approver, map[string]string{"state": "6"})
	var pe *PolicyError
	if !errors.As(err, &pe) || !cmp.Equal(pe.Fields, []string{"Resolution code", "Resolution notes"}) {
		t.Fatalf("Update without close fields: %v", err)
	}
	rec, err := f.e.Update("incident", id, approver, map[string]string{"state": "6", "close_code": "Solution provided", "close_notes": "Approved"})
	if err != nil {
		t.Fatal(err)
	}
	if rec["sys_updated_by"] != approver || rec["sys_mod_count"] != "1" {
		t.Errorf("Update: updated_by %q mod_count %q", rec["sys_updated_by"], rec["sys_mod_count"])
	}
	// The poller sees the approver's change over HTTP.
	r := f.do("GET", "/api/now/table/incident?sysparm_query="+urlQueryEscape("correlation_display=cardflow^state=6"), nil)
	if len(r.results()) != 1 || r.results()[0]["sys_updated_by"] != approver {
		t.Errorf("poll after approval = %s", r.raw)
	}
	byNumber, ok := f.e.Get("incident", "INC0010001")
	if !ok || byNumber["sys_id"] != id {
		t.Errorf("Get by number = %v, %v", byNumber["sys_id"], ok)
	}
	if _, ok := f.e.Get("incident", "nope"); ok {
		t.Error("Get of a missing record succeeded")
	}
	if _, err := f.e.Update("incident", "nope", approver, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Update missing = %v", err)
	}
	var te *InvalidTableError
	if _, err := f.e.Update("incidnt", id, approver, nil); !errors.As(err, &te) || te.Table != "incidnt" {
		t.Errorf("Update on a bad table = %v", err)
	}
	if got := f.e.Find("incident", "stat~6"); got != nil {
		t.Errorf("Find with a bad query = %v", got)
	}

	custom, err := f.e.Insert("u_okta_request", svcUser, map[string]string{"u_login": "kari", "sys_created_by": "forged"})
	if err != nil {
		t.Fatal(err)
	}
	if custom["u_login"] != "kari" || custom["sys_created_by"] != svcUser || custom["number"] != "" {
		t.Errorf("custom insert = %v", custom)
	}
	r = f.do("GET", "/api/now/table/u_okta_request?sysparm_fields=u_login", nil)
	if r.status != 200 || len(r.results()) != 1 {
		t.Errorf("custom table over HTTP = %d %s", r.status, r.raw)
	}
	if err := f.e.Delete("u_okta_request", custom["sys_id"]); err != nil {
		t.Error(err)
	}
}

func TestSeed(t *testing.T) {
	seed, err := LoadSeed("testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(o *Options) { o.Users = nil })
	if err := f.e.Seed(seed); err != nil {
		t.Fatal(err)
	}
	svc, ok := f.e.Get("sys_user", "6816f79cc0a8016401c5a33be04be441")
	if !ok || svc["user_name"] != "svc.cardflow" || svc["name"] != "Cardflow Integration" {
		t.Errorf("seeded integration user = %v", svc)
	}
	if r := f.do("GET", "/api/now/table/incident", nil, basic("svc.cardflow", "wrong")...); r.status != 401 {
		t.Errorf("seeded passwords are not enforced: %d", r.status)
	}
	r := f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "new"}, basic("svc.cardflow", "cardflow-dev")...)
	if r.status != 201 || r.result()["number"] != "INC0010001" {
		t.Errorf("insert after seed = %d %v", r.status, r.result()["number"])
	}
	if ob := r.result()["opened_by"].(map[string]any)["value"]; ob != "6816f79cc0a8016401c5a33be04be441" {
		t.Errorf("opened_by = %v, want the seeded integration user", ob)
	}
	choices := f.do("GET", "/api/now/table/sys_choice?sysparm_query="+urlQueryEscape("name=incident^element=close_code^inactive=false^ORDERBYsequence")+"&sysparm_fields=label,value", nil, basic("beth.anglin", "approver-dev")...)
	var labels []string
	for _, c := range choices.results() {
		labels = append(labels, c["value"].(string))
	}
	if diff := cmp.Diff(seed.CloseCodes, labels); diff != "" {
		t.Errorf("close code choices (-want +got):\n%s", diff)
	}
	old, ok := f.e.Get("incident", "INC0009001")
	if !ok {
		t.Fatal("seeded incident INC0009001 missing")
	}
	fred, _ := f.e.Find("sys_user", "user_name=fred.luddy")[0]["sys_id"], 0
	for k, want := range map[string]string{
		"sys_updated_on": "2026-11-19 13:05:40", "sys_mod_count": "3", "assigned_to": fred, "priority": "3",
		"assignment_group": "d625dccec0a8016700a222a0f7900d06", "opened_at": "2026-11-18 08:30:12", "state": "2",
	} {
		if old[k] != want {
			t.Errorf("seeded %s = %q, want %q", k, old[k], want)
		}
	}
	if m := f.e.Find("sys_user_grmember", "group.name=Identity and Access Management^user.user_name=beth.anglin"); len(m) != 1 {
		t.Errorf("group membership rows = %d, want 1", len(m))
	}
}

// TestConcurrentWrites runs HTTP and Go API writers together; with -race it
// checks the locking.
func TestConcurrentWrites(t *testing.T) {
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "shared"})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 10; j++ {
				if i%2 == 0 {
					if _, err := f.e.Update("incident", id, approver, map[string]string{"description": fmt.Sprint(i, j)}); err != nil {
						t.Error(err)
					}
					continue
				}
				r := f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"work_notes": fmt.Sprint(i, j)})
				if r.status != 200 {
					t.Errorf("PATCH = %d", r.status)
				}
				f.do("GET", "/api/now/table/incident?sysparm_display_value=all", nil)
			}
		}()
	}
	wg.Wait()
	rec, _ := f.e.Get("incident", id)
	if rec["sys_mod_count"] != "80" {
		t.Errorf("sys_mod_count = %s, want 80", rec["sys_mod_count"])
	}
}

func TestDemoSeed(t *testing.T) {
	fromFile, err := LoadSeed("testdata/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fromFile, DemoSeed()); diff != "" {
		t.Errorf("DemoSeed differs from testdata/seed.json:\n%s", diff)
	}
	if err := New(Options{}).Seed(DemoSeed()); err != nil {
		t.Errorf("seeding the demo seed: %v", err)
	}
}

func TestGoAPIDefaultsAndDelete(t *testing.T) {
	e := New(Options{})
	rec, err := e.Insert("incident", "", map[string]string{"short_description": "x", "work_notes": "note"})
	if err != nil {
		t.Fatal(err)
	}
	if rec["sys_created_by"] != "system" || rec["opened_by"] == "" {
		t.Errorf("insert without a user: created_by %q opened_by %q", rec["sys_created_by"], rec["opened_by"])
	}
	if n := len(e.Journal("incident", rec["sys_id"])); n != 1 {
		t.Fatalf("journal entries = %d, want 1", n)
	}
	if err := e.Delete("incident", rec["sys_id"]); err != nil {
		t.Fatal(err)
	}
	if n := len(e.Find("sys_journal_field", "element_id="+rec["sys_id"])); n != 0 {
		t.Errorf("journal rows left after delete: %d", n)
	}
	if err := e.Delete("incident", rec["sys_id"]); !errors.Is(err, ErrNotFound) {
		t.Errorf("second delete = %v", err)
	}
}
