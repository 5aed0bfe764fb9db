package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkKeysetPage measures one poller page (limit 100, keyset query,
// plain values) over 5,000 incidents.
func BenchmarkKeysetPage(b *testing.B) {
	clock := newClock()
	e := New(Options{Now: clock.Now})
	for i := 0; i < 5000; i++ {
		if i%50 == 0 {
			clock.Advance(time.Second)
		}
		if _, err := e.Insert("incident", svcUser, map[string]string{"short_description": fmt.Sprint(i), "correlation_display": "cardflow"}); err != nil {
			b.Fatal(err)
		}
	}
	q := "sys_updated_on>2026-11-20 09:14:30^correlation_display=cardflow^NQsys_updated_on=2026-11-20 09:14:30^sys_id>8^correlation_display=cardflow^ORDERBYsys_updated_on^ORDERBYsys_id"
	path := "/api/now/table/incident?sysparm_limit=100&sysparm_exclude_reference_link=true&sysparm_fields=sys_id,sys_updated_on,sys_mod_count,state&sysparm_query=" + url.QueryEscape(q)
	b.ResetTimer()
	for b.Loop() {
		req := httptest.NewRequest("GET", path, nil)
		req.SetBasicAuth(svcUser, "x")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code, w.Body.String())
		}
	}
}

// BenchmarkInsert measures an HTTP-equivalent incident insert via the Go API.
func BenchmarkInsert(b *testing.B) {
	e := New(Options{})
	fields := map[string]string{"short_description": "x", "correlation_id": "00u1", "work_notes": "created"}
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		if _, err := e.Insert("incident", svcUser, fields); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIdempotentCreate measures what servicenow.create_record with an
// idempotency_key costs the instance per execution: the search by
// correlation_id (no match) and the insert, both through ServeHTTP with
// basic auth, over 10,000 existing incidents (more as the benchmark runs).
func BenchmarkIdempotentCreate(b *testing.B) {
	e := New(Options{Users: map[string]string{svcUser: svcPass}})
	for i := 0; i < 10000; i++ {
		if _, err := e.Insert("incident", svcUser, map[string]string{"short_description": fmt.Sprint(i),
			"correlation_id": fmt.Sprintf("00useed%013d", i), "correlation_display": "cardflow"}); err != nil {
			b.Fatal(err)
		}
	}
	serve := func(req *http.Request, want int) {
		req.SetBasicAuth(svcUser, svcPass)
		req.Header.Set("Accept", "application/json")
		w := httptest.NewRecorder()
		e.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatal(w.Code, w.Body.String())
		}
	}
	n := 0
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		n++
		id := fmt.Sprintf("00ubench%012d", n)
		q := url.Values{"sysparm_exclude_reference_link": {"true"}, "sysparm_limit": {"1"},
			"sysparm_query": {"correlation_id=" + id + "^ORDERBYsys_created_on"}}
		serve(httptest.NewRequest("GET", "/api/now/table/incident?"+q.Encode(), nil), http.StatusOK)
		body := `{"category":"inquiry","correlation_display":"cardflow","correlation_id":"` + id +
			`","description":"A new Okta account needs approval before access is granted.\nName: Bench User\n","impact":"3","short_description":"Approve access for bench.user@acme.example","urgency":"3"}`
		req := httptest.NewRequest("POST", "/api/now/table/incident?sysparm_exclude_reference_link=true", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		serve(req, http.StatusCreated)
	}
}

// BenchmarkRenderIncident measures writing one created incident as the
// POST answer (every column, plain values).
func BenchmarkRenderIncident(b *testing.B) {
	e := New(Options{})
	rec, err := e.Insert("incident", svcUser, map[string]string{"short_description": "Approve access for bench.user1@acme.example",
		"description": "A new Okta account needs approval.\nName: Bench User1\n", "correlation_id": "00ubench000000000001"})
	if err != nil {
		b.Fatal(err)
	}
	t := e.tables["incident"]
	stored := t.rows[rec["sys_id"]]
	v := view{displayValue: "false", excludeLinks: true, base: "http://127.0.0.1"}
	b.ReportAllocs()
	for b.Loop() {
		recycleBody(e.recordBodyJSON(t, stored, v))
	}
}

