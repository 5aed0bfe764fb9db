package servicenow_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/zclconf/go-cty/cty"

	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/connector"
)

const (
	svcUser  = "svc.cardflow"
	svcPass  = "svc-password"
	approver = "beth.anglin"
)

// clock is a fake clock shared by the emulator and the pollers.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// instance is an emulated ServiceNow with a connection to it.
type instance struct {
	emu   *emulator.Emulator
	srv   *httptest.Server
	c     *servicenow.Client
	clock *clock
}

func newInstance(t *testing.T, opts emulator.Options, conn map[string]cty.Value) *instance {
	t.Helper()
	clk := newClock()
	if opts.Users == nil {
		opts.Users = map[string]string{svcUser: svcPass, approver: "approver-password"}
	}
	opts.Now = clk.Now
	emu := emulator.New(opts)
	srv := httptest.NewServer(emu)
	t.Cleanup(srv.Close)
	if conn == nil {
		conn = basicAuth(svcUser, svcPass)
	}
	return &instance{emu: emu, srv: srv, c: open(t, srv.URL, conn), clock: clk}
}

func (in *instance) insert(t *testing.T, user string, fields map[string]string) map[string]string {
	t.Helper()
	rec, err := in.emu.Insert("incident", user, fields)
	if err != nil {
		t.Fatalf("Insert: %v", err)
	}
	return rec
}

func (in *instance) update(t *testing.T, user, sysID string, fields map[string]string) map[string]string {
	t.Helper()
	rec, err := in.emu.Update("incident", sysID, user, fields)
	if err != nil {
		t.Fatalf("Update: %v", err)
	}
	return rec
}

// TestIncidentLifecycle runs every record and incident action against the
// emulator in the order the onboarding flows use them.
func TestIncidentLifecycle(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	c := in.c

	inc := mustRun(t, c, "create_record", map[string]cty.Value{
		"table":  str("incident"),
		"fields": strMap("short_description", "Approve access for kari", "correlation_display", "cardflow", "impact", "2", "urgency", "2"),
	})
	sysID := inc.GetAttr("sys_id").AsString()
	number := inc.GetAttr("number").AsString()
	if !inc.GetAttr("created").True() || len(sysID) != 32 || !strings.HasPrefix(number, "INC") {
		t.Fatalf("create_record = %#v", inc)
	}
	if field(inc, "state") != "1" || field(inc, "sys_created_by") != svcUser || field(inc, "opened_by") == "" {
		t.Errorf("new incident: state %q, created by %q, opened_by %q", field(inc, "state"), field(inc, "sys_created_by"), field(inc, "opened_by"))
	}
	if strings.Contains(field(inc, "opened_by"), "{") {
		t.Errorf("reference is not a plain sys_id: %q", field(inc, "opened_by"))
	}

	byNumber := mustRun(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "number": str(number)})
	bySysID := mustRun(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(sysID)})
	if d := cmp.Diff(bySysID.GoString(), byNumber.GoString()); d != "" {
		t.Errorf("read by number differs from read by sys_id (-sys_id +number):\n%s", d)
	}

	upd := mustRun(t, c, "update_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(sysID), "fields": strMap("urgency", "1")})
	if field(upd, "urgency") != "1" || field(upd, "sys_mod_count") != "1" || field(upd, "short_description") != "Approve access for kari" {
		t.Errorf("update_record: urgency %q, mod %q", field(upd, "urgency"), field(upd, "sys_mod_count"))
	}

	mustRun(t, c, "add_work_note", map[string]cty.Value{"number": str(number), "note": str("Waiting for the business owner")})
	if j := in.emu.Journal("incident", sysID); len(j) != 1 || j[0].Field != "work_notes" || j[0].Value != "Waiting for the business owner" {
		t.Errorf("journal = %+v", j)
	}

	res := mustRun(t, c, "resolve_incident", map[string]cty.Value{
		"sys_id": str(sysID), "close_code": str("Solution provided"), "close_notes": str("Approved"),
	})
	if field(res, "state") != "6" || field(res, "resolved_at") == "" {
		t.Errorf("resolve_incident: state %q resolved_at %q", field(res, "state"), field(res, "resolved_at"))
	}
	closed := mustRun(t, c, "close_incident", map[string]cty.Value{"number": str(number)})
	if field(closed, "state") != "7" || field(closed, "active") != "false" || field(closed, "close_code") != "Solution provided" {
		t.Errorf("close_incident: state %q active %q close_code %q", field(closed, "state"), field(closed, "active"), field(closed, "close_code"))
	}

	del := mustRun(t, c, "delete_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(sysID)})
	if !del.GetAttr("deleted").True() {
		t.Errorf("delete_record = %#v", del)
	}
	if _, ok := in.emu.Get("incident", sysID); ok {
		t.Error("the incident still exists after delete_record")
	}
	_, err := run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(sysID)})
	if ce := asError(t, err); ce.Kind != connector.NotFound || ce.Status != 404 {
		t.Errorf("read after delete: %v", err)
	}
	_, err = run(t, c, "read_record", map[string]cty.Value{"table": str("incident"), "number": str(number)})
	if ce := asError(t, err); ce.Kind != connector.NotFound {
		t.Errorf("read by number after delete: %v", err)
	}
}

