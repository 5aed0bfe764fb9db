package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// numbers returns the "number" of each listed record.
func numbers(r response) []string {
	var out []string
	for _, rec := range r.results() {
		out = append(out, rec["number"].(string))
	}
	return out
}

func inc(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("INC%07d", i))
	}
	return out
}

func TestListPagingHeaders(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 25; i++ {
		f.createIncident(map[string]any{"short_description": fmt.Sprint(i)})
	}
	f.createIncident(map[string]any{"short_description": "inactive", "state": "8"})
	const q = "sysparm_query=active%3Dtrue%5EORDERBYnumber&sysparm_fields=number"
	r := f.do("GET", "/api/now/table/incident?"+q+"&sysparm_offset=10&sysparm_limit=10", nil)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.raw)
	}
	if got := r.header.Get("X-Total-Count"); got != "25" {
		t.Errorf("X-Total-Count = %q, want 25 (matches before paging)", got)
	}
	base := "<https://acme.service-now.com/api/now/table/incident?" + q
	wantLink := base + "&sysparm_offset=0&sysparm_limit=10>;rel=\"first\"," +
		base + "&sysparm_offset=0&sysparm_limit=10>;rel=\"prev\"," +
		base + "&sysparm_offset=20&sysparm_limit=10>;rel=\"next\"," +
		base + "&sysparm_offset=20&sysparm_limit=10>;rel=\"last\""
	if got := r.header.Get("Link"); got != wantLink {
		t.Errorf("Link =\n%s\nwant\n%s", got, wantLink)
	}
	if diff := cmp.Diff(inc(10011, 10020), numbers(r)); diff != "" {
		t.Errorf("page (-want +got):\n%s", diff)
	}
	if k := keys(r.results()[0]); len(k) != 1 {
		t.Errorf("sysparm_fields=number returned %v", k)
	}

	last := f.do("GET", "/api/now/table/incident?"+q+"&sysparm_offset=20&sysparm_limit=10", nil)
	if link := last.header.Get("Link"); strings.Contains(link, `rel="next"`) || !strings.Contains(link, `rel="prev"`) {
		t.Errorf("last page Link = %s", link)
	}
	if n := len(last.results()); n != 5 {
		t.Errorf("last page has %d rows, want 5", n)
	}
	noHdr := f.do("GET", "/api/now/table/incident?sysparm_suppress_pagination_header=true&sysparm_limit=1", nil)
	if noHdr.header.Get("Link") != "" || noHdr.header.Get("X-Total-Count") != "26" {
		t.Errorf("suppress_pagination_header: Link %q, X-Total-Count %q", noHdr.header.Get("Link"), noHdr.header.Get("X-Total-Count"))
	}
	desc := f.do("GET", "/api/now/table/incident?sysparm_query=ORDERBYDESCnumber&sysparm_limit=3", nil)
	if diff := cmp.Diff([]string{"INC0010026", "INC0010025", "INC0010024"}, numbers(desc)); diff != "" {
		t.Errorf("ORDERBYDESC (-want +got):\n%s", diff)
	}
	def := f.do("GET", "/api/now/table/incident?sysparm_limit=20000", nil)
	if n := len(def.results()); n != 26 {
		t.Errorf("default listing returned %d rows, want 26", n)
	}
}

func TestListEmptyAndVersions(t *testing.T) {
	f := newFixture(t, nil)
	for _, p := range []string{"/api/now/table/incident", "/api/now/v2/table/incident"} {
		r := f.do("GET", p+"?sysparm_query=number=INC9", nil)
		if r.status != 200 || string(r.raw) != "{\"result\":[]}\n" || r.header.Get("X-Total-Count") != "0" {
			t.Errorf("%s empty list = %d %s (count %q)", p, r.status, r.raw, r.header.Get("X-Total-Count"))
		}
	}
	r := f.do("GET", "/api/now/v1/table/incident?sysparm_query=number=INC9", nil)
	if r.status != 404 {
		t.Errorf("v1 empty list = %d, want 404", r.status)
	}
}

