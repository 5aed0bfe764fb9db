package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/flows"
)

// The credentials the child process gets through its environment.
const (
	e2eOktaToken  = "e2e-okta-token"
	e2eHookSecret = "e2e-hook-secret"
	e2eSNUser     = "svc.cardflow"
	e2eSNPassword = "cardflow-dev"
	e2eApprover   = "beth.anglin"
)

// waitFor bounds every wait of the end-to-end tests. It is long because a
// restarted process must wait for the dead one's 30 s execution lease.
const waitFor = 60 * time.Second

// e2e is one end-to-end environment: the Okta and ServiceNow emulators
// served over loopback by the test process, a copy of the onboarding flows,
// a store file, and the cardflow process (restartable on the same store;
// Okta delivers through a proxy that follows it to its new address).
type e2e struct {
	t *testing.T

	okta    *oktaemu.Emulator
	sn      *snemu.Emulator
	oktaLog *requestLog
	snLog   *requestLog
	// hookLog records the deliveries Okta makes to cardflow through hookURL,
	// a proxy to the running process (whose address changes on restart).
	hookLog *requestLog
	oktaURL string
	snURL   string
	hookURL string
	target  atomic.Pointer[url.URL]

	dir     string
	flowDir string
	db      string
	// extraArgs are added to every `cardflow run`.
	extraArgs []string
	// env overrides variables of environ() (a rotated token); "" unsets one.
	env map[string]string

	addr  string // the public address of the running process
	admin string // its admin address
	// adminToken, when set, is sent to the admin surface (a token file
	// is configured).
	adminToken string
	cur        *process
	runs       []*process
	hooks      bool
}

// newE2E starts the emulators and prepares the flows and store; start runs
// cardflow. okta changes the Okta emulator's options.
func newE2E(t *testing.T, okta ...func(*oktaemu.Options)) *e2e {
	t.Helper()
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	t.Parallel()
	e := &e2e{t: t, dir: t.TempDir()}
	e.flowDir = filepath.Join(e.dir, "flows")
	e.db = filepath.Join(e.dir, "cardflow.db")
	if err := flows.WriteOnboarding(e.flowDir); err != nil {
		t.Fatal(err)
	}

	opts := oktaemu.Options{Token: e2eOktaToken}
	for _, f := range okta {
		f(&opts)
	}
	e.okta = oktaemu.New(opts)
	if err := e.okta.Seed(e2eOktaSeed()); err != nil {
		t.Fatal(err)
	}
	e.oktaLog = &requestLog{next: e.okta}
	oktaSrv := httptest.NewServer(e.oktaLog)
	e.oktaURL = oktaSrv.URL

	e.sn = snemu.New(snemu.Options{})
	if err := e.sn.Seed(snemu.DemoSeed()); err != nil {
		t.Fatal(err)
	}
	e.snLog = &requestLog{next: e.sn}
	snSrv := httptest.NewServer(e.snLog)
	e.snURL = snSrv.URL

	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			if u := e.target.Load(); u != nil {
				r.SetURL(u)
			}
		},
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) { w.WriteHeader(http.StatusBadGateway) },
	}
	e.hookLog = &requestLog{next: proxy}
	hookSrv := httptest.NewServer(e.hookLog)
	e.hookURL = hookSrv.URL + "/hooks/okta/main"

	t.Cleanup(func() {
		if e.cur != nil {
			e.cur.kill()
		}
		e.okta.Close()
		hookSrv.Close()
		oktaSrv.Close()
		snSrv.Close()
		if t.Failed() {
			e.dumpLogs()
		}
	})
	return e
}

func (e *e2e) dumpLogs() {
	for i, p := range e.runs {
		e.t.Logf("--- stderr of cardflow run #%d (%s) ---\n%s", i+1, p.state(), p.out.String())
	}
}

