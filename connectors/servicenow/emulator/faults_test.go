package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestRateLimitFault(t *testing.T) {
	body := loadFixture(t, "error-rate-limit-429.json")
	f := newFixture(t, nil)
	f.e.Inject(Fault{Method: "GET", PathPrefix: "/api/now/table/incident", Status: 429, Count: 2, RetryAfter: 30 * time.Second})
	if r := f.do("POST", "/api/now/table/incident", map[string]any{"short_description": "x"}); r.status != 201 {
		t.Errorf("POST matched a GET fault: %d", r.status)
	}
	for i := 0; i < 2; i++ {
		r := f.do("GET", "/api/now/table/incident", nil)
		if r.status != 429 || !cmp.Equal(body, r.body) {
			t.Errorf("request %d: %d %s", i, r.status, r.raw)
		}
		reset := strconv.FormatInt(f.clock.Now().Add(30*time.Second).Unix(), 10)
		for h, want := range map[string]string{"Retry-After": "30", "X-RateLimit-Limit": "10", "X-RateLimit-Reset": reset, "X-RateLimit-Rule": rateLimitRule} {
			if got := r.header.Get(h); got != want {
				t.Errorf("%s = %q, want %q", h, got, want)
			}
		}
	}
	if r := f.do("GET", "/api/now/table/incident", nil); r.status != 200 {
		t.Errorf("after Count faults: %d", r.status)
	}
}

func TestServerErrorAndLatencyFaults(t *testing.T) {
	f := newFixture(t, nil)
	f.e.Inject(Fault{Method: "PATCH", Status: 503})
	f.e.Inject(Fault{PathPrefix: "/api/now/table/sys_user", Latency: 80 * time.Millisecond, Count: 2})
	id := f.createIncident(map[string]any{"short_description": "x"})
	r := f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"state": "2"})
	if r.status != 503 || r.body["status"] != "failure" {
		t.Errorf("503 fault: %d %s", r.status, r.raw)
	}
	if r := f.do("PATCH", "/api/now/table/incident/"+id, map[string]any{"state": "2"}); r.status != 200 {
		t.Errorf("after the 503: %d", r.status)
	}
	for i := 0; i < 3; i++ {
		start := time.Now()
		r := f.do("GET", "/api/now/table/sys_user", nil)
		slow := time.Since(start) >= 80*time.Millisecond
		if r.status != 200 || slow != (i < 2) {
			t.Errorf("latency request %d: status %d, slow %v", i, r.status, slow)
		}
	}
	before := f.e.Requests()
	f.do("GET", "/api/now/table/incident", nil)
	if got := f.e.Requests() - before; got != 1 {
		t.Errorf("Requests grew by %d, want 1", got)
	}
}

func TestHiddenRowsFault(t *testing.T) {
	f := newFixture(t, nil)
	for i := 0; i < 5; i++ {
		f.createIncident(map[string]any{"short_description": fmt.Sprint(i)})
	}
	f.e.Inject(Fault{Method: "GET", PathPrefix: "/api/now/table/incident", HideRows: 2})
	r := f.do("GET", "/api/now/table/incident?sysparm_limit=3&sysparm_query=ORDERBYnumber", nil)
	if n := len(r.results()); n != 1 {
		t.Errorf("page with hidden rows has %d rows, want 1", n)
	}
	if r.header.Get("X-Total-Count") != "5" || !strings.Contains(r.header.Get("Link"), `sysparm_offset=3&sysparm_limit=3>;rel="next"`) {
		t.Errorf("hidden rows changed paging headers: %q %q", r.header.Get("X-Total-Count"), r.header.Get("Link"))
	}
	if n := len(f.do("GET", "/api/now/table/incident?sysparm_limit=3", nil).results()); n != 3 {
		t.Errorf("next page after the fault has %d rows, want 3", n)
	}
}

