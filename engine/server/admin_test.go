package server_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
)

// auditLog is an Auditor that keeps what it is told.
type auditLog struct {
	mu     sync.Mutex
	events []server.AuditEvent
}

func (a *auditLog) Audit(_ context.Context, ev server.AuditEvent) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, ev)
}

func (a *auditLog) all() []server.AuditEvent {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]server.AuditEvent(nil), a.events...)
}

// tokenFixture is an admin surface authenticating with a token file that
// names a reader and an operator.
type tokenFixture struct {
	backend          *fakeBackend
	admin            *httptest.Server
	audit            *auditLog
	file             string
	reader, operator string
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	f := &tokenFixture{file: filepath.Join(t.TempDir(), "tokens"), audit: &auditLog{}}
	f.reader, f.operator = newToken(t), newToken(t)
	writeTokens(t, f.file, "# admin tokens\n"+
		server.TokenLine("grafana", server.RoleRead, f.reader)+"\n\n"+
		server.TokenLine("alice", server.RoleOperate, f.operator)+"\n")
	tf, err := server.OpenTokenFile(f.file, nil)
	if err != nil {
		t.Fatal(err)
	}
	f.backend = &fakeBackend{gen: loadGen(t, flowsHCL), clients: runtime.NewClients(), st: memory.New()}
	s := &server.Server{Backend: f.backend, Metrics: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) })}
	f.admin = httptest.NewServer(s.Admin(server.AdminOptions{Auth: tf, Auditor: f.audit, Pprof: true}))
	t.Cleanup(func() {
		f.admin.Close()
		f.backend.clients.Close()
		_ = f.backend.st.Close()
	})
	return f
}

