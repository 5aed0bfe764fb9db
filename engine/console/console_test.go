package console_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
)

const (
	readToken    = "read-token-0123456789"
	operateToken = "operate-token-0123456789"
)

// fixture is a console over a memory store holding a failed, a succeeded
// and many pending executions.
type fixture struct {
	t                 *testing.T
	st                store.Store
	srv               *httptest.Server
	auth              *revocable
	failed, succeeded string
}

// revocable is an Authenticator whose tokens can be revoked, as deleting
// a token file's line does.
type revocable struct {
	console.Tokens
	mu      sync.Mutex
	revoked map[console.TokenDigest]bool
}

func (r *revocable) revoke(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.revoked[console.DigestOf(token)] = true
}

func (r *revocable) Authenticate(d console.TokenDigest) (console.Principal, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.revoked[d] {
		return console.Principal{}, false
	}
	return r.Tokens.Authenticate(d)
}

func newFixture(t *testing.T, pending int) *fixture {
	t.Helper()
	st := memory.New()
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	enqueue := func(key string, terms ...string) string {
		res, err := st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: key, Payload: []byte(`{"event":{}}`), Terms: terms}}, store.EnqueueOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return res[0].ID
	}
	f := &fixture{t: t, st: st}
	f.failed = enqueue("failed", "ola.feil@acme.example")
	f.succeeded = enqueue("ok", "kari.nordmann@acme.example", "inc0010001")
	now := time.Now().UTC()
	for id, status := range map[string]store.Status{f.failed: store.Failed, f.succeeded: store.Succeeded} {
		entry := store.JournalEntry{ExecutionID: id, Card: "read_user", Attempt: 1, Status: store.EntryOK,
			Input: []byte(`{"user":"00u1"}`), Output: []byte(`{"id":"00u1"}`), StartedAt: now, EndedAt: now.Add(time.Millisecond)}
		if status == store.Failed {
			entry.Status, entry.Output, entry.Error, entry.ErrorKind = store.EntryError, nil, "HTTP 403", "permission"
		}
		if err := st.Finish(ctx, id, status, nil, "", entry); err != nil {
			t.Fatal(err)
		}
	}
	for i := range pending {
		enqueue("p" + string(rune('a'+i/26)) + string(rune('a'+i%26)))
	}
	f.auth = &revocable{revoked: map[console.TokenDigest]bool{}}
	f.auth.Add(readToken, console.Principal{Name: "auditor", Role: console.RoleRead})
	f.auth.Add(operateToken, console.Principal{Name: "oncall", Role: console.RoleOperate})
	c := console.New(console.Options{Source: &engine.ConsoleSource{Store: st}, Auth: f.auth, Poll: 20 * time.Millisecond})
	f.srv = httptest.NewServer(c)
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a browser-like client: cookies, no redirects followed.
func (f *fixture) client() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func (f *fixture) login(token string) *http.Client {
	f.t.Helper()
	c := f.client()
	resp, err := c.PostForm(f.srv.URL+"/ui/login", url.Values{"token": {token}, "next": {"/ui/executions"}})
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/ui/executions" {
		f.t.Fatalf("login = %d to %q, want 303 to /ui/executions", resp.StatusCode, resp.Header.Get("Location"))
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func TestLoginAndSession(t *testing.T) {
	f := newFixture(t, 0)
	anon := f.client()
	code, _, h := get(t, anon, f.srv.URL+"/ui/executions?status=failed")
	if code != http.StatusSeeOther || h.Get("Location") != "/ui/login?next="+url.QueryEscape("/ui/executions?status=failed") {
		t.Errorf("anonymous GET = %d to %q, want 303 to the login page with next", code, h.Get("Location"))
	}
	resp, err := anon.PostForm(f.srv.URL+"/ui/login", url.Values{"token": {"wrong"}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "not valid") || len(resp.Cookies()) != 0 {
		t.Errorf("a wrong token = %d, cookies %v; want 401 saying so and no cookie", resp.StatusCode, resp.Cookies())
	}
	c := f.login(readToken)
	code, body2, h := get(t, c, f.srv.URL+"/ui/executions")
	if code != http.StatusOK || !strings.Contains(body2, f.failed) || !strings.Contains(body2, "auditor (read)") {
		t.Errorf("after login GET = %d; want 200 listing %s for auditor", code, f.failed)
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("Content-Security-Policy = %q", csp)
	}
	// Logging out ends the session on the server, not only the cookie.
	ck := c.Jar.Cookies(mustURL(t, f.srv.URL+"/ui/"))
	resp, err = c.PostForm(f.srv.URL+"/ui/logout", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	replayed := f.client()
	replayed.Jar.SetCookies(mustURL(t, f.srv.URL+"/ui/"), ck)
	if code, _, _ := get(t, replayed, f.srv.URL+"/ui/executions"); code != http.StatusSeeOther {
		t.Errorf("the session cookie after logout = %d, want 303 to the login page", code)
	}
}

func TestLoginRedirectStaysInTheConsole(t *testing.T) {
	f := newFixture(t, 0)
	for _, next := range []string{"//evil.example/ui/", "https://evil.example/", "/ui/\\evil", "/elsewhere"} {
		resp, err := f.client().PostForm(f.srv.URL+"/ui/login", url.Values{"token": {readToken}, "next": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if loc := resp.Header.Get("Location"); loc != "/ui/" {
			t.Errorf("next=%q redirects to %q, want /ui/", next, loc)
		}
	}
}

func TestBearerToken(t *testing.T) {
	f := newFixture(t, 0)
	for token, want := range map[string]int{readToken: http.StatusOK, "nope": http.StatusUnauthorized} {
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/ui/executions/"+f.failed, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("bearer %q = %d, want %d", token, resp.StatusCode, want)
		}
	}
}

// TestBearerScheme: the console reads Bearer credentials as the admin
// surface does (server.BearerToken): the scheme in any case, one or more
// spaces before the token. Malformed Bearer credentials are refused as a
// wrong token is, not sent to the login page.
func TestBearerScheme(t *testing.T) {
	f := newFixture(t, 0)
	get := func(header string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/ui/executions/"+f.failed, nil)
		req.Header.Set("Authorization", header)
		resp, err := f.client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, h := range []string{"bearer " + readToken, "BEARER " + readToken, "Bearer   " + readToken} {
		if code, _ := get(h); code != http.StatusOK {
			t.Errorf("Authorization %q = %d, want 200", h, code)
		}
	}
	wantCode, wantBody := get("Bearer nope")
	if wantCode != http.StatusUnauthorized {
		t.Fatalf("a wrong token = %d, want 401", wantCode)
	}
	for _, h := range []string{"bearer nope", "BEARER nope", "Bearer\t" + readToken, "Bearer " + readToken + " x", "Bearer"} {
		if code, body := get(h); code != wantCode || body != wantBody {
			t.Errorf("Authorization %q = %d %q, want %d %q as for a wrong token", h, code, body, wantCode, wantBody)
		}
	}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// replayForm reads the execution page and returns its form token ("" when
// the page has no replay form).
func replayForm(t *testing.T, c *http.Client, f *fixture, id string) string {
	t.Helper()
	code, body, _ := get(t, c, f.srv.URL+"/ui/executions/"+id)
	if code != http.StatusOK {
		t.Fatalf("execution page = %d", code)
	}
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func (f *fixture) status(id string) store.Status {
	f.t.Helper()
	ex, err := f.st.Execution(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return ex.Status
}

func TestReplay(t *testing.T) {
	f := newFixture(t, 0)
	reader := f.login(readToken)
	if tok := replayForm(t, reader, f, f.failed); tok != "" {
		t.Error("a read session sees the replay form")
	}
	if code, _ := post(t, reader, f, f.failed, "replay", url.Values{"confirm": {"yes"}}, ""); code != http.StatusForbidden {
		t.Errorf("a read session's replay = %d, want 403", code)
	}
	op := f.login(operateToken)
	tok := replayForm(t, op, f, f.failed)
	if tok == "" {
		t.Fatal("an operate session sees no replay form")
	}
	cases := []struct {
		name   string
		form   url.Values
		origin string
		want   int
	}{
		{"no form token", url.Values{"confirm": {"yes"}}, "", http.StatusForbidden},
		{"another site", url.Values{"confirm": {"yes"}, "csrf": {tok}}, "https://evil.example", http.StatusForbidden},
		{"not confirmed", url.Values{"csrf": {tok}}, "", http.StatusBadRequest},
		{"unknown card", url.Values{"csrf": {tok}, "confirm": {"yes"}, "from": {"nope"}}, "", http.StatusConflict},
	}
	for _, tc := range cases {
		if code, _ := post(t, op, f, f.failed, "replay", tc.form, tc.origin); code != tc.want {
			t.Errorf("%s: replay = %d, want %d", tc.name, code, tc.want)
		}
		if s := f.status(f.failed); s != store.Failed {
			t.Fatalf("%s: the execution is %s after a refused replay", tc.name, s)
		}
	}
	// A succeeded execution needs force.
	if code, body := post(t, op, f, f.succeeded, "replay", url.Values{"csrf": {tok}, "confirm": {"yes"}}, ""); code != http.StatusConflict || !strings.Contains(body, "succeeded") {
		t.Errorf("replaying a succeeded execution = %d, want 409 saying it succeeded", code)
	}
	if code, _ := post(t, op, f, f.failed, "replay", url.Values{"csrf": {tok}, "confirm": {"yes"}}, f.srv.URL); code != http.StatusSeeOther {
		t.Fatalf("the operator's replay = %d, want 303", code)
	}
	if s := f.status(f.failed); s != store.Pending {
		t.Errorf("the replayed execution is %s, want pending", s)
	}
	code, body, _ := get(t, op, f.srv.URL+"/ui/audit")
	if code != http.StatusOK || !strings.Contains(body, "oncall") || !strings.Contains(body, f.failed) {
		t.Errorf("the audit log does not name oncall's replay of %s", f.failed)
	}
	if !strings.Contains(body, "refused") {
		t.Error("the audit log does not record the refused replays")
	}
	// Refused before they reached the store: the read session's, and the
	// operator's without the form token and unconfirmed.
	for _, want := range []string{"auditor (read)", "refused: Replaying needs the operate role", "refused: The form has expired", "refused: Confirm the replay"} {
		if !strings.Contains(body, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
}

// TestReplaySaysTheDefinition: the replay form names the definition the
// execution runs on again, and says so in words when it was never pinned
// to one (it runs on the flow as loaded now).
func TestReplaySaysTheDefinition(t *testing.T) {
	f := newFixture(t, 0)
	op := f.login(operateToken)
	_, body, _ := get(t, op, f.srv.URL+"/ui/executions/"+f.failed)
	if !strings.Contains(body, "on the flow as it is loaded now") || strings.Contains(body, "on definition <code></code>") {
		t.Errorf("an unpinned execution's replay form does not say what it runs on:\n%s", body)
	}
	ctx := context.Background()
	res, err := f.st.Enqueue(ctx, []store.Event{{Flow: "request_approval", DedupKey: "pinned", Payload: []byte(`{"event":{}}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if err := f.st.Pin(ctx, id, "d3adb33fcafe0123456789"); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Finish(ctx, id, store.Failed, nil, "boom"); err != nil {
		t.Fatal(err)
	}
	_, body, _ = get(t, op, f.srv.URL+"/ui/executions/"+id)
	if !strings.Contains(body, "on definition <code>d3adb33") || strings.Contains(body, "loaded now") {
		t.Errorf("a pinned execution's replay form does not name its definition:\n%s", body)
	}
}

func TestExecutionsPages(t *testing.T) {
	f := newFixture(t, 120)
	c := f.login(readToken)
	next := "/ui/executions"
	var rows, pages int
	for next != "" {
		code, body, _ := get(t, c, f.srv.URL+next)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", next, code)
		}
		pages++
		rows += strings.Count(body, `<td><a href="/ui/executions/ex_`)
		next = ""
		if m := regexp.MustCompile(`<a href="(\?[^"]*)" rel="next">`).FindStringSubmatch(body); m != nil {
			next = "/ui/executions" + strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if rows != 122 || pages != 3 {
		t.Errorf("paging shows %d executions on %d pages, want 122 on 3", rows, pages)
	}
	_, body, _ := get(t, c, f.srv.URL+"/ui/executions?q=KARI")
	if !strings.Contains(body, f.succeeded) || strings.Contains(body, f.failed) {
		t.Error("searching KARI does not find exactly her execution")
	}
	if code, body, _ := get(t, c, f.srv.URL+"/ui/executions?status=bogus"); code != http.StatusBadRequest || !strings.Contains(body, "unknown status") {
		t.Errorf("a bad status = %d", code)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/ui/executions?since=yesterday"); code != http.StatusBadRequest {
		t.Errorf("a bad time = %d, want 400", code)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/ui/executions/ex_nope"); code != http.StatusNotFound {
		t.Errorf("an unknown execution = %d, want 404", code)
	}
}

func TestLiveReportsAChangeThePageMissed(t *testing.T) {
	f := newFixture(t, 0)
	req, _ := http.NewRequest(http.MethodGet, f.srv.URL+"/ui/live?v=pending.0&execution="+f.failed, nil)
	req.Header.Set("Authorization", "Bearer "+readToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	resp, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type = %q", ct)
	}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if sc.Text() == "event: change" {
			sc.Scan()
			if got := sc.Text(); got != "data: failed.1" {
				t.Errorf("change = %q, want data: failed.1", got)
			}
			return
		}
	}
	t.Fatalf("no change event: %v", sc.Err())
}

// TestLiveEndsWhenTheTokenIsRevoked: a live page's stream, which outlasts
// the request that checked its session, ends once the session's token is
// revoked; the session ends with it.
func TestLiveEndsWhenTheTokenIsRevoked(t *testing.T) {
	f := newFixture(t, 0)
	c := f.login(readToken)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, f.srv.URL+"/ui/live?execution="+f.failed, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || resp.StatusCode != http.StatusOK {
		t.Fatalf("live stream = %d: %v", resp.StatusCode, sc.Err())
	}
	f.auth.revoke(readToken)
	for sc.Scan() {
	}
	if ctx.Err() != nil {
		t.Fatal("the stream went on after its token was revoked")
	}
	if code, _, h := get(t, c, f.srv.URL+"/ui/executions"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/ui/login") {
		t.Errorf("the session after its token was revoked: %d to %q, want 303 to the login page", code, h.Get("Location"))
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestOpenConsoleIsLoopbackOnly: without tokens the console answers only
// requests addressed to loopback, so that a page that rebinds its own
// name to 127.0.0.1 cannot read it.
func TestOpenConsoleIsLoopbackOnly(t *testing.T) {
	st := memory.New()
	defer st.Close()
	srv := httptest.NewServer(console.New(console.Options{Source: &engine.ConsoleSource{Store: st}}))
	defer srv.Close()
	for host, want := range map[string]int{"": http.StatusOK, "localhost:9090": http.StatusOK, "evil.example": http.StatusForbidden} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ui/executions", nil)
		if host != "" {
			req.Host = host
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: %d, want %d", host, resp.StatusCode, want)
		}
	}
}

func TestDefinitionPage(t *testing.T) {
	f := newFixture(t, 0)
	snap := []byte("-- flows/a.hcl --\nflow \"a\" {}\n-- cardflow:vars.json --\n{\"groups\":[\"Employees\"]}\n")
	if err := f.st.PutDefinition(context.Background(), "h1", snap); err != nil {
		t.Fatal(err)
	}
	c := f.login(readToken)
	code, body, _ := get(t, c, f.srv.URL+"/ui/definitions/h1")
	if code != http.StatusOK || !strings.Contains(body, "flows/a.hcl") || !strings.Contains(body, `flow &#34;a&#34; {}`) || !strings.Contains(body, "Employees") {
		t.Errorf("definition page = %d:\n%s", code, body)
	}
	if code, _, _ := get(t, c, f.srv.URL+"/ui/definitions/nope"); code != http.StatusNotFound {
		t.Errorf("an unknown definition = %d, want 404", code)
	}
}

// TestUnknownPage: an address under /ui/ that is no page (a mistyped or
// truncated link) answers 404 with the console's page and its navigation,
// not a bare "404 page not found"; signed out, it asks to sign in first.
func TestUnknownPage(t *testing.T) {
	f := newFixture(t, 0)
	c := f.login(readToken)
	for _, path := range []string{"/ui/execution", "/ui/flows/", "/ui/nope/deeper"} {
		code, body, h := get(t, c, f.srv.URL+path)
		if code != http.StatusNotFound || !strings.HasPrefix(h.Get("Content-Type"), "text/html") ||
			!strings.Contains(body, `data-testid="error"`) || !strings.Contains(body, `href="/ui/executions"`) {
			t.Errorf("GET %s = %d %q:\n%s", path, code, h.Get("Content-Type"), body)
		}
	}
	if code, _, h := get(t, f.client(), f.srv.URL+"/ui/nope"); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/ui/login") {
		t.Errorf("signed out: GET /ui/nope = %d to %q, want 303 to the login page", code, h.Get("Location"))
	}
}

// brokenStore is a source with one flow whose store cannot be read.
type brokenStore struct{ *engine.ConsoleSource }

func (brokenStore) Flows() ([]console.Flow, console.Reload) {
	return []console.Flow{{Name: "request_approval", Hash: "e295eef0d64e8e69", Enabled: true,
		Trigger: console.Trigger{Type: "okta.event_hook"}, Cards: []console.Card{{Name: "read_user", Action: "okta.read_user"}}}}, console.Reload{Generation: 1}
}

func (brokenStore) Executions(context.Context, store.Filter) ([]*store.Execution, error) {
	return nil, errors.New("database disk image is malformed (11)")
}

// TestFlowPageWithoutTheStore: a flow's drawing comes from the loaded
// files, so a store that cannot be read costs its page the recent
// executions only, which the page says; the executions list, which is all
// store, answers 500.
func TestFlowPageWithoutTheStore(t *testing.T) {
	st := memory.New()
	defer st.Close()
	srv := httptest.NewServer(console.New(console.Options{Source: brokenStore{&engine.ConsoleSource{Store: st}}}))
	defer srv.Close()
	code, body, _ := get(t, http.DefaultClient, srv.URL+"/ui/flows/request_approval")
	if code != http.StatusOK || !strings.Contains(body, `data-testid="chain"`) || !strings.Contains(body, "okta.read_user") ||
		!strings.Contains(body, "The store could not be read") {
		t.Errorf("the flow page over a broken store = %d:\n%s", code, body)
	}
	if strings.Contains(body, "malformed") {
		t.Error("the flow page shows the store's error, which only the log should")
	}
	if code, _, _ := get(t, http.DefaultClient, srv.URL+"/ui/executions"); code != http.StatusInternalServerError {
		t.Errorf("the executions list over a broken store = %d, want 500", code)
	}
}

// TestEmptyStates: an empty history says so, a filter that matches
// nothing says that, and a flow that never ran says that.
func TestEmptyStates(t *testing.T) {
	st := memory.New()
	defer st.Close()
	srv := httptest.NewServer(console.New(console.Options{Source: emptyFlow{&engine.ConsoleSource{Store: st}}}))
	defer srv.Close()
	for path, want := range map[string]string{
		"/ui/executions":                          "No executions yet",
		"/ui/executions?status=failed":            "No executions match.",
		"/ui/executions?q=kari":                   "No executions match.",
		"/ui/flows/request_approval":              "This flow has not run yet.",
		"/ui/executions?before=ex_01M99G3N74QV7R": "No older executions.",
	} {
		code, body, _ := get(t, http.DefaultClient, srv.URL+path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d, does not say %q", path, code, want)
		}
	}
}

// emptyFlow is a source with one flow and no history.
type emptyFlow struct{ *engine.ConsoleSource }

func (emptyFlow) Flows() ([]console.Flow, console.Reload) {
	return []console.Flow{{Name: "request_approval", Enabled: true, Trigger: console.Trigger{Type: "okta.event_hook"}}}, console.Reload{Generation: 1}
}

// TestListSaysWhy: "which executions failed, and why?" is answered by the
// list: a failed execution's row carries its error, a waiting one's its
// wake-up time, as cardflow history shows them.
func TestListSaysWhy(t *testing.T) {
	f := newFixture(t, 0)
	ctx := context.Background()
	res, err := f.st.Enqueue(ctx, []store.Event{{Flow: "contractor_end", DedupKey: "w", Payload: []byte(`{}`)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Claim(ctx, "test", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	wake := time.Date(2026, 12, 31, 17, 0, 0, 0, time.UTC)
	if err := f.st.Park(ctx, res[0].ID, wake); err != nil {
		t.Fatal(err)
	}
	long := "card read_user: okta.read_user: HTTP 403: " + strings.Repeat("x", 300)
	if err := f.st.Reopen(ctx, f.failed); err != nil {
		t.Fatal(err)
	}
	if err := f.st.Finish(ctx, f.failed, store.Failed, nil, long); err != nil {
		t.Fatal(err)
	}
	_, body, _ := get(t, f.login(readToken), f.srv.URL+"/ui/executions")
	if !strings.Contains(body, "card read_user: okta.read_user: HTTP 403: xxx") || strings.Contains(body, strings.Repeat("x", 200)+"<") {
		t.Errorf("the list does not show the failed execution's error, shortened")
	}
	if !strings.Contains(body, `until <time datetime="2026-12-31T17:00:00Z">2026-12-31 17:00:00.000 UTC</time>`) {
		t.Errorf("the list does not show when the waiting execution wakes")
	}
}

// oneTable is a source with one flow table.
type oneTable struct{ *engine.ConsoleSource }

func (oneTable) Tables() []console.Table {
	return []console.Table{{Name: "bulk", Key: "k", Columns: []string{"k", "note"}}}
}

// TestTablePages: a table's rows page 50 at a time by key, and a later
// page links back to the first (keeping the key prefix searched).
func TestTablePages(t *testing.T) {
	st := memory.New()
	defer st.Close()
	for i := range 65 {
		k := fmt.Sprintf("user%02d", i)
		if err := st.TablePut(context.Background(), "bulk", k, []byte(`{"k":"`+k+`","note":"row"}`)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(console.New(console.Options{Source: oneTable{&engine.ConsoleSource{Store: st}}}))
	defer srv.Close()
	_, body, _ := get(t, http.DefaultClient, srv.URL+"/ui/tables/bulk?q=user")
	if n := strings.Count(body, "<tr><td><code>"); n != 50 || !strings.Contains(body, `href="?after=user49&amp;q=user" rel="next"`) || strings.Contains(body, ">First<") {
		t.Fatalf("the first page shows %d rows and these links:\n%s", n, regexp.MustCompile(`<nav class="pager".*</nav>`).FindString(body))
	}
	_, body, _ = get(t, http.DefaultClient, srv.URL+"/ui/tables/bulk?after=user49&q=user")
	if n := strings.Count(body, "<tr><td><code>"); n != 15 || !strings.Contains(body, `<a href="?q=user">First</a>`) || strings.Contains(body, `rel="next"`) {
		t.Errorf("the last page shows %d rows and these links:\n%s", n, regexp.MustCompile(`<nav class="pager".*</nav>`).FindString(body))
	}
}

// TestAboutKeepsTheTriggersCase: search keeps correlation terms in lower
// case, but the list and the execution show them as the event wrote them,
// so that a case-sensitive Okta id can be copied from the page.
func TestAboutKeepsTheTriggersCase(t *testing.T) {
	f := newFixture(t, 0)
	payload := []byte(`{"event":{"uuid":"E-1","target":[{"id":"00u8newUsEr1x2Y","alternateId":"Nils.Ny@Acme.example","displayName":"Nils Ny"}]}}`)
	res, err := f.st.Enqueue(context.Background(), []store.Event{{Flow: "request_approval", DedupKey: "cased",
		Payload: payload, Terms: trigger.Terms(payload)}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	c := f.login(readToken)
	want := "00u8newUsEr1x2Y, E-1, Nils Ny, Nils.Ny@Acme.example"
	for _, path := range []string{"/ui/executions?q=00U8NEWUSER", "/ui/executions/" + res[0].ID} {
		code, body, _ := get(t, c, f.srv.URL+path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s = %d, want the terms %q in the trigger's case in\n%s", path, code, want, body)
		}
	}
}

// TestAuditLogPages: the audit log pages as the executions list does,
// newest first, every entry once, with Older and Newest links.
func TestAuditLogPages(t *testing.T) {
	f := newFixture(t, 0)
	src := &engine.ConsoleSource{Store: f.st}
	start := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	const n = 120
	for i := range n {
		// Two entries share each instant: the target tells them apart.
		e := console.AuditEntry{At: start.Add(time.Duration(i/2) * time.Second), Who: "oncall", Role: "operate",
			Action: "replay", Target: fmt.Sprintf("ex_%03d", i), Outcome: "ok"}
		if err := src.Audit(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	c := f.login(readToken)
	target := regexp.MustCompile(`<code>(ex_\d{3})</code>`)
	next, pages := "/ui/audit", 0
	var seen []string
	for next != "" {
		code, body, _ := get(t, c, f.srv.URL+next)
		if code != http.StatusOK {
			t.Fatalf("GET %s = %d", next, code)
		}
		if pages++; (pages > 1) != strings.Contains(body, `<a href="/ui/audit">Newest</a>`) {
			t.Errorf("page %d: a Newest link only on later pages", pages)
		}
		for _, m := range target.FindAllStringSubmatch(body, -1) {
			seen = append(seen, m[1])
		}
		next = ""
		if m := regexp.MustCompile(`<a href="(\?[^"]*)" rel="next">Older</a>`).FindStringSubmatch(body); m != nil {
			next = "/ui/audit" + strings.ReplaceAll(m[1], "&amp;", "&")
		}
	}
	if pages != 3 || len(seen) != n {
		t.Fatalf("the audit log shows %d entries on %d pages, want %d on 3", len(seen), pages, n)
	}
	for i, id := range seen {
		// Newest first; of two at one instant, the key's order.
		if want := (n - 2 - i/2*2) + i%2; id != fmt.Sprintf("ex_%03d", want) {
			t.Fatalf("entry %d is %s, want ex_%03d (newest first, each once)", i, id, want)
		}
	}
	if _, body, _ := get(t, c, f.srv.URL+"/ui/audit?before=zzz"); !strings.Contains(body, "No older entries.") {
		t.Error("a page past the oldest entry does not say there are no older ones")
	}
}
