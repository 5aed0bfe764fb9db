package emulator

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var sysIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestInsertIncidentMatchesFixtureShape(t *testing.T) {
	f := newFixture(t, nil)
	r := f.do("POST", "/api/now/table/incident", map[string]any{
		"short_description":   "Approve access for kari.nordmann@acme.example",
		"correlation_id":      "00u8newUsEr1234abc0h7",
		"correlation_display": "cardflow",
		"impact":              3, // numbers are accepted and stored as strings
		"bogus_field":         "ignored",
	})
	if r.status != http.StatusCreated {
		t.Fatalf("status = %d, want 201: %s", r.status, r.raw)
	}
	got := r.result()
	want := loadFixture(t, "incident-created.json")["result"].(map[string]any)
	if diff := cmp.Diff(keys(want), keys(got)); diff != "" {
		t.Errorf("field names differ from fixture (-fixture +emulator):\n%s", diff)
	}
	for k, v := range got {
		if _, isRef := v.(map[string]any); !isRef {
			if _, ok := v.(string); !ok {
				t.Errorf("%s = %#v, want a string", k, v)
			}
		}
	}
	userID := f.e.Find("sys_user", "user_name="+svcUser)[0]["sys_id"]
	for field, want := range map[string]any{
		"number": "INC0010001", "state": "1", "incident_state": "1", "active": "true",
		"approval": "not requested", "priority": "5", "impact": "3", "urgency": "3", "sys_mod_count": "0",
		"sys_created_on": "2026-11-20 09:14:05", "sys_updated_on": "2026-11-20 09:14:05",
		"opened_at": "2026-11-20 09:14:05", "sys_created_by": svcUser, "sys_updated_by": svcUser,
		"caller_id": "", "work_notes": "", "sys_class_name": "incident", "category": "inquiry",
		"opened_by":  map[string]any{"link": "https://acme.service-now.com/api/now/table/sys_user/" + userID, "value": userID},
		"sys_domain": map[string]any{"link": "https://acme.service-now.com/api/now/table/sys_user_group/global", "value": "global"},
	} {
		if diff := cmp.Diff(want, got[field]); diff != "" {
			t.Errorf("%s (-want +got):\n%s", field, diff)
		}
	}
	id := got["sys_id"].(string)
	if !sysIDRE.MatchString(id) {
		t.Errorf("sys_id %q is not 32 lowercase hex", id)
	}
	if loc, want := r.header.Get("Location"), "https://acme.service-now.com/api/now/table/incident/"+id; loc != want {
		t.Errorf("Location = %q, want %q", loc, want)
	}
	r2 := f.do("POST", "/api/now/v2/table/incident", map[string]any{"short_description": "second", "impact": "2", "urgency": "2"})
	if n, p := r2.result()["number"], r2.result()["priority"]; n != "INC0010002" || p != "3" {
		t.Errorf("second insert number, priority = %v, %v; want INC0010002, 3", n, p)
	}
}

func TestPriorityLookup(t *testing.T) {
	f := newFixture(t, nil)
	for _, tt := range []struct{ impact, urgency, want string }{
		{"1", "1", "1"}, {"1", "2", "2"}, {"2", "1", "2"}, {"1", "3", "3"}, {"2", "2", "3"},
		{"3", "1", "3"}, {"2", "3", "4"}, {"3", "2", "4"}, {"3", "3", "5"},
	} {
		rec, err := f.e.Insert("incident", svcUser, map[string]string{"impact": tt.impact, "urgency": tt.urgency, "priority": "1"})
		if err != nil {
			t.Fatal(err)
		}
		if rec["priority"] != tt.want {
			t.Errorf("impact %s urgency %s: priority %s, want %s", tt.impact, tt.urgency, rec["priority"], tt.want)
		}
	}
}

