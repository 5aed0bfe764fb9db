package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine/store/postgres/pgtest"
	"github.com/cardflow/cardflow/flows"
)

// replicasWait bounds the waits of the replica test: executions the killed
// replica held are claimed again after their 30 s lease, and its poller
// lease (15 s) must expire before another replica polls.
const replicasWait = 150 * time.Second

// TestE2EReplicas runs three `cardflow run` processes on one PostgreSQL
// database behind a round-robin balancer, kills the one that holds the
// poller leases with SIGKILL while hook deliveries keep arriving, and checks
// that every event completed exactly once and that one replica at a time
// polled ServiceNow for each flow.
func TestE2EReplicas(t *testing.T) {
	if testing.Short() || cardflowBin == "" {
		t.Skip("end-to-end test: runs the built binary (not with -short)")
	}
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("tells replicas apart through /proc: Linux only")
	}
	dbURL := pgtest.Database(t)
	t.Parallel()
	const users = 40
	c := newCluster(t, dbURL, 3)

	// The first half of the new hires, spread over the three replicas.
	// ServiceNow answers incident creations slowly meanwhile, so that the
	// replica killed below dies in the middle of executions.
	c.polls.slowCreate.Store(true)
	var ids []string
	for i := range users / 2 {
		ids = append(ids, c.newHire(i))
	}
	c.waitFor("every replica to serve a hook delivery", func() bool { return c.lb.servedByAll() })
	victim := c.pollerHolder("poller/provision_on_approval")
	pid := c.procs[victim].cmd.Process.Pid
	c.waitFor("the victim to run executions", func() bool {
		return c.count(fmt.Sprintf(`SELECT count(*) FROM executions WHERE status = 'running' AND owner LIKE '%%-%d'`, pid)) > 0
	})
	t.Logf("killing replica %d (pid %d), which holds the provision_on_approval poller lease and runs executions", victim, pid)
	killedAt := c.kill(victim)
	c.lb.markDead(victim)
	c.polls.slowCreate.Store(false)
	for i := users / 2; i < users; i++ {
		ids = append(ids, c.newHire(i))
	}

	// One incident per user, once the dead replica's executions have been
	// claimed again (after their lease) and finished; the business owner
	// approves each.
	c.waitFor("every request_approval execution finished", func() bool {
		return c.count(`SELECT count(*) FROM executions WHERE flow = 'request_approval' AND status IN ('pending', 'running')`) == 0 &&
			c.count(`SELECT count(*) FROM executions WHERE flow = 'request_approval'`) == len(ids)
	})
	incidents := map[string]string{} // user -> sys_id
	for _, id := range ids {
		found := c.sn.Find("incident", "correlation_id="+id)
		if len(found) != 1 {
			t.Fatalf("user %s has %d incidents, want 1: %v", id, len(found), found)
		}
		incidents[id] = found[0]["sys_id"]
	}
	for _, id := range ids {
		if _, err := c.sn.Update("incident", incidents[id], e2eApprover, map[string]string{
			"state": "6", "close_code": "Solution provided", "close_notes": "Approved by the business owner.",
		}); err != nil {
			t.Fatal(err)
		}
	}
	c.waitFor("every incident closed by cardflow", func() bool {
		for _, sysID := range incidents {
			if r, _ := c.sn.Get("incident", sysID); r["state"] != "7" {
				return false
			}
		}
		return true
	})
	c.waitFor("every execution finished", func() bool {
		return c.count(`SELECT count(*) FROM executions WHERE status IN ('pending', 'running')`) == 0
	})

	// Exactly once: one incident and one succeeded execution of each flow per user.
	for _, id := range ids {
		if n := len(c.sn.Find("incident", "correlation_id="+id)); n != 1 {
			t.Errorf("user %s has %d incidents, want 1", id, n)
		}
		// New hires have no password: activated, they wait PROVISIONED
		// for the welcome flow of Okta's email.
		if u, _ := c.okta.User(id); u.Status != "PROVISIONED" {
			t.Errorf("user %s is %s after approval, want PROVISIONED", id, u.Status)
		}
	}
	execs := c.executions()
	reclaimed := 0
	for _, flow := range []string{"request_approval", "provision_on_approval"} {
		for _, id := range ids {
			var got []string
			for _, ex := range execs {
				if ex.flow == flow && strings.Contains(ex.payload, id) {
					got = append(got, ex.status)
					if ex.claims > 1 {
						reclaimed++
					}
				}
			}
			if !slices.Equal(got, []string{"succeeded"}) {
				t.Errorf("%s executions for user %s: %v, want one that succeeded", flow, id, got)
			}
		}
	}
	if reclaimed == 0 {
		t.Errorf("no execution was claimed again after replica %d died in the middle of some", victim)
	}
	t.Logf("%d executions were claimed again after replica %d died; hook deliveries per replica: %v",
		reclaimed, victim, c.lb.counts())

	c.checkOnePoller(victim, killedAt)
}