// TestCreateRecordIdempotent: a retried or replayed create opens one incident.
func TestCreateRecordIdempotent(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	args := map[string]cty.Value{
		"table":           str("incident"),
		"fields":          strMap("short_description", "Approve access", "correlation_display", "cardflow"),
		"idempotency_key": str("00u8newUsEr1234abc0h7"),
	}
	first := mustRun(t, in.c, "create_record", args)
	in.clock.Advance(time.Second)
	second := mustRun(t, in.c, "create_record", args)
	if !first.GetAttr("created").True() || second.GetAttr("created").True() {
		t.Fatalf("created = %v then %v, want true then false", first.GetAttr("created"), second.GetAttr("created"))
	}
	if a, b := first.GetAttr("sys_id").AsString(), second.GetAttr("sys_id").AsString(); a != b {
		t.Errorf("second create returned %s, want the first record %s", b, a)
	}
	if n := len(in.emu.Find("incident", "correlation_id=00u8newUsEr1234abc0h7")); n != 1 {
		t.Errorf("%d incidents carry the key, want 1", n)
	}
	if field(first, "correlation_id") != "00u8newUsEr1234abc0h7" {
		t.Errorf("correlation_id = %q", field(first, "correlation_id"))
	}

	// A conflicting value in fields is a mistake of the flow, not a guess.
	args["fields"] = strMap("correlation_id", "something-else")
	_, err := run(t, in.c, "create_record", args)
	if ce := asError(t, err); ce.Kind != connector.Invalid {
		t.Errorf("conflicting correlation_id: %v", err)
	}
}

// TestSearchRecordsPaging follows Link rel="next" across pages, and past an
// empty page that ACLs emptied.
func TestSearchRecordsPaging(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	var want []string
	for i := range 23 {
		rec := in.insert(t, approver, map[string]string{"short_description": "bulk", "correlation_display": "cardflow", "impact": "3"})
		want = append(want, rec["sys_id"])
		if i%4 == 0 {
			in.clock.Advance(time.Second)
		}
	}
	in.insert(t, approver, map[string]string{"short_description": "other"})

	search := func(limit, pageSize int64, extra map[string]cty.Value) cty.Value {
		args := map[string]cty.Value{
			"table": str("incident"), "query": str("correlation_display=cardflow"),
			"limit": cty.NumberIntVal(limit), "page_size": cty.NumberIntVal(pageSize),
		}
		for k, v := range extra {
			args[k] = v
		}
		return mustRun(t, in.c, "search_records", args)
	}
	ids := func(v cty.Value) []string {
		var out []string
		for _, r := range v.GetAttr("records").AsValueSlice() {
			out = append(out, r.Index(cty.StringVal("sys_id")).AsString())
		}
		return out
	}

	before := in.emu.Requests()
	all := search(100, 5, nil)
	if got := ids(all); len(got) != 23 || !sameSet(got, want) {
		t.Fatalf("search found %d records, want the 23 bulk ones", len(got))
	}
	if n := in.emu.Requests() - before; n != 5 {
		t.Errorf("%d requests for 23 records in pages of 5, want 5", n)
	}
	if total := all.GetAttr("total"); total.IsNull() || total.AsBigFloat().String() != "23" {
		t.Errorf("total = %#v", total)
	}
	if got := ids(search(12, 5, nil)); len(got) != 12 || !cmp.Equal(got, ids(all)[:12]) {
		t.Errorf("limit 12 returned %d records, or others than the first 12", len(got))
	}

	// The first page comes back empty (ACL): that is not the end.
	in.emu.Inject(emulator.Fault{Method: "GET", PathPrefix: "/api/now/table/incident", HideRows: 5})
	if got := ids(search(100, 5, nil)); len(got) != 18 {
		t.Errorf("after an emptied first page: %d records, want 18", len(got))
	}

	// page_size 1: the next links carry sysparm_fields=state,sys_id, commas and all.
	withDisplay := search(2, 1, map[string]cty.Value{"display_value": str("all"), "fields": cty.ListVal([]cty.Value{str("state"), str("sys_id")})})
	recs, disp := withDisplay.GetAttr("records").AsValueSlice(), withDisplay.GetAttr("display").AsValueSlice()
	if len(recs) != 2 || len(disp) != 2 {
		t.Fatalf("display_value=all: %d records, %d display maps", len(recs), len(disp))
	}
	if s, d := recs[0].Index(str("state")).AsString(), disp[0].Index(str("state")).AsString(); s != "1" || d != "New" {
		t.Errorf("state value %q display %q, want 1 and New", s, d)
	}
	if _, ok := recs[0].AsValueMap()["impact"]; ok {
		t.Error("fields did not limit the returned fields")
	}
	labels := search(1, 5, map[string]cty.Value{"display_value": str("true")})
	if s := labels.GetAttr("records").AsValueSlice()[0].Index(str("state")).AsString(); s != "New" {
		t.Errorf("display_value=true: state %q, want New", s)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		if m[s] == 0 {
			return false
		}
		m[s]--
	}
	return true
}

