package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
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

	addr  string // the address of the running process
	cur   *process
	runs  []*process
	hooks bool
}

// newE2E starts the emulators and prepares the flows and store; start runs
// cardflow.
func newE2E(t *testing.T) *e2e {
	t.Helper()
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	t.Parallel()
	e := &e2e{t: t, dir: t.TempDir()}
	e.flowDir = filepath.Join(e.dir, "flows")
	e.db = filepath.Join(e.dir, "cardflow.db")
	if err := copyOnboardingFlows(e.flowDir); err != nil {
		t.Fatal(err)
	}

	e.okta = oktaemu.New(oktaemu.Options{Token: e2eOktaToken})
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
	args := append([]string{"run", e.flowDir, "--listen", "127.0.0.1:0", "--db", e.db, "--var", "poll_interval=1s"}, e.extraArgs...)
	p := startProcess(e.t, args, e.environ())
	e.runs = append(e.runs, p)
	e.cur = p
	addr, err := p.waitServing(waitFor)
	if err != nil {
		e.t.Fatalf("cardflow run did not start serving: %v", err)
	}
	e.addr = addr
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
	return env
}

// url is the running process's URL for path.
func (e *e2e) url(path string) string { return "http://" + e.addr + path }

// getJSON GETs path from the running process into v and returns the status.
func (e *e2e) getJSON(path string, v any) (int, error) {
	resp, err := http.Get(e.url(path))
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
	status, err := e.getJSON("/api/v1/executions?"+q.Encode(), &out)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/executions: status %d, %v", status, err)
	}
	return out.Executions
}

// execution reads one execution with its journal.
func (e *e2e) execution(id string) server.ExecutionJSON {
	e.t.Helper()
	var ex server.ExecutionJSON
	status, err := e.getJSON("/api/v1/executions/"+id, &ex)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /api/v1/executions/%s: status %d, %v", id, status, err)
	}
	return ex
}

// finished reports whether an execution reached a final status.
func finished(ex server.ExecutionJSON) bool {
	return ex.Status != "pending" && ex.Status != "running"
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

// health reads /healthz.
func (e *e2e) health() healthJSON {
	e.t.Helper()
	var h healthJSON
	status, err := e.getJSON("/healthz", &h)
	if err != nil || status != http.StatusOK {
		e.t.Fatalf("GET /healthz: status %d, %v", status, err)
	}
	return h
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

// groupNames lists the names of an Okta user's groups.
func (e *e2e) groupNames(userID string) []string {
	var names []string
	for _, g := range e.okta.UserGroups(userID) {
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

// copyOnboardingFlows writes flows/onboarding into dir.
func copyOnboardingFlows(dir string) error {
	return fs.WalkDir(flows.Onboarding, ".", func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		data, err := flows.Onboarding.ReadFile(path)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
}

// request is one HTTP request an emulator (or the hook proxy) received.
type request struct {
	Method, Path string
	Start, End   time.Time // End is zero while the request is in flight
	Status       int
	// Reset is the X-Rate-Limit-Reset of a 429, as a time.
	Reset time.Time
}

// requestLog is an http.Handler that records the requests it passes on.
type requestLog struct {
	next http.Handler
	mu   sync.Mutex
	reqs []request
}

func (l *requestLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	i := len(l.reqs)
	l.reqs = append(l.reqs, request{Method: r.Method, Path: r.URL.Path, Start: time.Now()})
	l.mu.Unlock()
	sw := &statusWriter{ResponseWriter: w}
	l.next.ServeHTTP(sw, r)
	end := time.Now()
	var reset time.Time
	if sw.status == http.StatusTooManyRequests {
		var sec int64
		if _, err := fmt.Sscan(w.Header().Get("X-Rate-Limit-Reset"), &sec); err == nil {
			reset = time.Unix(sec, 0)
		}
	}
	l.mu.Lock()
	l.reqs[i].End, l.reqs[i].Status, l.reqs[i].Reset = end, sw.code(), reset
	l.mu.Unlock()
}

// all returns a copy of the requests so far.
func (l *requestLog) all() []request {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]request(nil), l.reqs...)
}

// count counts the requests that match.
func (l *requestLog) count(match func(request) bool) int {
	n := 0
	for _, r := range l.all() {
		if match(r) {
			n++
		}
	}
	return n
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// process is one run of the cardflow binary.
type process struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  *logLines
	done chan struct{}
	err  error // the result of Wait, once done is closed
}

func startProcess(t *testing.T, args []string, env []string) *process {
	t.Helper()
	p := &process{t: t, out: &logLines{}, done: make(chan struct{})}
	p.cmd = exec.Command(cardflowBin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	dieWithTest(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("starting cardflow: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p
}

// waitServing waits for the "serving" log line and returns its address.
func (p *process) waitServing(timeout time.Duration) (string, error) {
	deadline := time.After(timeout)
	for {
		for _, rec := range p.out.records() {
			if rec["msg"] == "serving" {
				if addr, ok := rec["addr"].(string); ok {
					return addr, nil
				}
			}
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("cardflow exited: %v", p.err)
		case <-deadline:
			return "", errors.New("no \"serving\" log line")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *process) state() string {
	if !p.exited() {
		return "running"
	}
	if p.err == nil {
		return "exit status 0"
	}
	return p.err.Error()
}

// kill sends SIGKILL and waits for the process to end.
func (p *process) kill() {
	_ = p.cmd.Process.Kill()
	<-p.done
}

// terminate sends SIGTERM and waits up to timeout for a clean exit.
func (p *process) terminate(timeout time.Duration) error {
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("still running %s after SIGTERM", timeout)
	}
}

// signal sends sig to the process.
func (p *process) signal(sig os.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatal(err)
	}
}

// logLines collects a process's output; its JSON log lines are parsed.
type logLines struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	part []byte
	recs []map[string]any
}

func (l *logLines) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(b)
	l.part = append(l.part, b...)
	for {
		i := bytes.IndexByte(l.part, '\n')
		if i < 0 {
			break
		}
		var rec map[string]any
		if json.Unmarshal(l.part[:i], &rec) == nil {
			l.recs = append(l.recs, rec)
		}
		l.part = l.part[i+1:]
	}
	return len(b), nil
}

func (l *logLines) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// records returns the JSON log records so far.
func (l *logLines) records() []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]map[string]any(nil), l.recs...)
}

// hasRecord reports whether a log record has msg.
func (l *logLines) hasRecord(msg string) bool {
	for _, r := range l.records() {
		if r["msg"] == msg {
			return true
		}
	}
	return false
}

// metric reads one sample of /metrics: name{labels} with the labels as the
// exposition format writes them (sorted by name). Absent samples are 0.
func (e *e2e) metric(name, labels string) float64 {
	e.t.Helper()
	resp, err := http.Get(e.url("/metrics"))
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