// cluster is several cardflow replicas on one database, the emulators they
// talk to, and the balancer in front of them.
type cluster struct {
	t     *testing.T
	db    string
	okta  *oktaemu.Emulator
	sn    *snemu.Emulator
	polls *pollLog
	lb    *balancer
	procs []*process
}

func newCluster(t *testing.T, dbURL string, n int) *cluster {
	c := &cluster{t: t, db: dbURL, polls: &pollLog{}}
	c.okta = oktaemu.New(oktaemu.Options{Token: e2eOktaToken})
	if err := c.okta.Seed(e2eOktaSeed()); err != nil {
		t.Fatal(err)
	}
	oktaSrv := httptest.NewServer(c.okta)
	c.sn = snemu.New(snemu.Options{})
	if err := c.sn.Seed(snemu.DemoSeed()); err != nil {
		t.Fatal(err)
	}
	flowDir := filepath.Join(t.TempDir(), "flows")
	if err := flows.WriteOnboarding(flowDir); err != nil {
		t.Fatal(err)
	}
	// Every replica has the same configuration (a different one would be a
	// different definition, which the others could not resume). The
	// ServiceNow log tells replicas apart by the process that owns the
	// client end of each connection.
	snSrv := httptest.NewServer(&pollLogger{log: c.polls, next: c.sn})
	env := replicaEnv(oktaSrv.URL, snSrv.URL)
	for range n {
		args := []string{"run", flowDir, "--listen", "127.0.0.1:0", "--admin-listen", "", "--store", dbURL, "--var", "poll_interval=1s", "--watch=false"}
		p := startProcess(t, args, env)
		c.procs = append(c.procs, p)
		c.polls.register(p.cmd.Process.Pid)
	}
	t.Cleanup(func() {
		for _, p := range c.procs {
			p.kill()
		}
		c.okta.Close()
		oktaSrv.Close()
		snSrv.Close()
		if t.Failed() {
			for i, p := range c.procs {
				t.Logf("--- stderr of replica %d (%s) ---\n%s", i, p.state(), p.out.String())
			}
		}
	})
	var addrs []string
	for i, p := range c.procs {
		addr, err := p.waitServing(replicasWait)
		if err != nil {
			t.Fatalf("replica %d did not start serving: %v", i, err)
		}
		addrs = append(addrs, addr)
	}
	c.lb = newBalancer(addrs)
	lbSrv := httptest.NewServer(c.lb)
	t.Cleanup(lbSrv.Close)
	if _, err := c.okta.RegisterEventHook(oktaemu.EventHook{
		Name: "cardflow replicas", URI: lbSrv.URL + "/hooks/okta/main", Secret: e2eHookSecret,
		EventTypes: []string{"user.lifecycle.create"},
	}); err != nil {
		t.Fatalf("registering the event hook: %v", err)
	}
	return c
}