// TestEmulatorErrors checks the error kinds against the emulator's answers.
func TestEmulatorErrors(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	inc := in.insert(t, approver, map[string]string{"short_description": "x"})
	read := map[string]cty.Value{"table": str("incident"), "sys_id": str(inc["sys_id"])}

	in.emu.Inject(emulator.Fault{Status: http.StatusTooManyRequests, RetryAfter: 3 * time.Second})
	_, err := run(t, in.c, "read_record", read)
	ce := asError(t, err)
	if d := time.Until(ce.RetryAt); ce.Kind != connector.RateLimited || d < time.Second || d > 3*time.Second {
		t.Errorf("429: kind %v RetryAt in %v (%v)", ce.Kind, d, err)
	}
	in.emu.Inject(emulator.Fault{Status: http.StatusInternalServerError})
	if _, err = run(t, in.c, "read_record", read); asError(t, err).Kind != connector.Transient {
		t.Errorf("500: %v", err)
	}
	mustRun(t, in.c, "read_record", read) // faults are used up

	_, err = run(t, in.c, "read_record", map[string]cty.Value{"table": str("incidnt"), "sys_id": str(inc["sys_id"])})
	if ce := asError(t, err); ce.Kind != connector.Invalid || !strings.Contains(err.Error(), "Invalid table incidnt") {
		t.Errorf("invalid table: %v", err)
	}
	_, err = run(t, in.c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": str(strings.Repeat("0", 32))})
	if ce := asError(t, err); ce.Kind != connector.NotFound || !strings.Contains(err.Error(), "No Record found") {
		t.Errorf("missing record: %v", err)
	}
	bad := open(t, in.srv.URL, basicAuth(svcUser, "wrong"))
	_, err = run(t, bad, "read_record", read)
	if ce := asError(t, err); ce.Kind != connector.Permission || ce.Status != 401 {
		t.Errorf("wrong password: %v", err)
	}

	// An unknown close code is dropped by the instance, which then trips
	// the data policy: the error says what to fix.
	_, err = run(t, in.c, "resolve_incident", map[string]cty.Value{
		"sys_id": str(inc["sys_id"]), "close_code": str("Fixed it"), "close_notes": str("done"),
	})
	ce = asError(t, err)
	if ce.Kind != connector.Invalid || ce.Status != 403 {
		t.Fatalf("data policy: kind %v status %d: %v", ce.Kind, ce.Status, err)
	}
	for _, s := range []string{"mandatory", "close_code", "close_notes", "Solution provided", `"Fixed it" is not one of them`} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("data policy error %q does not mention %q", err, s)
		}
	}
}

func TestAPICall(t *testing.T) {
	in := newInstance(t, emulator.Options{}, nil)
	in.insert(t, approver, map[string]string{"short_description": "one"})
	out := mustRun(t, in.c, "api_call", map[string]cty.Value{
		"path":  str("/api/now/table/incident"),
		"query": strMap("sysparm_limit", "1", "sysparm_fields", "short_description"),
	})
	if s := out.GetAttr("status").AsBigFloat().String(); s != "200" {
		t.Errorf("status %s", s)
	}
	rows := out.GetAttr("body").GetAttr("result")
	if rows.LengthInt() != 1 || rows.Index(cty.NumberIntVal(0)).GetAttr("short_description").AsString() != "one" {
		t.Errorf("body = %#v", out.GetAttr("body"))
	}
	created := mustRun(t, in.c, "api_call", map[string]cty.Value{
		"method": str("POST"), "path": str("/api/now/table/incident"),
		"body": cty.ObjectVal(map[string]cty.Value{"short_description": str("two"), "impact": cty.NumberIntVal(1)}),
	})
	if s := created.GetAttr("status").AsBigFloat().String(); s != "201" {
		t.Errorf("POST status %s", s)
	}
	if loc := created.GetAttr("headers").Index(str("Location")).AsString(); !strings.Contains(loc, "/api/now/table/incident/") {
		t.Errorf("Location = %q", loc)
	}
	_, err := run(t, in.c, "api_call", map[string]cty.Value{"path": str("/api/now/table/nope")})
	if ce := asError(t, err); ce.Kind != connector.Invalid || ce.Op != "servicenow.api_call" {
		t.Errorf("unknown table: %v", err)
	}
}