func newToken(t *testing.T) string {
	t.Helper()
	tok, err := server.GenerateToken()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// writeTokens replaces the token file as editors do, by a rename, so that
// the change is seen even within the file system's time resolution.
func writeTokens(t *testing.T, path, content string) {
	t.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

func (f *tokenFixture) do(t *testing.T, method, path, token string) response {
	t.Helper()
	h := map[string]string{}
	if token != "" {
		h["Authorization"] = "Bearer " + token
	}
	return send(t, f.admin, method, path, nil, h)
}

// TestAdminRoles checks who may do what on the admin surface: nobody
// without a valid token, readers read, operators also replay and profile.
func TestAdminRoles(t *testing.T) {
	f := newTokenFixture(t)
	tests := []struct {
		method, path string
		token        *string
		status       int
	}{
		{"GET", "/api/v1/executions", new(string), 401},
		{"GET", "/metrics", new(string), 401},
		{"GET", "/api/v1/health", new(string), 401},
		{"GET", "/no/such/path", new(string), 401},
		{"POST", "/api/v1/executions/x/replay", new(string), 401},
		{"GET", "/api/v1/executions", &f.reader, 200},
		{"GET", "/metrics", &f.reader, 200},
		{"GET", "/api/v1/health", &f.reader, 200},
		{"GET", "/api/v1/executions/nope", &f.reader, 404},
		{"POST", "/api/v1/executions/nope/replay", &f.reader, 403},
		{"GET", "/debug/pprof/", &f.reader, 403},
		{"GET", "/api/v1/executions", &f.operator, 200},
		{"POST", "/api/v1/executions/nope/replay", &f.operator, 404},
		{"GET", "/debug/pprof/cmdline", &f.operator, 200},
	}
	for _, tt := range tests {
		r := f.do(t, tt.method, tt.path, *tt.token)
		if r.Status != tt.status {
			t.Errorf("%s %s with token %q: %d, want %d: %s", tt.method, tt.path, label(f, *tt.token), r.Status, tt.status, r.Body)
		}
		if r.Status == 401 && r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s %s: 401 without WWW-Authenticate", tt.method, tt.path)
		}
	}
	// A wrong token, a token's hash, or the right token in another scheme
	// prove nobody.
	for _, h := range []string{
		"Bearer " + f.reader + "x",
		"Bearer " + strings.TrimPrefix(server.HashToken(f.reader), "sha256:"),
		"Basic " + f.reader,
		f.reader,
	} {
		if r := send(t, f.admin, "GET", "/api/v1/executions", nil, map[string]string{"Authorization": h}); r.Status != 401 {
			t.Errorf("Authorization %.20q…: %d, want 401", h, r.Status)
		}
	}
}

// TestAdminBearerScheme: the Bearer scheme is matched in any case, and one
// or more spaces may separate it from the token (RFC 9110 §11.4: 1*SP);
// anything else that names Bearer is refused exactly as a wrong token is:
// same status, body and WWW-Authenticate.
func TestAdminBearerScheme(t *testing.T) {
	f := newTokenFixture(t)
	get := func(header []string) response {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, f.admin.URL+"/api/v1/executions", nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range header {
			req.Header.Add("Authorization", h)
		}
		resp, err := f.admin.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{resp.StatusCode, resp.Header, string(b)}
	}
	for _, h := range []string{
		"Bearer " + f.reader,
		"bearer " + f.reader,
		"BEARER " + f.reader,
		"BeArEr " + f.reader,
		"Bearer   " + f.reader,
		"bearer " + f.reader + "  ", // trailing whitespace is not part of the value
	} {
		if r := get([]string{h}); r.Status != http.StatusOK {
			t.Errorf("Authorization %q: %d, want 200: %s", strings.Replace(h, f.reader, "<token>", 1), r.Status, r.Body)
		}
	}
	wrong := get([]string{"Bearer " + f.reader + "x"})
	if wrong.Status != http.StatusUnauthorized {
		t.Fatalf("a wrong token: %d, want 401", wrong.Status)
	}
	for _, header := range [][]string{
		{"bearer " + f.reader + "x"},
		{"BEARER wrong"},
		{"Bearer\t" + f.reader},       // only SP separates scheme and token
		{"Bearer " + f.reader + " x"}, // a token68 has no spaces
		{"Bearer " + f.reader + ","},
		{"Bearer"},
		{"Bearer " + f.reader, "Bearer " + f.reader}, // one Authorization field only
		{"Bearer" + f.reader},
		{"Basic " + f.reader},
		{},
	} {
		r := get(header)
		if r.Status != wrong.Status || r.Body != wrong.Body || r.Header.Get("WWW-Authenticate") != wrong.Header.Get("WWW-Authenticate") {
			shown := strings.ReplaceAll(strings.Join(header, "\n"), f.reader, "<token>")
			t.Errorf("Authorization %q: %d %q %q, want %d %q %q as for a wrong token", shown, r.Status, r.Body, r.Header.Get("WWW-Authenticate"),
				wrong.Status, wrong.Body, wrong.Header.Get("WWW-Authenticate"))
		}
	}
}

// TestBearerTokenGrammar pins server.BearerToken to RFC 9110 §11.4
// (credentials = auth-scheme [ 1*SP token68 ]) and §11.2 (token68 =
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=").
func TestBearerTokenGrammar(t *testing.T) {
	type result struct {
		Token  string
		Bearer bool
	}
	tests := []struct {
		header []string
		want   result
	}{
		{nil, result{}},
		{[]string{"Bearer abc"}, result{"abc", true}},
		{[]string{"bEaReR abc"}, result{"abc", true}},
		{[]string{"Bearer    abc"}, result{"abc", true}},
		{[]string{" Bearer abc\t"}, result{"abc", true}}, // OWS around the value
		{[]string{"Bearer a-b.c_d~e+f/g=="}, result{"a-b.c_d~e+f/g==", true}},
		{[]string{"Bearer ="}, result{"", true}},
		{[]string{"Bearer a=b"}, result{"", true}},
		{[]string{"Bearer a b"}, result{"", true}},
		{[]string{"Bearer \tabc"}, result{"", true}},
		{[]string{"Bearer\tabc"}, result{"", true}},
		{[]string{"Bearer"}, result{"", true}},
		{[]string{"Bearer abc", "Bearer abc"}, result{"", true}},
		{[]string{"Bearerabc"}, result{}},
		{[]string{"Basic abc"}, result{}},
		{[]string{"abc"}, result{}},
		{[]string{""}, result{}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		for _, h := range tt.header {
			r.Header.Add("Authorization", h)
		}
		var got result
		got.Token, got.Bearer = server.BearerToken(r)
		if got != tt.want {
			t.Errorf("Authorization %q: %+v, want %+v", tt.header, got, tt.want)
		}
	}
	// The scheme is a token (RFC 9110 §5.6.2): a tchar after "Bearer"
	// makes another scheme; anything else ends it, and with no space
	// between it and the token68 the credentials are malformed.
	const tchar = "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	for c := rune(0x21); c < 0x100; c++ {
		if c == 0x7f {
			continue
		}
		h := "Bearer" + string(c) + " abc"
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.Header.Set("Authorization", h)
		want := result{"", true}
		if strings.ContainsRune(tchar, c) {
			want = result{}
		}
		var got result
		got.Token, got.Bearer = server.BearerToken(r)
		if got != want {
			t.Errorf("Authorization %q: %+v, want %+v", h, got, want)
		}
	}
}

func label(f *tokenFixture, token string) string {
	switch token {
	case f.reader:
		return "read"
	case f.operator:
		return "operate"
	}
	return token
}

// TestAdminReplayIsAudited replays a failed execution through the API as
// an operator and checks that it is queued and that the audit names who.
func TestAdminReplayIsAudited(t *testing.T) {
	f := newTokenFixture(t)
	ctx := context.Background()
	st := f.backend.st
	res, err := st.Enqueue(ctx, []store.Event{{Flow: "on_create", DedupKey: "u1", Payload: []byte(`{}`), ReceivedAt: time.Now()}}, store.EnqueueOptions{})
	if err != nil {
		t.Fatal(err)
	}
	id := res[0].ID
	if r := f.do(t, "POST", "/api/v1/executions/"+id+"/replay", f.operator); r.Status != http.StatusConflict {
		t.Errorf("replay of a pending execution: %d, want 409: %s", r.Status, r.Body)
	}
	if _, err := st.Claim(ctx, "test", 1, time.Minute, store.ClaimOptions{}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	if err := st.Finish(ctx, id, store.Failed, nil, "boom", store.JournalEntry{
		ExecutionID: id, Card: "hello", Attempt: 1, Status: store.EntryError, Error: "boom", StartedAt: now, EndedAt: now,
	}); err != nil {
		t.Fatal(err)
	}
	r := f.do(t, "POST", "/api/v1/executions/"+id+"/replay", f.operator)
	if r.Status != http.StatusAccepted || !strings.Contains(r.Body, `"from_card": "hello"`) {
		t.Fatalf("replay: %d %s", r.Status, r.Body)
	}
	ex, err := st.Execution(ctx, id)
	if err != nil || ex.Status != store.Pending {
		t.Fatalf("after the replay the execution is %v (%v), want pending", ex, err)
	}
	var replays []server.AuditEvent
	for _, ev := range f.audit.all() {
		if ev.Action == "replay" {
			replays = append(replays, ev)
		}
	}
	if len(replays) != 2 {
		t.Fatalf("audit: %+v, want the refused and the accepted replay", replays)
	}
	last := replays[1]
	if last.Principal != "alice" || last.Role != "operate" || last.Method != "token" || last.Target != id || last.Detail != "hello" || last.Outcome != "ok" {
		t.Errorf("audit of the replay: %+v", last)
	}
	if replays[0].Outcome == "ok" {
		t.Errorf("the refused replay is audited as %q", replays[0].Outcome)
	}
}

// TestAdminRefusedReplaysAreAudited: a replay refused before it reaches
// the store (the role, a body that does not decode) is audited with who
// asked, as an accepted one is.
func TestAdminRefusedReplaysAreAudited(t *testing.T) {
	f := newTokenFixture(t)
	auth := func(token string) map[string]string { return map[string]string{"Authorization": "Bearer " + token} }
	tests := []struct {
		name      string
		token     string
		path      string
		body      string
		status    int
		principal string
		role      string
		detail    string
		outcome   string
	}{
		{"the read role", f.reader, "/api/v1/executions/ex_1/replay?from_card=hello", "", http.StatusForbidden, "grafana", "read", "hello", "operate role"},
		{"a body that does not decode", f.operator, "/api/v1/executions/ex_2/replay", `{"force": "yes"}`, http.StatusBadRequest, "alice", "operate", "", "the body is empty or"},
		{"unknown fields", f.operator, "/api/v1/executions/ex_3/replay", `{"from-card": "nope", "forse": true, "from_card": "hello"}`, http.StatusBadRequest, "alice", "operate", "",
			`unknown field "forse", "from-card" in the body`},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := send(t, f.admin, "POST", tt.path, []byte(tt.body), auth(tt.token))
			if r.Status != tt.status {
				t.Fatalf("replay: %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			evs := f.audit.all()
			if len(evs) != i+1 {
				t.Fatalf("audit: %+v, want one more record", evs)
			}
			ev := evs[i]
			if ev.Action != "replay" || ev.Principal != tt.principal || ev.Role != tt.role || ev.Method != "token" ||
				ev.Target != "ex_"+string(rune('1'+i)) || ev.Detail != tt.detail || !strings.Contains(ev.Outcome, tt.outcome) {
				t.Errorf("audit record: %+v, want %s (%s) refused with %q", ev, tt.principal, tt.role, tt.outcome)
			}
		})
	}
}

// TestTokenFileReload adds and revokes tokens by editing the file while
// serving; a change that does not parse keeps the tokens in force.
func TestTokenFileReload(t *testing.T) {
	f := newTokenFixture(t)
	carol := newToken(t)
	if r := f.do(t, "GET", "/metrics", carol); r.Status != 401 {
		t.Fatalf("a token not yet in the file: %d", r.Status)
	}
	writeTokens(t, f.file, server.TokenLine("carol", server.RoleRead, carol)+"\n"+server.TokenLine("alice", server.RoleOperate, f.operator)+"\n")
	if r := f.do(t, "GET", "/metrics", carol); r.Status != 200 {
		t.Errorf("an added token: %d, want 200", r.Status)
	}
	if r := f.do(t, "GET", "/metrics", f.reader); r.Status != 401 {
		t.Errorf("a removed token: %d, want 401", r.Status)
	}
	writeTokens(t, f.file, "carol read sha256:nothex\n")
	if r := f.do(t, "GET", "/metrics", carol); r.Status != 200 {
		t.Errorf("after a change that does not parse: %d, want the tokens before in force", r.Status)
	}
}

func TestParseTokens(t *testing.T) {
	tok := newToken(t)
	good := server.TokenLine("ok", server.RoleRead, tok)
	tests := []struct {
		name, file string
		want       []string // in the error, each
	}{
		{"fields", "alice operate\n", []string{"tokens:1:", "NAME ROLE sha256:HEX"}},
		{"role", "alice admin " + server.HashToken(tok) + "\n", []string{"tokens:1:", `role "admin"`}},
		{"hash", "# c\nalice read sha256:abc\n", []string{"tokens:2:", "64 hex digits"}},
		{"name", "al/ice read " + server.HashToken(tok) + "\n", []string{"tokens:1:", "token name"}},
		{"duplicate", good + "\n" + good + "\n", []string{"tokens:2:", "line 1 too"}},
		{"pasted token", "alice read " + tok + "\n", []string{"tokens:1:", "holds a token itself"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := server.ParseTokens("tokens", []byte(tt.file))
			if err == nil {
				t.Fatal("accepted")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.Contains(err.Error(), tok) {
				t.Errorf("the error shows the token: %q", err)
			}
		})
	}
	if got, err := server.ParseTokens("tokens", []byte(good+"\n")); err != nil || len(got) != 1 {
		t.Errorf("a good file: %v %v", got, err)
	}
}

func TestRoles(t *testing.T) {
	if !server.RoleOperate.Allows(server.RoleRead) || server.RoleRead.Allows(server.RoleOperate) || server.RoleRead.Allows(server.RoleNone) {
		t.Error("operate includes read, read does not include operate, nobody needs no role")
	}
	for _, r := range []server.Role{server.RoleRead, server.RoleOperate} {
		if got, err := server.ParseRole(r.String()); err != nil || got != r {
			t.Errorf("ParseRole(%q) = %v, %v", r, got, err)
		}
	}
}

// TestAdminLoopbackTrustRefusesBrowsersOfOtherSites: on loopback without
// tokens, a web page cannot use the visitor's browser against the admin
// surface, neither by posting to it (CSRF) nor by a name of its own that
// resolves to 127.0.0.1 (DNS rebinding).
func TestAdminLoopbackTrustRefusesBrowsersOfOtherSites(t *testing.T) {
	f := newFixture(t, loadGen(t, flowsHCL))
	tests := []struct {
		name   string
		method string
		host   string
		header map[string]string
		status int
	}{
		{"curl", "GET", "", nil, 200},
		{"localhost", "GET", "localhost:9090", nil, 200},
		{"ipv6", "GET", "[::1]:9090", nil, 200},
		{"rebound name", "GET", "evil.example:9090", nil, 401},
		{"cross-site post", "POST", "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"foreign origin post", "POST", "", map[string]string{"Origin": "https://evil.example"}, 403},
	}
	for _, tt := range tests {
		path := "/metrics"
		if tt.method == "POST" {
			path = "/api/v1/executions/nope/replay"
		}
		req, err := http.NewRequest(tt.method, f.admin.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if tt.host != "" {
			req.Host = tt.host
		}
		for k, v := range tt.header {
			req.Header.Set(k, v)
		}
		resp, err := f.admin.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %s %s: %d, want %d", tt.name, tt.method, path, resp.StatusCode, tt.status)
		}
	}
	if len(f.audit.all()) != 0 {
		t.Errorf("refused requests reached the replay: %+v", f.audit.all())
	}
}

func TestAuditRingKeepsTheLatest(t *testing.T) {
	next := &auditLog{}
	ring := &server.AuditRing{Next: next, Size: 3}
	for i := range 5 {
		ring.Audit(context.Background(), server.AuditEvent{Target: string(rune('a' + i))})
	}
	var got []string
	for _, ev := range ring.Recent() {
		got = append(got, ev.Target)
	}
	if strings.Join(got, "") != "cde" || len(next.all()) != 5 {
		t.Errorf("ring keeps %v, passed on %d; want c d e and all 5", got, len(next.all()))
	}
}