func replicaEnv(oktaURL, snURL string) []string {
	env := []string{
		"OKTA_ORG_URL=" + oktaURL,
		"OKTA_API_TOKEN=" + e2eOktaToken,
		"OKTA_EVENT_HOOK_SECRET=" + e2eHookSecret,
		"SERVICENOW_INSTANCE_URL=" + snURL,
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

// newHire creates a staged Okta user; Okta announces it with an event hook.
func (c *cluster) newHire(i int) string {
	c.t.Helper()
	login := fmt.Sprintf("hire%02d.replica@acme.example", i)
	u, err := c.okta.CreateUser(map[string]any{
		"firstName": "Hire", "lastName": fmt.Sprintf("Replica%02d", i), "email": login, "login": login,
		"department": "Finance", "manager": "per.olsen@acme.example",
	}, false)
	if err != nil {
		c.t.Fatal(err)
	}
	time.Sleep(20 * time.Millisecond)
	return u.ID
}

func (c *cluster) waitFor(what string, cond func() bool) {
	c.t.Helper()
	deadline := time.Now().Add(replicasWait)
	for !cond() {
		if time.Now().After(deadline) {
			c.t.Fatalf("timed out after %s waiting for %s", replicasWait, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *cluster) conn() *pgx.Conn {
	c.t.Helper()
	conn, err := pgx.Connect(context.Background(), c.db)
	if err != nil {
		c.t.Fatal(err)
	}
	return conn
}

func (c *cluster) count(sql string) int {
	c.t.Helper()
	conn := c.conn()
	defer conn.Close(context.Background())
	var n int
	if err := conn.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		c.t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// kill kills replica i with SIGKILL and returns when it was killed. It stops
// the replica first and learns every socket it has open, so that a poll it
// sent just before it died is still told apart from the survivors' (once it
// is dead, /proc no longer says whose the socket was). A poll it sent
// before it was stopped is handled before the returned time.
func (c *cluster) kill(i int) time.Time {
	c.t.Helper()
	p := c.procs[i]
	if err := p.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		c.t.Fatalf("stopping replica %d: %v", i, err)
	}
	c.polls.learnSockets(i)
	time.Sleep(200 * time.Millisecond)
	at := time.Now()
	p.kill()
	return at
}

// pollerHolder returns the replica holding the named lease.
func (c *cluster) pollerHolder(name string) int {
	c.t.Helper()
	var owner string
	c.waitFor("a holder of "+name, func() bool {
		conn := c.conn()
		defer conn.Close(context.Background())
		err := conn.QueryRow(context.Background(), `SELECT owner FROM leases WHERE name = $1 AND until > now()`, name).Scan(&owner)
		return err == nil
	})
	for i, p := range c.procs {
		if strings.HasSuffix(owner, fmt.Sprintf("-%d", p.cmd.Process.Pid)) {
			return i
		}
	}
	c.t.Fatalf("lease %s is held by %q, none of the replicas", name, owner)
	return -1
}

type execRow struct {
	flow, status, payload string
	claims                int
}

func (c *cluster) executions() []execRow {
	c.t.Helper()
	conn := c.conn()
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `SELECT flow, status, convert_from(payload, 'UTF8'), claims FROM executions`)
	if err != nil {
		c.t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (execRow, error) {
		var e execRow
		return e, r.Scan(&e.flow, &e.status, &e.payload, &e.claims)
	})
	if err != nil {
		c.t.Fatal(err)
	}
	return out
}

// checkOnePoller checks from the ServiceNow request log that each poller
// ran on one replica at a time: the first holder polled until it was killed
// (if it was the victim), then one survivor, which took over after the
// lease expired.
func (c *cluster) checkOnePoller(victim int, killedAt time.Time) {
	c.t.Helper()
	for _, state := range []string{"state=6", "state=8"} {
		polls := c.polls.matching(state)
		for _, p := range polls {
			if p.replica < 0 {
				c.t.Errorf("a poll with %s came from no replica", state)
			}
		}
		if len(polls) == 0 {
			c.t.Errorf("no polls for %s", state)
			continue
		}
		var stints []string // replica of each run of consecutive polls
		last := -1
		for _, p := range polls {
			if p.replica != last {
				stints = append(stints, fmt.Sprintf("replica %d from %s", p.replica, p.at.Format("15:04:05.000")))
				last = p.replica
			}
			if p.replica == victim && p.at.After(killedAt) {
				c.t.Errorf("the killed replica polled (%s) after it was killed", state)
			}
		}
		// The first holder kept the lease until it died; then one survivor.
		want := 1
		if polls[0].replica == victim {
			want = 2
		}
		if len(stints) != want {
			c.t.Errorf("polls with %s came from %v; want %d stint(s): one replica at a time, a new one only when the holder died", state, stints, want)
		}
		c.t.Logf("polls with %s: %d, by %v", state, len(polls), stints)
	}
}

// poll is one GET of the incident table.
type poll struct {
	replica int
	query   string
	at      time.Time
}

type pollLog struct {
	// slowCreate delays incident creations by a second.
	slowCreate atomic.Bool
	mu         sync.Mutex
	polls      []poll
	pids       []int          // of the replicas, by index
	ports      map[string]int // client port -> replica
}

func (l *pollLog) register(pid int) {
	l.mu.Lock()
	l.pids = append(l.pids, pid)
	l.mu.Unlock()
}

// replicaOf returns the replica whose socket has local port port, or -1.
// Linux only: it reads /proc.
func (l *pollLog) replicaOf(port string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	if r, ok := l.ports[port]; ok {
		return r
	}
	inode := socketInode(port)
	if inode == "" {
		return -1
	}
	for i, pid := range l.pids {
		fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
		for _, fd := range fds {
			if link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, fd.Name())); link == "socket:["+inode+"]" {
				if l.ports == nil {
					l.ports = map[string]int{}
				}
				l.ports[port] = i
				return i
			}
		}
	}
	return -1
}

// learnSockets records the local port of every TCP socket replica i has
// open, so that its requests are attributed to it after it died.
func (l *pollLog) learnSockets(i int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	inodes := map[string]bool{}
	fds, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", l.pids[i]))
	for _, fd := range fds {
		link, _ := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", l.pids[i], fd.Name()))
		if inode, ok := strings.CutPrefix(link, "socket:["); ok {
			inodes[strings.TrimSuffix(inode, "]")] = true
		}
	}
	if l.ports == nil {
		l.ports = map[string]int{}
	}
	for port, inode := range tcpSockets() {
		if inodes[inode] {
			l.ports[strconv.Itoa(port)] = i
		}
	}
}

// tcpSockets yields the local port and inode of each open TCP socket in
// /proc/net/tcp and tcp6 (not those in TIME_WAIT, whose inode is 0).
func tcpSockets() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
			data, _ := os.ReadFile(f)
			for _, line := range strings.Split(string(data), "\n") {
				fields := strings.Fields(line)
				if len(fields) <= 9 || fields[9] == "0" {
					continue
				}
				_, hexPort, _ := strings.Cut(fields[1], ":")
				port, err := strconv.ParseUint(hexPort, 16, 16)
				if err == nil && !yield(int(port), fields[9]) {
					return
				}
			}
		}
	}
}

