package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/hashicorp/hcl/v2"
)

// Options configure an Engine.
type Options struct {
	Registry *connector.Registry
	Store    store.Store
	Paths    []string
	Vars     lang.VarValues
	Host     lang.Host
	Logger   *slog.Logger
	// Owner names this process in claims and leases.
	Owner string
	// Workers bounds concurrent executions.
	Workers int
	// Lease is how long a claim on an execution lasts unless renewed (the
	// pool renews it while the execution runs); 0: 30 s.
	Lease time.Duration
	// InboxLimit is the number of pending executions above which intake
	// answers 503 with Retry-After.
	InboxLimit int
	// AckWait is how long an event hook delivery or endpoint call that
	// finds every worker busy is held waiting for one before its event is
	// written to the inbox and acknowledged: flow control under overload
	// (see trigger.Intake.AckWait). 0: never held.
	AckWait time.Duration
	// Drain is how long Run waits for running executions on shutdown.
	Drain time.Duration
	// Invoker replaces action calls (dry runs, tests).
	Invoker runtime.Invoker
	// Retention deletes old history while Run runs; the zero value keeps
	// it forever.
	Retention Retention
}

// Engine runs generations of flows: it serves pushed events, runs pollers,
// executes, and swaps generations on reload.
type Engine struct {
	opts     Options
	log      *slog.Logger
	gen      atomic.Pointer[plan.Generation]
	genNum   atomic.Int64
	clients  *runtime.Clients
	exec     *runtime.Executor
	pool     *runtime.Pool
	triggers *trigger.Manager
	intake   *trigger.Intake
	metrics  *Metrics
	srv      *server.Server

	storeHealth storeHealth

	// reloadMu serializes reloads, so that a reload that read older files
	// never activates after one that read newer files.
	reloadMu sync.Mutex

	mu       sync.Mutex
	pinned   map[string]*plan.Flow // by definition hash
	rejected string                // diagnostics of the last rejected reload
	// rejectedDiags are the same, for the console's summaries.
	rejectedDiags hcl.Diagnostics
	rejectedAt    time.Time
	loadedAt      time.Time
	// warnings are those of the running generation's flows.
	warnings hcl.Diagnostics
	runCtx   context.Context
}

// New returns an engine; call Reload to load flows and Run to serve.
func New(opts Options) *Engine {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if opts.InboxLimit <= 0 {
		opts.InboxLimit = 100_000
	}
	if opts.Drain <= 0 {
		opts.Drain = 10 * time.Second
	}
	if opts.Host.LookupEnv == nil {
		opts.Host = lang.DefaultHost()
	}
	e := &Engine{opts: opts, log: opts.Logger, clients: runtime.NewClients(), pinned: map[string]*plan.Flow{}}
	e.storeHealth.log = opts.Logger
	e.storeHealth.claims.what, e.storeHealth.reads.what = "claiming executions", "counting the inbox"
	e.intake = &trigger.Intake{Store: opts.Store, Generation: e.Generation, Limit: opts.InboxLimit,
		AckWait: opts.AckWait,
		Health:  intakeHealth{h: &e.storeHealth, st: opts.Store}}
	e.metrics = newMetrics(func() float64 { return float64(e.intake.Depth()) })
	if ws, ok := opts.Store.(store.WriteCounter); ok {
		e.metrics.reg.MustRegister(newStoreCollector(ws))
	}
	e.intake.Observer = e.metrics
	endings := &runtime.Endings{}
	e.exec = &runtime.Executor{Store: opts.Store, Intake: e.intake, Clients: e.clients, Logger: opts.Logger, Observer: e.metrics, Invoker: opts.Invoker, Endings: endings}
	e.pool = &runtime.Pool{Executor: e.exec, Resolver: e, Owner: opts.Owner, Workers: opts.Workers, Lease: opts.Lease, Logger: opts.Logger,
		Claims: claimHealth{h: &e.storeHealth}}
	e.intake.Workers = e.pool
	e.triggers = &trigger.Manager{Store: opts.Store, Intake: e.intake, Clients: e.clients, Logger: opts.Logger, Owner: opts.Owner, Observer: e.metrics}
	e.srv = &server.Server{Backend: e, Intake: e.intake, Logger: opts.Logger, Observer: e.metrics, Metrics: e.metrics.Handler(), Endings: endings}
	return e
}

