package emulator

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func TestDisplayValuesAndReferences(t *testing.T) {
	f := newFixture(t, nil)
	beth := f.e.Find("sys_user", "user_name="+approver)[0]["sys_id"]
	svc := f.e.Find("sys_user", "user_name="+svcUser)[0]["sys_id"]
	id := f.createIncident(map[string]any{"short_description": "x", "caller_id": beth, "impact": "1", "urgency": "2"})
	link := func(id string) string { return "https://acme.service-now.com/api/now/table/sys_user/" + id }
	fields := "&sysparm_fields=state,priority,caller_id,opened_by,assigned_to,short_description"
	tests := []struct {
		params string
		want   map[string]any
	}{
		{"sysparm_display_value=false", map[string]any{
			"state": "1", "priority": "2", "short_description": "x", "assigned_to": "",
			"caller_id": map[string]any{"link": link(beth), "value": beth},
			"opened_by": map[string]any{"link": link(svc), "value": svc},
		}},
		{"sysparm_exclude_reference_link=true", map[string]any{
			"state": "1", "priority": "2", "short_description": "x", "assigned_to": "", "caller_id": beth, "opened_by": svc,
		}},
		{"sysparm_display_value=true", map[string]any{
			"state": "New", "priority": "2 - High", "short_description": "x", "assigned_to": "",
			"caller_id": map[string]any{"display_value": "Beth Anglin", "link": link(beth)},
			"opened_by": map[string]any{"display_value": "Svc Cardflow", "link": link(svc)},
		}},
		{"sysparm_display_value=true&sysparm_exclude_reference_link=true", map[string]any{
			"state": "New", "priority": "2 - High", "short_description": "x", "assigned_to": "",
			"caller_id": "Beth Anglin", "opened_by": "Svc Cardflow",
		}},
		{"sysparm_display_value=all", map[string]any{
			"state":             map[string]any{"display_value": "New", "value": "1"},
			"priority":          map[string]any{"display_value": "2 - High", "value": "2"},
			"short_description": map[string]any{"display_value": "x", "value": "x"},
			"assigned_to":       map[string]any{"display_value": "", "value": ""},
			"caller_id":         map[string]any{"display_value": "Beth Anglin", "value": beth, "link": link(beth)},
			"opened_by":         map[string]any{"display_value": "Svc Cardflow", "value": svc, "link": link(svc)},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.params, func(t *testing.T) {
			r := f.do("GET", "/api/now/table/incident/"+id+"?"+tt.params+fields, nil)
			if diff := cmp.Diff(tt.want, r.result()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	dot := f.do("GET", "/api/now/table/incident/"+id+"?sysparm_fields=number,caller_id.user_name,caller_id.manager,nope", nil)
	want := map[string]any{"number": "INC0010001", "caller_id.user_name": approver, "caller_id.manager": ""}
	if diff := cmp.Diff(want, dot.result()); diff != "" {
		t.Errorf("dot-walked fields (-want +got):\n%s", diff)
	}
}

func TestHTTPSurface(t *testing.T) {
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "x"})
	notFound := loadFixture(t, "error-not-found-404.json")
	invalid := loadFixture(t, "error-invalid-table-400.json")

	r := f.do("GET", "/api/now/table/incident/0123456789abcdef0123456789abcdef", nil)
	if r.status != 404 || !cmp.Equal(notFound, r.body) {
		t.Errorf("missing record = %d %s", r.status, r.raw)
	}
	r = f.do("GET", "/api/now/v2/table/incidnt", nil)
	if r.status != 400 || !cmp.Equal(invalid, r.body) {
		t.Errorf("invalid table = %d %s", r.status, r.raw)
	}
	r = f.do("POST", "/api/now/table/u_access_request", map[string]any{"u_user": "x"})
	if r.status != 400 || r.body["error"].(map[string]any)["message"] != "Invalid table u_access_request" {
		t.Errorf("POST to unknown table = %d %s", r.status, r.raw)
	}
	r = f.do("GET", "/api/now/stats/incident", nil)
	if r.status != 400 || r.body["error"].(map[string]any)["message"] != "Requested URI does not represent any resource" {
		t.Errorf("unknown API = %d %s", r.status, r.raw)
	}
	r = f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "quiet"}, "X-no-response-body", "true")
	if r.status != http.StatusCreated || len(r.raw) != 0 || r.header.Get("Location") == "" {
		t.Errorf("X-no-response-body POST = %d %q Location %q", r.status, r.raw, r.header.Get("Location"))
	}
	r = f.do("POST", "/api/now/table/incident", []map[string]any{{"short_description": "first"}, {"short_description": "ignored"}})
	if r.status != http.StatusCreated || r.result()["short_description"] != "first" {
		t.Errorf("array POST = %d %s", r.status, r.raw)
	}
	r = f.do("POST", "/api/now/table/incident", "not an object")
	if r.status != 400 || r.body["error"].(map[string]any)["message"] != "Exception while reading request" {
		t.Errorf("bad payload = %d %s", r.status, r.raw)
	}
	r = f.do("POST", "/api/now/table/incident/"+id, map[string]any{"state": "2"}, "X-http-method-override", "PATCH")
	if r.status != 200 || r.result()["state"] != "2" {
		t.Errorf("method override = %d %s", r.status, r.raw)
	}
	r = f.do("HEAD", "/api/now/table/incident", nil)
	if r.status != 200 || len(r.raw) != 0 || r.header.Get("X-Total-Count") != "3" {
		t.Errorf("HEAD = %d %q count %q", r.status, r.raw, r.header.Get("X-Total-Count"))
	}
	r = f.do("DELETE", "/api/now/v2/table/incident/"+id, nil)
	if r.status != http.StatusNoContent || len(r.raw) != 0 {
		t.Errorf("DELETE = %d %q", r.status, r.raw)
	}
	if r = f.do("DELETE", "/api/now/table/incident/"+id, nil); r.status != 404 {
		t.Errorf("second DELETE = %d", r.status)
	}
	if r = f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"state": "2"}); r.status != 404 {
		t.Errorf("PATCH deleted = %d", r.status)
	}

	open := newFixture(t, func(o *Options) { o.CreateTables = true })
	r = open.do("POST", "/api/now/table/u_access_request", map[string]any{"u_user": "00u1", "u_count": 2})
	if r.status != 201 || r.result()["u_count"] != "2" || r.result()["sys_class_name"] != "u_access_request" {
		t.Errorf("POST with CreateTables = %d %s", r.status, r.raw)
	}
}