// socketInode finds the inode of the TCP socket whose local port is port
// (decimal).
func socketInode(port string) string {
	p, err := strconv.Atoi(port)
	if err != nil {
		return ""
	}
	for local, inode := range tcpSockets() {
		if local == p {
			return inode
		}
	}
	return ""
}

func (l *pollLog) matching(sub string) []poll {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []poll
	for _, p := range l.polls {
		if strings.Contains(p.query, sub) {
			out = append(out, p)
		}
	}
	return out
}

// pollLogger records the incident-table GETs and the replica each came
// from, and slows incident creations down on demand.
type pollLogger struct {
	log  *pollLog
	next http.Handler
}

func (h *pollLogger) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet && r.URL.Path == "/api/now/table/incident" {
		_, port, _ := net.SplitHostPort(r.RemoteAddr)
		p := poll{replica: h.log.replicaOf(port), query: r.URL.Query().Get("sysparm_query"), at: time.Now()}
		h.log.mu.Lock()
		h.log.polls = append(h.log.polls, p)
		h.log.mu.Unlock()
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/now/table/incident" && h.log.slowCreate.Load() {
		time.Sleep(time.Second)
	}
	h.next.ServeHTTP(w, r)
}

// balancer is a round-robin HTTP load balancer that skips replicas it
// cannot reach, as any load balancer with health checks would.
type balancer struct {
	addrs  []string
	next   atomic.Uint32
	client *http.Client
	mu     sync.Mutex
	dead   map[int]bool
	served map[int]int
}

func newBalancer(addrs []string) *balancer {
	return &balancer{addrs: addrs, client: &http.Client{Timeout: 30 * time.Second}, dead: map[int]bool{}, served: map[int]int{}}
}

func (b *balancer) markDead(i int) {
	b.mu.Lock()
	b.dead[i] = true
	b.mu.Unlock()
}

func (b *balancer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	start := int(b.next.Add(1))
	for k := range b.addrs {
		i := (start + k) % len(b.addrs)
		b.mu.Lock()
		dead := b.dead[i]
		b.mu.Unlock()
		if dead {
			continue
		}
		req, err := http.NewRequestWithContext(r.Context(), r.Method, "http://"+b.addrs[i]+r.URL.RequestURI(), bytes.NewReader(body))
		if err != nil {
			continue
		}
		req.Header = r.Header.Clone()
		resp, err := b.client.Do(req)
		if err != nil {
			continue // killed: the next replica
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		_, _ = io.Copy(w, resp.Body)
		resp.Body.Close()
		if r.Method == http.MethodPost {
			b.mu.Lock()
			b.served[i]++
			b.mu.Unlock()
		}
		return
	}
	w.WriteHeader(http.StatusBadGateway)
}

func (b *balancer) servedByAll() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.served) == len(b.addrs)
}