// Handler is the engine's public HTTP handler: event hooks, endpoint flows
// and /healthz.
func (e *Engine) Handler() http.Handler { return e.srv.Handler() }

// Admin returns the engine's admin surface (history API, replays, health
// detail, metrics, profiles), on which more admin handlers (the console)
// can be mounted. Serve it on its own listener.
func (e *Engine) Admin(opts server.AdminOptions) *server.Admin { return e.srv.Admin(opts) }

// Generation implements server.Backend.
func (e *Engine) Generation() *plan.Generation { return e.gen.Load() }

// Client implements server.Backend.
func (e *Engine) Client(conn *plan.Connection) (connector.Client, error) { return e.clients.Get(conn) }

// Store implements server.Backend.
func (e *Engine) Store() store.Store { return e.opts.Store }

// Enqueue hands events from outside to the engine's intake, as a pushed
// event is: refused over the inbox limit (trigger.ErrBusy) or while the
// store cannot keep events (trigger.ErrStoreUnavailable), and claimed for
// idle workers in its own write.
func (e *Engine) Enqueue(ctx context.Context, events []store.Event) ([]store.Enqueued, error) {
	return e.intake.Push(ctx, events)
}

// Reload loads the flow files and, when they are valid, activates them.
// When they are not, the running generation stays and the diagnostics are
// kept for the health detail (GET /api/v1/health) and returned.
func (e *Engine) Reload(ctx context.Context) (hcl.Diagnostics, error) {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	gen, _, diags := Load(e.opts.Paths, LoadOptions{Registry: e.opts.Registry, Vars: e.opts.Vars, Mode: lang.Live, Host: e.opts.Host})
	if diags.HasErrors() {
		e.mu.Lock()
		e.rejected, e.rejectedAt, e.rejectedDiags = diagnosticLines(diags, hcl.DiagError, false), time.Now().UTC(), diags
		e.mu.Unlock()
		e.metrics.reloads.WithLabelValues("rejected").Inc()
		if e.gen.Load() != nil {
			e.log.Error("reload rejected: the running flows stay; cardflow validate shows the diagnostics in full",
				"generation", e.genNum.Load(), "diagnostics", diagnosticLines(diags, hcl.DiagError, true))
		}
		return diags, errors.New("the flow files are not valid")
	}
	if err := e.activate(ctx, gen); err != nil {
		return diags, err
	}
	var warnings hcl.Diagnostics
	for _, d := range diags {
		if d.Severity == hcl.DiagWarning {
			warnings = append(warnings, d)
		}
	}
	e.mu.Lock()
	e.warnings = warnings
	e.mu.Unlock()
	if w := diagnosticLines(diags, hcl.DiagWarning, true); w != "" {
		e.log.Warn("the flows loaded with warnings; cardflow validate shows them in full",
			"generation", e.genNum.Load(), "warnings", w)
	}
	return diags, nil
}

// activate stores the generation's definitions and swaps it in.
func (e *Engine) activate(ctx context.Context, gen *plan.Generation) error {
	for _, f := range gen.Flows {
		if err := e.opts.Store.PutDefinition(ctx, f.Hash, gen.Snapshot); err != nil {
			return fmt.Errorf("storing definitions: %w", err)
		}
	}
	e.recordLegacyAliases(ctx, gen)
	e.mu.Lock()
	for _, f := range gen.Flows {
		e.pinned[f.Hash] = f
	}
	e.rejected, e.rejectedDiags = "", nil
	e.loadedAt = time.Now().UTC()
	runCtx := e.runCtx
	e.mu.Unlock()
	old := e.gen.Swap(gen)
	n := e.genNum.Add(1)
	e.metrics.generation.Set(float64(n))
	e.metrics.reloads.WithLabelValues("accepted").Inc()
	e.metrics.zeroFlowSeries(gen.Config.FlowNames())
	if runCtx != nil {
		e.triggers.Sync(runCtx, gen)
	}
	e.log.Info("flows loaded", "generation", n, "flows", strings.Join(gen.Config.FlowNames(), ","))
	if runCtx != nil {
		e.syncWebhooks(runCtx, gen)
	}
	// Clients of connections that changed close once no generation uses
	// them; executions pinned to the old generation reopen what they need.
	e.clients.Retain(gen, old)
	return nil
}