func TestDataPolicy(t *testing.T) {
	fixture := loadFixture(t, "error-data-policy-403.json")
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "x"})
	path := "/api/now/table/incident/" + id
	tests := []struct {
		name   string
		method string
		body   map[string]any
		status int
		detail string
	}{
		{"resolve without fields", "PATCH", map[string]any{"state": "6"}, 403, "Resolution code, Resolution notes"},
		{"resolve without notes", "PUT", map[string]any{"state": "6", "close_code": "Solution provided"}, 403, "Resolution notes"},
		{"unknown close code dropped", "PATCH", map[string]any{"state": "6", "close_code": "Solved (Permanently)", "close_notes": "ok"}, 403, "Resolution code"},
		{"close without fields", "PATCH", map[string]any{"incident_state": "7"}, 403, "Resolution code, Resolution notes"},
		{"resolve", "PATCH", map[string]any{"state": "6", "close_code": "Solution provided", "close_notes": "Approved"}, 200, ""},
		{"clearing notes leaves 6 without them", "PATCH", map[string]any{"close_notes": ""}, 403, "Resolution notes"},
		{"close", "PATCH", map[string]any{"state": "7"}, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := f.do(tt.method, path, tt.body)
			if r.status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.status, tt.status, r.raw)
			}
			if tt.status != 403 {
				return
			}
			want := map[string]any{
				"error":  map[string]any{"message": "Operation Failed", "detail": "Data Policy Exception: \n\tThe following fields are mandatory: " + tt.detail},
				"status": "failure",
			}
			if diff := cmp.Diff(want, r.body); diff != "" {
				t.Errorf("403 body (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(keys(fixture["error"].(map[string]any)), keys(r.body["error"].(map[string]any))); diff != "" {
				t.Errorf("403 envelope differs from fixture:\n%s", diff)
			}
		})
	}
	rec, _ := f.e.Get("incident", id)
	beth := f.e.Find("sys_user", "user_name="+svcUser)[0]["sys_id"]
	want := map[string]string{
		"state": "7", "incident_state": "7", "active": "false", "close_code": "Solution provided",
		"resolved_at": "2026-11-20 09:14:05", "resolved_by": beth, "closed_at": "2026-11-20 09:14:05", "closed_by": beth,
		"sys_mod_count": "2",
	}
	for k, v := range want {
		if rec[k] != v {
			t.Errorf("%s = %q, want %q", k, rec[k], v)
		}
	}
}

func TestStateSideEffects(t *testing.T) {
	f := newFixture(t, nil)
	rec, err := f.e.Insert("incident", svcUser, map[string]string{"short_description": "x"})
	if err != nil {
		t.Fatal(err)
	}
	id := rec["sys_id"]
	step := func(fields map[string]string, want map[string]string) {
		t.Helper()
		f.clock.Advance(time.Minute)
		got, err := f.e.Update("incident", id, approver, fields)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("after %v: %s = %q, want %q", fields, k, got[k], v)
			}
		}
	}
	bethID := f.e.Find("sys_user", "user_name="+approver)[0]["sys_id"]
	step(map[string]string{"state": "2"}, map[string]string{"incident_state": "2", "active": "true"})
	step(map[string]string{"state": "6", "close_code": "Known error", "close_notes": "n"},
		map[string]string{"resolved_at": "2026-11-20 09:16:05", "resolved_by": bethID, "active": "true"})
	step(map[string]string{"state": "2"}, map[string]string{"reopen_count": "1", "reopened_by": bethID, "active": "true"})
	step(map[string]string{"state": "8"}, map[string]string{"active": "false", "incident_state": "8"})
}

