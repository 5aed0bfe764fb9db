package servicenow_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/internal/benchcpu"
)

// BenchmarkCreateRecordIdempotent measures what create_record with an
// idempotency_key costs the engine, the request_approval flow's incident
// card: the search by correlation_id, the POST and the decoding of the
// created incident. The instance replays answers recorded from the
// emulator, so that the connector's work is most of what is measured.
func BenchmarkCreateRecordIdempotent(b *testing.B) {
	srv := httptest.NewServer(replay(b))
	b.Cleanup(srv.Close)
	conn := basicAuth(svcUser, svcPass)
	conn["rate_limit"] = cty.NumberIntVal(1e9) // measure the connector, not its limiter
	c := open(b, srv.URL, conn)
	args := map[string]cty.Value{
		"table": str("incident"),
		"fields": strMap("short_description", "Approve access for bench.user1@acme.example",
			"description", "A new Okta account needs approval before access is granted.\nName: Bench User1\n",
			"category", "inquiry", "impact", "3", "urgency", "3", "correlation_display", "cardflow", "correlation_id", "00ubench000000000001"),
		"idempotency_key": str("00ubench000000000001"),
	}
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		v := mustRun(b, c, "create_record", args)
		if !v.GetAttr("created").True() {
			b.Fatal("not created")
		}
	}
}

// replay answers a create_record's search and POST with what the
// emulator answered them.
func replay(b *testing.B) http.Handler {
	emu := emulator.New(emulator.Options{Users: map[string]string{svcUser: svcPass}})
	record := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		req.SetBasicAuth(svcUser, svcPass)
		w := httptest.NewRecorder()
		emu.ServeHTTP(w, req)
		return w
	}
	search := record("GET", "/api/now/table/incident?sysparm_exclude_reference_link=true&sysparm_limit=1&sysparm_query=correlation_id%3D00ubench000000000001%5EORDERBYsys_created_on", "")
	created := record("POST", "/api/now/table/incident?sysparm_exclude_reference_link=true",
		`{"category":"inquiry","correlation_display":"cardflow","correlation_id":"00ubench000000000001","description":"A new Okta account needs approval before access is granted.\nName: Bench User1\n","impact":"3","short_description":"Approve access for bench.user1@acme.example","urgency":"3"}`)
	if search.Code != http.StatusOK || created.Code != http.StatusCreated {
		b.Fatalf("recording: %d %s, %d %s", search.Code, search.Body, created.Code, created.Body)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := search
		if r.Method == http.MethodPost {
			rec = created
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(bytes.Clone(rec.Body.Bytes()))
	})
}

// BenchmarkCreateRecord measures what a plain create_record costs the
// engine, the peers' incident job (issue 21): the POST and the decoding of
// the created incident, against answers recorded from the emulator.
func BenchmarkCreateRecord(b *testing.B) {
	srv := httptest.NewServer(replay(b))
	b.Cleanup(srv.Close)
	conn := basicAuth(svcUser, svcPass)
	conn["rate_limit"] = cty.NumberIntVal(1e9) // measure the connector, not its limiter
	c := open(b, srv.URL, conn)
	args := map[string]cty.Value{
		"table": str("incident"),
		"fields": strMap("short_description", "New hire onboarding: Bench User1",
			"description", "Okta user Bench User1 <bench.user1@acme.example> was created; provision laptop and accounts.",
			"correlation_id", "00ubench000000000001"),
	}
	defer benchcpu.PerOp(b)()
	for b.Loop() {
		v := mustRun(b, c, "create_record", args)
		if !v.GetAttr("created").True() {
			b.Fatal("not created")
		}
	}
}