// start runs `cardflow run` and waits until it serves. The first start
// registers the Okta event hook, which Okta verifies at once.
func (e *e2e) start() *process {
	e.t.Helper()
	if e.cur != nil && !e.cur.exited() {
		e.t.Fatal("start: cardflow is already running")
	}
	args := append([]string{"run", e.flowDir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--db", e.db, "--var", "poll_interval=1s"}, e.extraArgs...)
	p := startProcess(e.t, args, e.environ())
	e.runs = append(e.runs, p)
	e.cur = p
	addr, err := p.waitServing(waitFor)
	if err != nil {
		e.t.Fatalf("cardflow run did not start serving: %v", err)
	}
	e.addr = addr
	e.admin = p.servingAttr("admin_addr")
	e.target.Store(&url.URL{Scheme: "http", Host: addr})
	if !e.hooks {
		e.registerHook()
		e.hooks = true
	}
	return p
}

// registerHook registers the Okta event hook. Okta verifies it with a GET
// that times out after 3 s; on a loaded machine the verification is
// retried, as an admin would press "Verify" again.
func (e *e2e) registerHook() {
	e.t.Helper()
	id, err := e.okta.RegisterEventHook(oktaemu.EventHook{
		Name: "cardflow e2e", URI: e.hookURL, Secret: e2eHookSecret,
		EventTypes: []string{"user.lifecycle.create"},
	})
	for try := 1; err != nil && id != "" && try < 5; try++ {
		e.t.Logf("verifying the event hook (try %d): %v", try, err)
		err = e.okta.VerifyEventHook(id)
	}
	if err != nil {
		e.t.Fatalf("registering the event hook: %v", err)
	}
}

func (e *e2e) environ() []string {
	env := []string{
		"OKTA_ORG_URL=" + e.oktaURL,
		"OKTA_API_TOKEN=" + e2eOktaToken,
		"OKTA_EVENT_HOOK_SECRET=" + e2eHookSecret,
		"SERVICENOW_INSTANCE_URL=" + e.snURL,
		"SERVICENOW_USERNAME=" + e2eSNUser,
		"SERVICENOW_PASSWORD=" + e2eSNPassword,
		"NO_COLOR=1",
	}
	for _, k := range []string{"PATH", "HOME", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	out := env[:0]
	for _, kv := range env {
		if _, over := e.env[kv[:strings.IndexByte(kv, '=')]]; !over {
			out = append(out, kv)
		}
	}
	for k, v := range e.env {
		if v != "" {
			out = append(out, k+"="+v)
		}
	}
	return out
}

// url is the running process's URL for path on its public surface.
func (e *e2e) url(path string) string { return "http://" + e.addr + path }

// adminURL is the running process's URL for path on its admin surface
// (on loopback, so no token is needed).
func (e *e2e) adminURL(path string) string { return "http://" + e.admin + path }

// getJSON GETs url into v and returns the status.
func (e *e2e) getJSON(url string, v any) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	if e.adminToken != "" {
		req.Header.Set("Authorization", "Bearer "+e.adminToken)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if v == nil {
		return resp.StatusCode, nil
	}
	return resp.StatusCode, json.NewDecoder(resp.Body).Decode(v)
}

// executions lists the executions of flow (all flows when empty).
func (e *e2e) executions(flow string) []server.ExecutionJSON {
	e.t.Helper()
	var out struct {
		Executions []server.ExecutionJSON `json:"executions"`
	}
	q := url.Values{"limit": {"1000"}}
	if flow != "" {
		q.Set("flow", flow)
	}
	status, err := e.getJSON(e.adminURL("/api/v1/executions?"+q.Encode()), &out)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/executions: status %d, %v", status, err)
	}
	return out.Executions
}

// execution reads one execution with its journal.
func (e *e2e) execution(id string) server.ExecutionJSON {
	e.t.Helper()
	var ex server.ExecutionJSON
	status, err := e.getJSON(e.adminURL("/api/v1/executions/"+id), &ex)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/executions/%s: status %d, %v", id, status, err)
	}
	return ex
}

// finished reports whether an execution reached a final status.
func finished(ex server.ExecutionJSON) bool {
	return ex.Status != "pending" && ex.Status != "running" && ex.Status != "waiting"
}

// waitExecution waits for the execution of flow whose trigger mentions
// needle to finish, and returns it with its journal.
func (e *e2e) waitExecution(flow, needle string) server.ExecutionJSON {
	e.t.Helper()
	var id string
	eventually(e.t, fmt.Sprintf("a finished %s execution for %s", flow, needle), func() bool {
		for _, ex := range e.executionsFor(flow, needle) {
			if finished(ex) {
				id = ex.ID
				return true
			}
		}
		return false
	})
	return e.execution(id)
}

// executionsFor lists the executions of flow whose trigger mentions needle.
func (e *e2e) executionsFor(flow, needle string) []server.ExecutionJSON {
	var out []server.ExecutionJSON
	for _, ex := range e.executions(flow) {
		if bytes.Contains(ex.Trigger, []byte(needle)) {
			out = append(out, ex)
		}
	}
	return out
}

// health reads the health detail from the admin surface.
func (e *e2e) health() healthJSON {
	e.t.Helper()
	var h healthJSON
	status, err := e.getJSON(e.adminURL("/api/v1/health"), &h)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/health: status %d, %v", status, err)
	}
	return h
}