// TestEmulatorOAuth: tokens from /oauth_token.do; an expired one is
// replaced after the instance answers 401.
func TestEmulatorOAuth(t *testing.T) {
	in := newInstance(t, emulator.Options{ClientID: "cardflow", ClientSecret: "s3cret", TokenTTL: time.Minute},
		map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("s3cret"), "username": str(svcUser), "password": str(svcPass)})
	v := mustRun(t, in.c, "create_record", map[string]cty.Value{"table": str("incident"), "fields": strMap("short_description", "via oauth")})
	if field(v, "sys_created_by") != svcUser {
		t.Errorf("created by %q, want %s (password grant)", field(v, "sys_created_by"), svcUser)
	}
	in.clock.Advance(2 * time.Minute) // the emulator's token expired; ours does not know yet
	mustRun(t, in.c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": v.GetAttr("sys_id")})
}

// TestEmulatorOAuthClientCredentials: without a username the connection
// uses the client_credentials grant and acts as the OAuth application user;
// a refused secret is a Permission error that names neither secret.
func TestEmulatorOAuthClientCredentials(t *testing.T) {
	in := newInstance(t, emulator.Options{ClientID: "cardflow", ClientSecret: "s3cret-cc", ClientUser: "oauth.app", TokenTTL: time.Minute},
		map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("s3cret-cc")})
	v := mustRun(t, in.c, "create_record", map[string]cty.Value{"table": str("incident"), "fields": strMap("short_description", "via client credentials")})
	if field(v, "sys_created_by") != "oauth.app" {
		t.Errorf("created by %q, want oauth.app (client_credentials grant)", field(v, "sys_created_by"))
	}
	in.clock.Advance(2 * time.Minute)
	mustRun(t, in.c, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": v.GetAttr("sys_id")})

	bad := open(t, in.srv.URL, map[string]cty.Value{"client_id": str("cardflow"), "client_secret": str("wrong-s3cret-xyz")})
	_, err := run(t, bad, "read_record", map[string]cty.Value{"table": str("incident"), "sys_id": v.GetAttr("sys_id")})
	ce := asError(t, err)
	if ce.Kind != connector.Permission || ce.Status != http.StatusUnauthorized {
		t.Fatalf("got %v %d (%v), want a 401 permission error", ce.Kind, ce.Status, err)
	}
	for _, secret := range []string{"wrong-s3cret-xyz", "s3cret-cc"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains a client secret", err)
		}
	}
}

func TestAPIKeyAndRateLimit(t *testing.T) {
	in := newInstance(t, emulator.Options{APIKeys: map[string]string{"k-123": svcUser}},
		map[string]cty.Value{"api_key": str("k-123"), "rate_limit": cty.NumberIntVal(20)})
	v := mustRun(t, in.c, "create_record", map[string]cty.Value{"table": str("incident"), "fields": strMap("short_description", "via api key")})
	if field(v, "sys_created_by") != svcUser {
		t.Errorf("created by %q, want %s", field(v, "sys_created_by"), svcUser)
	}
	read := map[string]cty.Value{"table": str("incident"), "sys_id": v.GetAttr("sys_id")}
	start := time.Now()
	for range 30 { // a burst of 20, then 20 per second
		mustRun(t, in.c, "read_record", read)
	}
	if d := time.Since(start); d < 400*time.Millisecond {
		t.Errorf("31 requests at 20/s took %v", d)
	}
}

// TestContextCancel: a card's context bounds the request, rate-limit
// waits included.
func TestContextCancel(t *testing.T) {
	in := newInstance(t, emulator.Options{}, map[string]cty.Value{
		"username": str(svcUser), "password": str(svcPass), "rate_limit": cty.NumberFloatVal(0.5),
	})
	read, _ := servicenow.New().Action("read_record")
	call := &connector.Call{Client: in.c, Input: args(t, read.Input, map[string]cty.Value{"table": str("incident"), "sys_id": str("x")})}

	in.emu.Inject(emulator.Fault{Latency: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := read.Do(ctx, call)
	if ce := asError(t, err); ce.Kind != connector.Transient || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Errorf("slow answer: kind %v after %v: %v", ce.Kind, time.Since(start), err)
	}
	// The limiter's one token is spent; the next request would wait 2s.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel2()
	start = time.Now()
	_, err = read.Do(ctx2, call)
	if ce := asError(t, err); ce.Kind != connector.Transient || time.Since(start) > time.Second {
		t.Errorf("rate-limit wait: kind %v after %v: %v", ce.Kind, time.Since(start), err)
	}
}