func TestHourlyRateLimit(t *testing.T) {
	f := newFixture(t, func(o *Options) { o.RateLimitPerHour = 3 })
	for i := 0; i < 3; i++ {
		r := f.do("GET", "/api/now/table/incident", nil)
		if r.status != 200 || r.header.Get("X-RateLimit-Limit") != "3" {
			t.Fatalf("request %d: %d limit %q", i, r.status, r.header.Get("X-RateLimit-Limit"))
		}
	}
	r := f.do("GET", "/api/now/table/incident", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "2755" { // 09:14:05 → 10:00:00
		t.Errorf("over the limit: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	if got := r.body["error"].(map[string]any)["detail"]; got != "Rate limit of 3 requests per hour for Table API exceeded" {
		t.Errorf("detail = %v", got)
	}
	if r := f.do("GET", "/api/now/table/incident", nil, basic(approver, approverPass)...); r.status != 200 {
		t.Errorf("another user is limited too: %d", r.status)
	}
	f.clock.Advance(time.Hour)
	if r := f.do("GET", "/api/now/table/incident", nil); r.status != 200 {
		t.Errorf("next hour: %d", r.status)
	}
}

func TestFaultBodies(t *testing.T) {
	f := newFixture(t, nil)
	id := f.createIncident(map[string]any{"short_description": "x"})
	tests := []struct {
		method string
		status int
		want   map[string]any
	}{
		{"PATCH", 403, map[string]any{"message": "Operation Failed", "detail": "ACL Exception Update Failed due to security constraints"}},
		{"DELETE", 403, map[string]any{"message": "Operation Failed", "detail": "ACL Exception Delete Failed due to security constraints"}},
		{"GET", 404, map[string]any{"message": "No Record found", "detail": "Record doesn't exist or ACL restricts the record retrieval"}},
		{"GET", 401, map[string]any{"message": "User Not Authenticated", "detail": "Required to provide Auth information"}},
		{"GET", 502, map[string]any{"message": "Bad Gateway", "detail": nil}},
	}
	for _, tt := range tests {
		f.e.Inject(Fault{Method: tt.method, Status: tt.status})
		var body any
		if tt.method == "PATCH" {
			body = map[string]any{"state": "2"}
		}
		r := f.do(tt.method, "/api/now/table/incident/"+id, body)
		if r.status != tt.status {
			t.Errorf("%s fault %d: got %d", tt.method, tt.status, r.status)
			continue
		}
		if diff := cmp.Diff(map[string]any{"error": tt.want, "status": "failure"}, r.body); diff != "" {
			t.Errorf("%s fault %d body (-want +got):\n%s", tt.method, tt.status, diff)
		}
	}
	if rec, _ := f.e.Get("incident", id); rec["state"] != "1" {
		t.Errorf("a faulted PATCH changed the record: state %s", rec["state"])
	}
}

// incidentCount counts incident rows through the Table API.
func (f *fixture) incidentCount(query string) int {
	f.t.Helper()
	r := f.do("GET", "/api/now/table/incident?sysparm_query="+query, nil)
	if r.status != 200 {
		f.t.Fatalf("listing incidents: %d %s", r.status, r.raw)
	}
	return len(r.results())
}

// A detached slow POST commits after its client gave up: the client gets no
// answer, and the record is there a moment later.
func TestDetachedLatencyCommitsAfterTheClientGaveUp(t *testing.T) {
	f := newFixture(t, nil)
	f.e.Inject(Fault{Method: "POST", PathPrefix: "/api/now/table/incident", Latency: 300 * time.Millisecond, Detach: true})
	body, _ := json.Marshal(map[string]any{"short_description": "slow", "correlation_id": "k1"})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", f.srv.URL+"/api/now/table/incident", bytes.NewReader(body))
	req.SetBasicAuth(svcUser, svcPass)
	req.Header.Set("Content-Type", "application/json")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the client got %d, want its timeout", resp.StatusCode)
	}
	if n := f.incidentCount("correlation_id=k1"); n != 0 {
		t.Fatalf("%d incidents while the transaction runs, want 0", n)
	}
	deadline := time.Now().Add(5 * time.Second)
	for f.incidentCount("correlation_id=k1") != 1 {
		if time.Now().After(deadline) {
			t.Fatal("the detached POST never committed")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Drop resets the connection; with Detach the request is served first.
func TestDropFault(t *testing.T) {
	f := newFixture(t, nil)
	f.e.Inject(Fault{Method: "POST", Drop: true})
	f.e.Inject(Fault{Method: "POST", Drop: true, Detach: true})
	post := func(key string) error {
		body, _ := json.Marshal(map[string]any{"short_description": "x", "correlation_id": key})
		req, _ := http.NewRequest("POST", f.srv.URL+"/api/now/table/incident", bytes.NewReader(body))
		req.SetBasicAuth(svcUser, svcPass)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		return err
	}
	if err := post("dropped"); err == nil {
		t.Error("first POST got an answer, want a reset connection")
	}
	if err := post("served"); err == nil {
		t.Error("second POST got an answer, want a reset connection")
	}
	if n := f.incidentCount("correlation_id=dropped"); n != 0 {
		t.Errorf("dropped POST created %d incidents, want 0", n)
	}
	if n := f.incidentCount("correlation_id=served"); n != 1 {
		t.Errorf("detached dropped POST created %d incidents, want 1", n)
	}
	if err := post("after"); err != nil {
		t.Errorf("third POST: %v, want an answer", err)
	}
}

// A fault with Until hits every matching request until then.
func TestFaultUntil(t *testing.T) {
	f := newFixture(t, nil)
	f.e.Inject(Fault{Method: "GET", Status: 503, Until: f.clock.Now().Add(time.Minute)})
	for i := range 5 {
		if r := f.do("GET", "/api/now/table/incident", nil); r.status != 503 {
			t.Fatalf("request %d during the outage: %d", i, r.status)
		}
	}
	f.clock.Advance(time.Minute)
	if r := f.do("GET", "/api/now/table/incident", nil); r.status != 200 {
		t.Errorf("after the outage: %d", r.status)
	}
}