// discardWriter is a ResponseWriter that keeps only the status, as the
// server's own costs are not the emulator's.
type discardWriter struct {
	h    http.Header
	code int
}

func (w *discardWriter) Header() http.Header { return w.h }
func (w *discardWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
}

func (w *discardWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(b), nil
}

// BenchmarkEngineIdempotentCreate is BenchmarkIdempotentCreate with the
// requests as the connector's client sends them (Accept, User-Agent,
// Content-Type on the POST) and as the server hands them over, the
// answers discarded: the emulator's cost alone, without httptest's.
func BenchmarkEngineIdempotentCreate(b *testing.B) {
	e := New(Options{Users: map[string]string{svcUser: svcPass}})
	for i := 0; i < 10000; i++ {
		if _, err := e.Insert("incident", svcUser, map[string]string{"short_description": fmt.Sprint(i),
			"correlation_id": fmt.Sprintf("00useed%013d", i), "correlation_display": "cardflow"}); err != nil {
			b.Fatal(err)
		}
	}
	serve := func(req *http.Request, want int) {
		req.RemoteAddr = "127.0.0.1:40000"
		req.SetBasicAuth(svcUser, svcPass)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "cardflow-servicenow")
		w := &discardWriter{h: http.Header{}}
		e.ServeHTTP(w, req)
		if w.code != want {
			b.Fatal(w.code)
		}
	}
	n := 0
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		n++
		id := fmt.Sprintf("00ubench%012d", n)
		q := url.Values{"sysparm_exclude_reference_link": {"true"}, "sysparm_limit": {"1"},
			"sysparm_query": {"correlation_id=" + id + "^ORDERBYsys_created_on"}}
		req, _ := http.NewRequest("GET", "http://127.0.0.1:9002/api/now/table/incident?"+q.Encode(), nil)
		serve(req, http.StatusOK)
		body := `{"category":"inquiry","correlation_display":"cardflow","correlation_id":"` + id +
			`","description":"A new Okta account needs approval before access is granted.\nName: Bench User\n","impact":"3","short_description":"Approve access for bench.user@acme.example","urgency":"3"}`
		req, _ = http.NewRequest("POST", "http://127.0.0.1:9002/api/now/table/incident?sysparm_exclude_reference_link=true", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		serve(req, http.StatusCreated)
	}
}

// BenchmarkHeapPerIncident measures the heap an instance keeps per
// incident created as servicenow.create_record creates it (the POST of
// BenchmarkEngineIdempotentCreate), over 20,000 incidents: what the
// collector marks again and again as a load test fills the table.
func BenchmarkHeapPerIncident(b *testing.B) {
	const n = 20000
	for b.Loop() {
		e := New(Options{Users: map[string]string{svcUser: svcPass}})
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range n {
			body := `{"category":"inquiry","correlation_display":"cardflow","correlation_id":"` + fmt.Sprintf("00ubench%012d", i) +
				`","description":"A new Okta account needs approval before access is granted.\nName: Bench User\n","impact":"3","short_description":"Approve access for bench.user@acme.example","urgency":"3"}`
			req, _ := http.NewRequest("POST", "http://127.0.0.1:9002/api/now/table/incident?sysparm_exclude_reference_link=true", strings.NewReader(body))
			req.SetBasicAuth(svcUser, svcPass)
			req.Header.Set("Content-Type", "application/json")
			w := &discardWriter{h: http.Header{}}
			e.ServeHTTP(w, req)
			if w.code != http.StatusCreated {
				b.Fatal(w.code)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/incident")
		runtime.KeepAlive(e)
	}
}
