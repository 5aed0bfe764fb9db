package main

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cardflow/cardflow/flows"
)

//go:embed flows/connections.hcl flows/incident.hcl
var benchFlows embed.FS

// The credentials the harness gives the emulators and the engine.
const (
	oktaToken  = "bench-okta-token"
	hookSecret = "bench-hook-secret"
	snowUser   = "bench"
	snowPass   = "bench-password"
)

// bench is one run of the harness.
type bench struct {
	opts *options
	kids *children
	log  io.Writer

	dir      string
	flowsDir string
	dbPath   string
	okta     *proc
	snow     *proc
	engines  []*engine // one, or -replicas on PostgreSQL
	oktaURL  string
	snowURL  string
	adminURL string // the first engine's admin surface: health, profiles
	storeURL string // the run's PostgreSQL database, if -postgres
	users    []user
	client   *http.Client // the harness's control requests (not the load)

	// ended counts the executions the engines ended, as their logs say
	// (finishedLine) and /metrics confirms: the closed loop sends a
	// delivery when it grows.
	ended      *progress
	endedLines atomic.Int64
}

// finishedMsg is in the JSON log line cardflow run writes when an
// execution ends (at --log-level info, which the harness runs it with),
// right after it counts the execution in cardflow_executions_total.
const finishedMsg = `"msg":"execution finished"`

// finishedLine counts the engines' "execution finished" lines. The log
// says an execution ended within the 10 ms the harness reads it in
// (pacedReader), where /metrics, polled every 50 ms so as not to load the
// engine, said it 25 ms late on average: the closed loop then kept fewer
// executions outstanding than it was asked to.
func (b *bench) finishedLine(line string) {
	if strings.Contains(line, finishedMsg) {
		b.ended.store(b.endedLines.Add(1))
	}
}

func (b *bench) logf(format string, args ...any) {
	if !b.opts.Quiet {
		fmt.Fprintf(b.log, "cardflow-bench: "+format+"\n", args...)
	}
}

// run is one run: its processes are stopped when it returns.
func (b *bench) run(ctx context.Context) (*result, error) {
	b.opts.Users = b.opts.userCount()
	b.ended = newProgress()
	b.endedLines.Store(0)
	if err := b.prepare(); err != nil {
		return nil, err
	}
	if b.opts.Dir == "" {
		defer os.RemoveAll(b.dir)
	}
	defer b.stopProcs() // before the directory goes
	b.client = &http.Client{Timeout: 30 * time.Second}
	if err := b.startEmulators(ctx); err != nil {
		return nil, err
	}
	if b.opts.Seed == "api" {
		if err := b.seedAPI(ctx); err != nil {
			return nil, err
		}
	}
	if b.opts.Postgres != "" {
		drop, err := b.createDatabase(ctx)
		if err != nil {
			return nil, err
		}
		defer drop()
	}
	for i := range b.opts.Replicas {
		if err := b.startEngine(ctx, i); err != nil {
			return nil, err
		}
	}
	res := &result{Mode: b.opts.mode(), Flow: b.opts.Flow, Workers: b.opts.Workers, Users: len(b.users), Postgres: b.storeURL != ""}
	if res.Postgres {
		if err := b.pgSize(ctx, &res.Disk.pgBase); err != nil {
			return nil, err
		}
	}
	if err := b.measure(ctx, res); err != nil {
		return nil, err
	}
	b.logf("stopping the engine")
	for _, e := range b.engines {
		if err := e.proc.stop(30 * time.Second); err != nil {
			b.logf("engine: %v", err)
		}
	}
	b.logf("verifying: executions in %s, incidents in the ServiceNow emulator", b.storeName())
	if err := b.verify(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

// stopProcs stops the run's processes, the engine first.
func (b *bench) stopProcs() {
	var ps []*proc
	for _, e := range b.engines {
		ps = append(ps, e.proc)
	}
	for _, p := range append(ps, b.snow, b.okta) {
		if p != nil {
			_ = p.stop(15 * time.Second)
		}
	}
}

// prepare writes the benchmark flows (and the seed file) to the work dir.
func (b *bench) prepare() error {
	b.dir = b.opts.Dir
	if b.dir == "" {
		d, err := os.MkdirTemp("", "cardflow-bench-")
		if err != nil {
			return err
		}
		b.dir = d
	} else if err := os.MkdirAll(b.dir, 0o755); err != nil {
		return err
	}
	b.flowsDir = filepath.Join(b.dir, "flows")
	b.dbPath = filepath.Join(b.dir, "bench.db")
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(b.dbPath + suffix); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	if err := os.MkdirAll(b.flowsDir, 0o755); err != nil {
		return err
	}
	// The flow under test is the product's own request_approval, or the
	// incident job, with the benchmark's connections (raised rate limits)
	// beside it.
	files := map[string][]byte{}
	for _, name := range []string{"request_approval.hcl", "variables.hcl"} {
		if b.opts.Flow != "request_approval" {
			break
		}
		data, err := flows.Onboarding.ReadFile("onboarding/" + name)
		if err != nil {
			return err
		}
		files[name] = data
	}
	if b.opts.Flow == "incident" {
		data, err := benchFlows.ReadFile("flows/incident.hcl")
		if err != nil {
			return err
		}
		files["incident.hcl"] = data
	}
	conns, err := benchFlows.ReadFile("flows/connections.hcl")
	if err != nil {
		return err
	}
	files["connections.hcl"] = conns
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(b.flowsDir, name), data, 0o644); err != nil {
			return err
		}
	}
	if b.opts.Seed == "file" {
		b.users = makeUsers(b.opts.Users)
		return writeSeed(filepath.Join(b.dir, "okta-seed.json"), b.users)
	}
	return nil
}