// Resolve implements runtime.Resolver: the flow an execution is pinned to.
func (e *Engine) Resolve(ctx context.Context, flow, hash string) (*plan.Flow, error) {
	gen := e.gen.Load()
	if gen == nil {
		return nil, errors.New("no flows loaded")
	}
	if hash == "" {
		f, ok := gen.Flows[flow]
		if !ok {
			return nil, cannotRunf("flow %q is not loaded", flow)
		}
		return f, nil
	}
	e.mu.Lock()
	f, ok := e.pinned[hash]
	e.mu.Unlock()
	if ok && f.Name == flow {
		return f, nil
	}
	f, err := e.fromSnapshot(ctx, flow, hash)
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	e.pinned[hash] = f
	e.mu.Unlock()
	return f, nil
}

// fromSnapshot recompiles a definition stored by an earlier process, or
// says why it cannot run (ErrCannotRun).
func (e *Engine) fromSnapshot(ctx context.Context, flow, hash string) (*plan.Flow, error) {
	r := &reproducer{defs: e.opts.Store, registry: e.opts.Registry, vars: e.opts.Vars, host: e.opts.Host, mode: lang.Live}
	return r.reproduce(ctx, flow, hash)
}

// Run serves until ctx is done: pollers, workers and the inbox gauge. On
// return, running executions were drained or released.
func (e *Engine) Run(ctx context.Context) error {
	if e.gen.Load() == nil {
		return errors.New("no flows loaded")
	}
	e.mu.Lock()
	e.runCtx = ctx
	e.mu.Unlock()
	e.triggers.Sync(ctx, e.gen.Load())
	e.syncWebhooks(ctx, e.gen.Load())
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		e.watchDepth(ctx)
	}()
	go func() {
		defer wg.Done()
		e.watchStore(ctx)
	}()
	go func() {
		defer wg.Done()
		e.prune(ctx, e.opts.Retention)
	}()
	err := e.pool.Run(ctx, e.opts.Drain)
	e.triggers.Stop()
	wg.Wait()
	e.clients.Close()
	return err
}

// watchDepth refreshes the inbox depth that intake checks. Whether the
// read works is also the store's health: it is made whether or not events
// arrive or workers are idle.
func (e *Engine) watchDepth(ctx context.Context) {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		e.storeHealth.started(&e.storeHealth.reads)
		n, err := e.opts.Store.Depth(ctx)
		if ctx.Err() == nil {
			e.storeHealth.ended(&e.storeHealth.reads, err, time.Now())
		}
		if err == nil {
			e.intake.SetDepth(n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Health implements server.Backend. Its Detail is a map[string]any.
func (e *Engine) Health() server.Health {
	gen := e.gen.Load()
	e.mu.Lock()
	defer e.mu.Unlock()
	h := map[string]any{
		"status":     "ok",
		"generation": e.genNum.Load(),
		"loaded_at":  e.loadedAt,
		"running":    e.pool.Running(),
		"inbox":      int64(e.intake.Depth()),
	}
	flows := []map[string]any{}
	if gen != nil {
		for _, name := range gen.Config.FlowNames() {
			f := gen.Flows[name]
			fl := map[string]any{"name": name, "hash": f.Hash, "enabled": f.Enabled}
			if f.Trigger != nil {
				fl["trigger"] = f.Trigger.Type
			}
			flows = append(flows, fl)
		}
	}
	h["flows"] = flows
	if e.rejected != "" {
		h["status"] = "degraded"
		h["last_rejected_reload"] = map[string]any{"at": e.rejectedAt, "diagnostics": e.rejected}
	}
	now := time.Now()
	h["store"] = e.storeHealth.view(now)
	if e.storeHealth.unavailable(now) != nil {
		h["status"] = "unavailable"
	}
	return server.Health{Status: h["status"].(string), Detail: h}
}

// IntakeRefused implements server.Backend: true while the store cannot
// keep events (intake refuses them) or cannot be reached (the pool's
// claims fail), so that /healthz (and /api/v1/health) answer 503 and a
// load balancer sends them elsewhere.
func (e *Engine) IntakeRefused() bool { return e.storeHealth.unavailable(time.Now()) != nil }

var _ server.Operations = (*Engine)(nil)

// ExecutionWoken implements server.Operations: the pool claims the woken
// execution now, not at its next poll.
func (e *Engine) ExecutionWoken() { e.pool.Wake() }

// ExecutionCanceled implements server.Operations.
func (e *Engine) ExecutionCanceled(flow string) { e.metrics.Canceled(flow) }