func TestUpdateBookkeepingAndTies(t *testing.T) {
	f := newFixture(t, nil)
	a := f.createIncident(map[string]any{"short_description": "a"})
	b := f.createIncident(map[string]any{"short_description": "b"})
	f.clock.Advance(1500 * time.Millisecond)
	ra := f.do("PATCH", "/api/now/table/incident/"+a, map[string]any{"description": "1"})
	rb := f.do("PATCH", "/api/now/table/incident/"+b, map[string]any{"description": "1"}, basic(approver, approverPass)...)
	f.clock.Advance(400 * time.Millisecond) // still within the same second
	ra2 := f.do("PUT", "/api/now/table/incident/"+a, map[string]any{"description": "2"}, basic(approver, approverPass)...)
	for _, r := range []response{ra, rb, ra2} {
		if got := r.result()["sys_updated_on"]; got != "2026-11-20 09:14:06" {
			t.Errorf("sys_updated_on = %v, want the tie 2026-11-20 09:14:06", got)
		}
	}
	if got := ra2.result()["sys_mod_count"]; got != "2" {
		t.Errorf("sys_mod_count after two updates = %v, want 2", got)
	}
	if got := ra2.result()["sys_updated_by"]; got != approver {
		t.Errorf("sys_updated_by = %v, want %s", got, approver)
	}
	if got := ra.result()["sys_updated_by"]; got != svcUser {
		t.Errorf("sys_updated_by = %v, want %s", got, svcUser)
	}
	noop := f.do("PATCH", "/api/now/table/incident/"+a, map[string]any{"description": "2"})
	if got := noop.result()["sys_mod_count"]; got != "2" {
		t.Errorf("an update that changes nothing bumped sys_mod_count to %v", got)
	}
	f.clock.Advance(time.Second)
	later := f.do("PATCH", "/api/now/table/incident/"+b, map[string]any{"description": "3"})
	if got := later.result()["sys_updated_on"]; got != "2026-11-20 09:14:07" {
		t.Errorf("sys_updated_on = %v, want 2026-11-20 09:14:07", got)
	}
}

func TestJournalFields(t *testing.T) {
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "x", "work_notes": "created by cardflow"})
	f.clock.Advance(time.Second)
	r := f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"work_notes": "approved", "comments": "hello"}, basic(approver, approverPass)...)
	if r.result()["work_notes"] != "" || r.result()["comments"] != "" {
		t.Errorf("journal fields read %q, %q; want empty", r.result()["work_notes"], r.result()["comments"])
	}
	if r.result()["sys_mod_count"] != "1" {
		t.Errorf("journal write did not bump sys_mod_count: %v", r.result()["sys_mod_count"])
	}
	want := []JournalEntry{
		{"work_notes", "created by cardflow", "2026-11-20 09:14:05", svcUser},
		{"comments", "hello", "2026-11-20 09:14:06", approver},
		{"work_notes", "approved", "2026-11-20 09:14:06", approver},
	}
	got := f.e.Journal("incident", id)
	less := func(a, b JournalEntry) bool { return a.CreatedOn+a.Field < b.CreatedOn+b.Field }
	if diff := cmp.Diff(want, got, cmpSortJournal(less)); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	dv := f.do("GET", "/api/now/table/incident/"+id+"?sysparm_display_value=true&sysparm_fields=work_notes", nil)
	wn, _ := dv.result()["work_notes"].(string)
	if !strings.HasPrefix(wn, "2026-11-20 09:14:06 - Beth Anglin (Work notes)\napproved\n\n") || !strings.Contains(wn, "created by cardflow") {
		t.Errorf("work_notes display value = %q", wn)
	}
	rows := f.do("GET", "/api/now/table/sys_journal_field?sysparm_query=element_id="+id+"^element=work_notes", nil)
	if n := len(rows.results()); n != 2 {
		t.Errorf("sys_journal_field rows = %d, want 2", n)
	}
}

func TestWriteOptions(t *testing.T) {
	f := newFixture(t, nil)
	if r := f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "x", "state": "6"}); r.status != 403 {
		t.Errorf("insert resolved without close fields = %d, want 403", r.status)
	}
	id := f.createIncident(map[string]any{"short_description": "x"})
	f.clock.Advance(time.Minute)
	r := f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"description": "quiet"}, "X-no-response-body", "true")
	if r.status != 200 || len(r.raw) != 0 {
		t.Errorf("X-no-response-body PATCH = %d %q", r.status, r.raw)
	}
	f.clock.Advance(time.Minute)
	r = f.do("PATCH", "/api/now/table/incident/"+id+"?sysparm_suppress_auto_sys_field=true", map[string]any{"description": "invisible"})
	got := r.result()
	if got["description"] != "invisible" || got["sys_mod_count"] != "1" || got["sys_updated_on"] != "2026-11-20 09:15:05" {
		t.Errorf("suppress_auto_sys_field: description %v, mod_count %v, updated_on %v", got["description"], got["sys_mod_count"], got["sys_updated_on"])
	}
}