func (b *bench) startEmulators(ctx context.Context) error {
	args := []string{"emulate", "okta", "--listen", "127.0.0.1:0", "--token", oktaToken}
	if b.opts.Seed == "file" {
		args = append(args, "--seed", filepath.Join(b.dir, "okta-seed.json"))
	}
	snowArgs := []string{"emulate", "servicenow", "--listen", "127.0.0.1:0", "--user", snowUser, "--password", snowPass}
	if b.opts.PprofEmu != "" {
		args, snowArgs = append(args, "--pprof"), append(snowArgs, "--pprof")
	}
	var addr string
	var err error
	if b.okta, addr, err = b.kids.start(ctx, "okta emulator", b.opts.Bin, nil, nil, args...); err != nil {
		return err
	}
	b.oktaURL = "http://" + addr
	if b.snow, addr, err = b.kids.start(ctx, "servicenow emulator", b.opts.Bin, nil, nil, snowArgs...); err != nil {
		return err
	}
	b.snowURL = "http://" + addr
	b.logf("emulators: okta %s (pid %d), servicenow %s (pid %d)", b.oktaURL, b.okta.pid(), b.snowURL, b.snow.pid())
	return nil
}

// engine is one cardflow run process.
type engine struct {
	proc     *proc
	url      string // hooks
	adminURL string // health, /metrics, profiles
}

// storeName says where the run's executions are.
func (b *bench) storeName() string {
	if b.storeURL != "" {
		return "the PostgreSQL database " + b.storeURL
	}
	return b.dbPath
}

// startEngine starts replica i of cardflow run.
func (b *bench) startEngine(ctx context.Context, i int) error {
	env := []string{
		"OKTA_ORG_URL=" + b.oktaURL, "OKTA_API_TOKEN=" + oktaToken, "OKTA_EVENT_HOOK_SECRET=" + hookSecret,
		"SERVICENOW_INSTANCE_URL=" + b.snowURL, "SERVICENOW_USERNAME=" + snowUser, "SERVICENOW_PASSWORD=" + snowPass,
	}
	args := []string{"run", b.flowsDir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0",
		"--workers", strconv.Itoa(b.opts.Workers), "--log-level", "info"}
	if b.storeURL != "" {
		args = append(args, "--store", b.storeURL)
	} else {
		args = append(args, "--db", b.dbPath)
	}
	if b.opts.Pprof != "" {
		args = append(args, "--pprof")
	}
	p, addr, err := b.kids.start(ctx, "cardflow run", b.opts.Bin, env, b.finishedLine, args...)
	if err != nil {
		return err
	}
	e := &engine{proc: p, url: "http://" + addr}
	// The "serving" line that named addr names the admin surface too.
	m := adminAddrRe.FindStringSubmatch(p.log.String())
	if m == nil {
		return fmt.Errorf("cardflow run did not name its admin address\n%s", p.log.String())
	}
	e.adminURL = "http://" + m[1]
	b.engines = append(b.engines, e)
	if i == 0 {
		b.adminURL = e.adminURL
	}
	if err := b.waitHealthy(ctx, e); err != nil {
		return err
	}
	b.logf("engine %d: %s (pid %d), store %s, %d workers", i+1, e.url, p.pid(), b.storeName(), b.opts.Workers)
	return nil
}

func (b *bench) waitHealthy(ctx context.Context, e *engine) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if h, err := b.healthOf(ctx, e.adminURL); err == nil && h.Status == "ok" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the engine did not become healthy\n%s", e.proc.log.String())
}