func (b *balancer) counts() map[int]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := map[int]int{}
	for k, v := range b.served {
		out[k] = v
	}
	return out
}

// benchFlow is a five-card flow behind an endpoint: it measures what the
// engine and the store cost per execution, not a connector's latency.
const benchFlow = `flow "bench" {
  trigger "http.endpoint" {
    token = env("BENCH_TOKEN")
  }
  card "a" {
    action = text.compose
    text   = "a ${trigger.body.n}"
  }
  card "b" {
    action = text.compose
    text   = "b ${trigger.body.n}"
  }
  card "c" {
    action = text.compose
    text   = "c ${trigger.body.n}"
  }
  card "d" {
    action = text.compose
    text   = "d ${trigger.body.n}"
  }
  card "e" {
    action = text.compose
    text   = "e ${trigger.body.n}"
  }
}
`

// BenchmarkE2EReplicas measures executions/s of the built binary with 1, 2
// and 3 replicas on one PostgreSQL database: b.N invocations of a five-card
// endpoint flow, posted round-robin to the replicas by 32 clients, until
// every execution has succeeded. Replicas, clients and PostgreSQL share
// this machine's CPUs.
//
//	go test -run '^$' -bench E2EReplicas -benchtime 3000x ./cmd/cardflow/
func BenchmarkE2EReplicas(b *testing.B) {
	if cardflowBin == "" {
		b.Skip("runs the built binary (not with -short)")
	}
	for _, n := range []int{1, 2, 3} {
		b.Run(fmt.Sprintf("replicas=%d", n), func(b *testing.B) {
			dbURL := pgtest.Database(b)
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bench.hcl"), []byte(benchFlow), 0o644); err != nil {
				b.Fatal(err)
			}
			env := append(replicaEnv("http://127.0.0.1:1", "http://127.0.0.1:1"), "BENCH_TOKEN=bench")
			var addrs []string
			for range n {
				// Quiet logs (no line per execution), so the address is
				// chosen here and /healthz says when it serves.
				addr := freeAddr(b)
				p := startBenchProcess(b, []string{"run", dir, "--listen", addr, "--admin-listen", "", "--store", dbURL, "--watch=false", "--log-level", "warn"}, env)
				waitHealthy(b, p, addr)
				addrs = append(addrs, addr)
			}
			conn, err := pgx.Connect(context.Background(), dbURL)
			if err != nil {
				b.Fatal(err)
			}
			defer conn.Close(context.Background())
			b.ResetTimer()
			start := time.Now()
			postAll(b, addrs, b.N)
			for {
				var done int
				if err := conn.QueryRow(context.Background(), `SELECT count(*) FROM executions WHERE status = 'succeeded'`).Scan(&done); err != nil {
					b.Fatal(err)
				}
				if done == b.N {
					break
				}
				if time.Since(start) > 10*time.Minute {
					b.Fatalf("%d of %d executions succeeded after 10 minutes", done, b.N)
				}
				time.Sleep(20 * time.Millisecond)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "exec/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// postAll invokes the bench flow n times from 32 clients, round-robin over
// the replicas.
func postAll(b *testing.B, addrs []string, n int) {
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	tr := &http.Transport{MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: time.Minute}
	for range 32 {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				req, _ := http.NewRequest(http.MethodPost, "http://"+addrs[i%len(addrs)]+"/flows/bench/invoke", strings.NewReader(fmt.Sprintf(`{"n":%d}`, i)))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("X-Api-Client-Token", "bench")
				resp, err := client.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					b.Errorf("invoke: status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
}

// startBenchProcess starts cardflow for a benchmark and kills it when the
// benchmark ends.
func startBenchProcess(b *testing.B, args, env []string) *process {
	p := &process{out: &logLines{}, done: make(chan struct{})}
	p.cmd = exec.Command(cardflowBin, args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		b.Fatalf("starting cardflow: %v", err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	b.Cleanup(p.kill)
	return p
}

func freeAddr(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(b *testing.B, p *process, addr string) {
	deadline := time.Now().Add(replicasWait)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if p.exited() || time.Now().After(deadline) {
			b.Fatalf("replica on %s did not become healthy (%s):\n%s", addr, p.state(), p.out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
