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
	"time"

	"github.com/cardflow/cardflow/flows"
)

//go:embed flows/connections.hcl
var benchFlows embed.FS

// The credentials the harness gives the emulators and the engine.
const (
	oktaToken  = "bench-okta-token"
	hookSecret = "bench-hook-secret"
	snowUser   = "bench"
	snowPass   = "bench-password"
	flowName   = "request_approval"
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
	engine   *proc
	oktaURL  string
	snowURL  string
	engURL   string
	adminURL string // the admin surface: /metrics, profiles
	users    []user
	client   *http.Client // the harness's control requests (not the load)
}

func (b *bench) logf(format string, args ...any) {
	if !b.opts.Quiet {
		fmt.Fprintf(b.log, "cardflow-bench: "+format+"\n", args...)
	}
}

// run is one run: its processes are stopped when it returns.
func (b *bench) run(ctx context.Context) (*result, error) {
	b.opts.Users = b.opts.userCount()
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
	if err := b.startEngine(ctx); err != nil {
		return nil, err
	}
	res := &result{Mode: b.opts.mode(), Workers: b.opts.Workers, Users: len(b.users)}
	if err := b.measure(ctx, res); err != nil {
		return nil, err
	}
	b.logf("stopping the engine")
	if err := b.engine.stop(30 * time.Second); err != nil {
		b.logf("engine: %v", err)
	}
	b.logf("verifying: executions in %s, incidents in the ServiceNow emulator", b.dbPath)
	if err := b.verify(ctx, res); err != nil {
		return nil, err
	}
	return res, nil
}

// stopProcs stops the run's processes, the engine first.
func (b *bench) stopProcs() {
	for _, p := range []*proc{b.engine, b.snow, b.okta} {
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
	// The flow under test is the product's own request_approval, with the
	// benchmark's connections (raised rate limits) beside it.
	files := map[string][]byte{}
	for _, name := range []string{"request_approval.hcl", "variables.hcl"} {
		data, err := flows.Onboarding.ReadFile("onboarding/" + name)
		if err != nil {
			return err
		}
		files[name] = data
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
	var addr string
	var err error
	if b.okta, addr, err = b.kids.start(ctx, "okta emulator", b.opts.Bin, nil, args...); err != nil {
		return err
	}
	b.oktaURL = "http://" + addr
	if b.snow, addr, err = b.kids.start(ctx, "servicenow emulator", b.opts.Bin, nil,
		"emulate", "servicenow", "--listen", "127.0.0.1:0", "--user", snowUser, "--password", snowPass); err != nil {
		return err
	}
	b.snowURL = "http://" + addr
	b.logf("emulators: okta %s (pid %d), servicenow %s (pid %d)", b.oktaURL, b.okta.pid(), b.snowURL, b.snow.pid())
	return nil
}

func (b *bench) startEngine(ctx context.Context) error {
	env := []string{
		"OKTA_ORG_URL=" + b.oktaURL, "OKTA_API_TOKEN=" + oktaToken, "OKTA_EVENT_HOOK_SECRET=" + hookSecret,
		"SERVICENOW_INSTANCE_URL=" + b.snowURL, "SERVICENOW_USERNAME=" + snowUser, "SERVICENOW_PASSWORD=" + snowPass,
	}
	args := []string{"run", b.flowsDir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--db", b.dbPath,
		"--workers", strconv.Itoa(b.opts.Workers), "--log-level", "info"}
	if b.opts.Pprof != "" {
		args = append(args, "--pprof")
	}
	var addr string
	var err error
	if b.engine, addr, err = b.kids.start(ctx, "cardflow run", b.opts.Bin, env, args...); err != nil {
		return err
	}
	b.engURL = "http://" + addr
	// The "serving" line that named addr names the admin surface too.
	m := adminAddrRe.FindStringSubmatch(b.engine.log.String())
	if m == nil {
		return fmt.Errorf("cardflow run did not name its admin address\n%s", b.engine.log.String())
	}
	b.adminURL = "http://" + m[1]
	if err := b.waitHealthy(ctx); err != nil {
		return err
	}
	b.logf("engine: %s (pid %d), db %s, %d workers", b.engURL, b.engine.pid(), b.dbPath, b.opts.Workers)
	return nil
}

func (b *bench) waitHealthy(ctx context.Context) error {
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if h, err := b.health(ctx); err == nil && h.Status == "ok" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("the engine did not become healthy\n%s", b.engine.log.String())
}