// TestKeysetPagingWithTies walks the reference's keyset cursor over records
// that share one sys_updated_on second.
func TestKeysetPagingWithTies(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 7; i++ {
		f.createIncident(map[string]any{"short_description": fmt.Sprint(i), "correlation_display": "cardflow"})
	}
	f.createIncident(map[string]any{"short_description": "not ours"})
	f.clock.Advance(time.Second) // all seven updates below tie at 09:14:06
	for _, rec := range f.e.Find("incident", "correlation_display=cardflow") {
		if _, err := f.e.Update("incident", rec["sys_id"], approver, map[string]string{"description": "touched"}); err != nil {
			t.Fatal(err)
		}
	}
	domain := "correlation_display=cardflow"
	ts, lastID := "2026-11-20 09:14:05", ""
	var seen []string
	for pages := 0; pages < 10; pages++ {
		cursor := "sys_updated_on>" + ts + "^" + domain + "^NQsys_updated_on=" + ts + "^sys_id>" + lastID + "^" + domain
		r := f.do("GET", "/api/now/table/incident?sysparm_limit=3&sysparm_fields=sys_id,sys_updated_on&sysparm_query="+
			urlQueryEscape(cursor+"^ORDERBYsys_updated_on^ORDERBYsys_id"), nil)
		rows := r.results()
		if len(rows) == 0 {
			break
		}
		for _, row := range rows {
			seen = append(seen, row["sys_id"].(string))
			ts, lastID = row["sys_updated_on"].(string), row["sys_id"].(string)
		}
	}
	if len(seen) != 7 {
		t.Fatalf("keyset walk saw %d records, want 7: %v", len(seen), seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] <= seen[i-1] {
			t.Errorf("keyset walk not in sys_id order: %v", seen)
		}
	}
}

func TestQueryFeatures(t *testing.T) {
	f := newFixture(t, nil)
	beth := f.e.Find("sys_user", "user_name="+approver)[0]["sys_id"]
	f.createIncident(map[string]any{"short_description": "VPN down", "caller_id": beth})
	f.createIncident(map[string]any{"short_description": "printer", "caller_id": approver}) // by user_name
	f.createIncident(map[string]any{"short_description": "closed", "state": "8"})
	tests := []struct {
		query string
		want  []string
	}{
		{"caller_id.user_name=beth.anglin", inc(10001, 10002)},
		{"short_descriptionLIKEvpn", inc(10001, 10001)},
		{"stateIN1,2^ORDERBYDESCnumber", []string{"INC0010002", "INC0010001"}},
		{"state=8^NQshort_descriptionSTARTSWITHprint", inc(10002, 10003)},
		{"unknown_field=1^state=8", inc(10003, 10003)},
		{"caller_idISEMPTY", inc(10003, 10003)},
		{"sys_created_on>=javascript:gs.dateGenerate('2026-11-20','09:14:05')^active=false", inc(10003, 10003)},
	}
	for _, tt := range tests {
		q := tt.query
		if !strings.Contains(q, "ORDERBY") {
			q += "^ORDERBYnumber" // same-second inserts otherwise list in sys_id order
		}
		r := f.do("GET", "/api/now/table/incident?sysparm_query="+urlQueryEscape(q), nil)
		if diff := cmp.Diff(tt.want, numbers(r)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.query, diff)
		}
	}
	simple := f.do("GET", "/api/now/table/incident?state=canceled&active=false", nil)
	if diff := cmp.Diff(inc(10003, 10003), numbers(simple)); diff != "" {
		t.Errorf("simple filter with a label (-want +got):\n%s", diff)
	}
	for _, bad := range []string{"stat~6", "caller_id=javascript:gs.getUserID()"} {
		r := f.do("GET", "/api/now/table/incident?sysparm_query="+urlQueryEscape(bad), nil)
		if r.status != 400 {
			t.Errorf("query %q: status %d, want 400", bad, r.status)
		}
	}
	strict := newFixture(t, func(o *Options) { o.StrictQuery = true })
	strict.createIncident(map[string]any{"short_description": "x"})
	if n := len(strict.do("GET", "/api/now/table/incident?sysparm_query=bogus=1", nil).results()); n != 0 {
		t.Errorf("strict query on an unknown field returned %d rows", n)
	}
}