// publicHealth checks that the public /healthz answers code with
// {"status": status} and nothing else: no flow, no file, no diagnostics,
// no store error.
func (e *e2e) publicHealth(code int, status string) {
	e.t.Helper()
	resp, err := http.Get(e.url("/healthz"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		e.t.Fatalf("public /healthz: %v: %s", err, b)
	}
	if resp.StatusCode != code || len(got) != 1 || got["status"] != status {
		e.t.Errorf("public /healthz: %d %s, want %d and only {\"status\": %q}", resp.StatusCode, b, code, status)
	}
}

type healthJSON struct {
	Status             string `json:"status"`
	Generation         int    `json:"generation"`
	LastRejectedReload *struct {
		Diagnostics string `json:"diagnostics"`
	} `json:"last_rejected_reload"`
	Flows []struct {
		Name string `json:"name"`
		Hash string `json:"hash"`
	} `json:"flows"`
}

// newHire creates a staged Okta user, which Okta announces to cardflow with
// user.lifecycle.create, and waits for the approval incident cardflow opens.
func (e *e2e) newHire(first, last string) (userID string, incident map[string]string) {
	e.t.Helper()
	login := strings.ToLower(first+"."+last) + "@acme.example"
	u, err := e.okta.CreateUser(map[string]any{
		"firstName": first, "lastName": last, "email": login, "login": login,
		"department": "Finance", "manager": "per.olsen@acme.example",
	}, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return u.ID, e.waitIncident(u.ID)
}

// waitIncident waits for cardflow's incident for an Okta user.
func (e *e2e) waitIncident(userID string) map[string]string {
	e.t.Helper()
	var inc map[string]string
	eventually(e.t, "the approval incident of "+userID, func() bool {
		if found := e.sn.Find("incident", "correlation_id="+userID); len(found) > 0 {
			inc = found[0]
			return true
		}
		return false
	})
	return inc
}

// approve resolves an incident as the approver (state 6).
func (e *e2e) approve(sysID string) {
	e.t.Helper()
	if _, err := e.sn.Update("incident", sysID, e2eApprover, map[string]string{
		"state": "6", "close_code": "Solution provided", "close_notes": "Approved by the business owner.",
	}); err != nil {
		e.t.Fatal(err)
	}
}

// reject cancels an incident as the approver (state 8).
func (e *e2e) reject(sysID string) {
	e.t.Helper()
	if _, err := e.sn.Update("incident", sysID, e2eApprover, map[string]string{
		"state": "8", "close_code": "No resolution provided", "close_notes": "Rejected: no business need.",
	}); err != nil {
		e.t.Fatal(err)
	}
}

// waitIncidentState waits for an incident to reach state.
func (e *e2e) waitIncidentState(sysID, state string) map[string]string {
	e.t.Helper()
	var rec map[string]string
	eventually(e.t, "incident "+sysID+" in state "+state, func() bool {
		r, ok := e.sn.Get("incident", sysID)
		rec = r
		return ok && r["state"] == state
	})
	return rec
}

// waitPolls waits until both ServiceNow pollers have queried the incident
// table n more times, so that a change made before the call has been seen.
func (e *e2e) waitPolls(n int) {
	e.t.Helper()
	base := e.snLog.count(isIncidentPoll)
	eventually(e.t, fmt.Sprintf("%d more polls of the incident table", 2*n), func() bool {
		return e.snLog.count(isIncidentPoll) >= base+2*n
	})
}

func isIncidentPoll(r request) bool {
	return r.Method == http.MethodGet && r.Path == "/api/now/table/incident" && r.Status == http.StatusOK
}

// groupNames lists the names of the groups an Okta user was put in (every
// user is also in the built-in Everyone group, which is left out).
func (e *e2e) groupNames(userID string) []string {
	var names []string
	for _, g := range e.okta.UserGroups(userID) {
		if g.Type == "BUILT_IN" {
			continue
		}
		names = append(names, g.Profile.Name)
	}
	return names
}

// appLabels lists the labels of the apps among labels assigned to a user.
func (e *e2e) appLabels(userID string, labels ...string) []string {
	var out []string
	for _, l := range labels {
		for _, u := range e.okta.AppUsers(l) {
			if u.ID == userID {
				out = append(out, l)
			}
		}
	}
	return out
}

// cardAttempts counts an execution's journal entries per card (for_each
// items count separately).
func cardAttempts(ex server.ExecutionJSON) map[string]int {
	n := map[string]int{}
	for _, c := range ex.Cards {
		n[c.Card]++
	}
	return n
}

// eventually polls cond until it holds or waitFor passes.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", waitFor, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func e2eOktaSeed() oktaemu.Seed {
	return oktaemu.Seed{
		Groups: []oktaemu.SeedGroup{
			{Name: "Employees", Description: "Everyone employed by Acme"},
			{Name: "VPN Users", Description: "Remote access"},
			{Name: "Finance", Description: "Finance department"},
		},
		Apps: []oktaemu.SeedApp{
			{Name: "slack", Label: "Slack"},
			{Name: "zoom", Label: "Zoom"},
			{Name: "salesforce", Label: "Salesforce"},
		},
		Users: []oktaemu.SeedUser{{
			Profile: map[string]any{"firstName": "Per", "lastName": "Olsen", "email": "per.olsen@acme.example", "login": "per.olsen@acme.example", "department": "Finance"},
			Groups:  []string{"Employees", "Finance"},
			Apps:    []string{"Slack"},
		}},
	}
}

// metric reads one sample of /metrics: name{labels} with the labels as the
// exposition format writes them (sorted by name). Absent samples are 0.
func (e *e2e) metric(name, labels string) float64 {
	e.t.Helper()
	resp, err := http.Get(e.adminURL("/metrics"))
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	prefix := name + "{" + labels + "} "
	if labels == "" {
		prefix = name + " "
	}
	for _, line := range strings.Split(string(body), "\n") {
		if v, ok := strings.CutPrefix(line, prefix); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				e.t.Fatalf("metric %s: %v", line, err)
			}
			return f
		}
	}
	return 0
}

// checkNoSecrets checks that no credential reached the logs or the
// history API (executions with their journals).
func (e *e2e) checkNoSecrets() {
	e.t.Helper()
	var texts []string
	for _, p := range e.runs {
		texts = append(texts, p.out.String())
	}
	for _, ex := range e.executions("") {
		full, err := json.Marshal(e.execution(ex.ID))
		if err != nil {
			e.t.Fatal(err)
		}
		texts = append(texts, string(full))
	}
	for _, secret := range []string{e2eOktaToken, e2eHookSecret, e2eSNPassword} {
		for _, text := range texts {
			if strings.Contains(text, secret) {
				e.t.Errorf("the secret %q leaked into logs or history", secret)
				break
			}
		}
	}
}
