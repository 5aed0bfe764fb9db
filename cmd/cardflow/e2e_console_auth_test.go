package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// consoleBrowser is a browser-like client of an edge's console: it keeps
// cookies and does not follow redirects.
type consoleBrowser struct {
	t      *testing.T
	base   string // http://admin-addr
	client *http.Client
}

func (e *edge) browser() *consoleBrowser {
	jar, _ := cookiejar.New(nil)
	return &consoleBrowser{t: e.t, base: "http://" + e.admin, client: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// do sends a request (a form when form is not nil) and returns the status,
// the Location header and the body.
func (b *consoleBrowser) do(method, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header.Get("Location"), string(data)
}

func (b *consoleBrowser) login(token string) {
	b.t.Helper()
	if status, loc, _ := b.do("POST", "/ui/login", url.Values{"token": {token}, "next": {"/ui/executions"}}); status != http.StatusSeeOther || loc != "/ui/executions" {
		b.t.Fatalf("console login: %d to %q, want 303 to /ui/executions", status, loc)
	}
}

var e2eCSRFRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// replay opens the execution's page, posts its replay form (forced) and
// returns the answer's status and Location. Without a form on the page it
// posts one without the form token.
func (b *consoleBrowser) replay(id string) (int, string) {
	b.t.Helper()
	status, _, page := b.do("GET", "/ui/executions/"+id, nil)
	if status != http.StatusOK {
		b.t.Fatalf("the execution page: %d", status)
	}
	form := url.Values{"confirm": {"yes"}, "force": {"yes"}}
	if m := e2eCSRFRE.FindStringSubmatch(page); m != nil {
		form.Set("csrf", m[1])
	}
	status, loc, _ := b.do("POST", "/ui/executions/"+id+"/replay", form)
	return status, loc
}

// replaceFile replaces path by content with a rename, as editors and
// `install` do.
func replaceFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path+".new", []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
}

// consoleAudits returns the audit records of the console's replays.
func consoleAudits(p *process) []map[string]any {
	var out []map[string]any
	for _, rec := range p.out.records() {
		if a, ok := rec["audit"].(map[string]any); ok && rec["msg"] == "admin action" && a["method"] == "console" {
			out = append(out, a)
		}
	}
	return out
}

// TestE2EConsoleSessionsFollowTheTokenFile: a console session is only as
// good as its token is now. Deleting the token's line ends the session at
// the next request; changing its role changes what the session may do at
// once, and the audit records the role it has now.
func TestE2EConsoleSessionsFollowTheTokenFile(t *testing.T) {
	e := newEdge(t)
	reader, readLine := e.createToken("grafana", "read")
	operator, opLine := e.createToken("alice", "operate")
	promoted, promotedLine := e.createToken("bob", "read")
	file := filepath.Join(e.dir, "admin-tokens")
	replaceFile(t, file, readLine+"\n"+opLine+"\n"+promotedLine+"\n")
	e.start("--admin-token-file", file)
	id := e.invoke(http.DefaultClient, "http://"+e.addr)
	eventually(t, "the execution to succeed", func() bool {
		_, body := adminRequest(t, http.DefaultClient, "GET", "http://"+e.admin+"/api/v1/executions/"+id, reader)
		return strings.Contains(body, `"status": "succeeded"`)
	})
	grafana, alice, bob := e.browser(), e.browser(), e.browser()
	grafana.login(reader)
	alice.login(operator)
	bob.login(promoted)
	for name, b := range map[string]*consoleBrowser{"grafana": grafana, "alice": alice, "bob": bob} {
		if status, _, _ := b.do("GET", "/ui/executions/"+id, nil); status != http.StatusOK {
			t.Fatalf("%s's session before the change: %d, want 200", name, status)
		}
	}

	// grafana is revoked, alice demoted to read, bob promoted to operate.
	replaceFile(t, file, strings.Replace(opLine, " operate ", " read ", 1)+"\n"+strings.Replace(promotedLine, " read ", " operate ", 1)+"\n")

	status, loc, _ := grafana.do("GET", "/ui/executions/"+id, nil)
	if status != http.StatusSeeOther || !strings.HasPrefix(loc, "/ui/login") {
		t.Errorf("a revoked token's session: GET %d to %q, want 303 to the login page", status, loc)
	}
	if status, _, _ := grafana.do("GET", "/ui/executions/"+id, nil); status != http.StatusSeeOther {
		t.Errorf("a revoked token's session, again: %d, want 303", status)
	}
	if status, _, _ := grafana.do("POST", "/ui/executions/"+id+"/replay", url.Values{"confirm": {"yes"}, "force": {"yes"}}); status != http.StatusUnauthorized {
		t.Errorf("a revoked token's session: POST replay %d, want 401", status)
	}
	if status, _, page := alice.do("GET", "/ui/executions/"+id, nil); status != http.StatusOK || !strings.Contains(page, "alice (read)") || e2eCSRFRE.MatchString(page) {
		t.Errorf("a demoted operator's page: %d, want 200 for alice (read) without the replay form", status)
	}
	if status, _ := alice.replay(id); status != http.StatusForbidden {
		t.Errorf("a demoted operator's console replay: %d, want 403", status)
	}
	if status, loc := bob.replay(id); status != http.StatusSeeOther || !strings.Contains(loc, "msg=replay") {
		t.Errorf("a promoted reader's console replay: %d to %q, want 303 back to the execution", status, loc)
	}
	// The audit line reaches the log after the answer: wait for it.
	var bobs map[string]any
	eventually(t, "the audit line of bob's replay", func() bool {
		for _, a := range consoleAudits(e.p) {
			if a["principal"] == "bob" && a["outcome"] == "ok" {
				bobs = a
			}
		}
		return bobs != nil
	})
	if bobs["role"] != "operate" || bobs["target"] != id {
		t.Errorf("bob's replay is audited as %v, want role operate on %s", bobs, id)
	}
	for _, tok := range []string{reader, operator, promoted} {
		if strings.Contains(e.p.out.String(), tok) {
			t.Error("the log shows a token")
		}
	}
}

// TestE2EConsoleFailedAuthenticationIsLoggedAndCounted: a wrong bearer
// token on a console page and a console login with a wrong token are
// logged as rejected requests and counted in
// cardflow_requests_rejected_total, as on the admin API, without the token.
func TestE2EConsoleFailedAuthenticationIsLoggedAndCounted(t *testing.T) {
	e := newEdge(t)
	reader, readLine := e.createToken("grafana", "read")
	file := filepath.Join(e.dir, "admin-tokens")
	replaceFile(t, file, readLine+"\n")
	e.start("--admin-token-file", file)
	const guess = "cfadm_guessed-token-value"
	if status, _ := adminRequest(t, http.DefaultClient, "GET", "http://"+e.admin+"/ui/executions", guess); status != http.StatusUnauthorized {
		t.Errorf("a console page with a wrong bearer token: %d, want 401", status)
	}
	if status, _, _ := e.browser().do("POST", "/ui/login", url.Values{"token": {guess}}); status != http.StatusUnauthorized {
		t.Errorf("a console login with a wrong token: %d, want 401", status)
	}
	_, metrics := adminRequest(t, http.DefaultClient, "GET", "http://"+e.admin+"/metrics", reader)
	if want := `cardflow_requests_rejected_total{route="/ui",status="Unauthorized"} 2`; !strings.Contains(metrics, want) {
		t.Errorf("/metrics lacks %s", want)
	}
	// Log lines reach the log after the answers: wait for both.
	eventually(t, "401s logged as rejected requests on /ui/executions and /ui/login", func() bool {
		paths := map[string]bool{}
		for _, rec := range e.p.out.records() {
			if rec["msg"] == "request rejected" && rec["status"] == float64(http.StatusUnauthorized) {
				path, _ := rec["path"].(string)
				paths[path] = true
			}
		}
		return paths["/ui/executions"] && paths["/ui/login"]
	})
	if strings.Contains(e.p.out.String(), guess) {
		t.Error("the log shows the token tried")
	}
}
