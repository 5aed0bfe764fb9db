package flowtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// runOne executes one run block and checks its expectations.
func runOne(ctx context.Context, cfg *config.Config, file string, tr *config.TestRun, opts Options) *RunResult {
	start := time.Now()
	res := &RunResult{File: file, Name: tr.Name, Flow: tr.Flow, Passed: true, Calls: map[string]int{}, Range: tr.DeclRange}
	defer func() { res.Duration = time.Since(start) }()

	gen, flow, diags := compileRun(cfg, tr, opts.Registry)
	if diags.HasErrors() {
		res.fail(diags...)
		return res
	}
	env, diags := newRunEnv(gen, file, tr, opts)
	defer env.close()
	if diags.HasErrors() {
		res.fail(diags...)
		return res
	}
	payloads, trigger, diags := triggerPayloads(gen, flow, file, tr)
	if diags.HasErrors() {
		res.fail(diags...)
		return res
	}
	if diags := env.seedTables(ctx, tr); diags.HasErrors() {
		res.fail(diags...)
		return res
	}
	repeat, diags := evalCount(tr.Repeat, "repeat", 1)
	if diags.HasErrors() {
		res.fail(diags...)
		return res
	}
	// Each delivery (repeat) starts an execution per event it carries,
	// in order, as cardflow run does; asserts see the last.
	var last *engine.SingleResult
	for i := 1; i <= repeat; i++ {
		for _, payload := range payloads {
			out, err := env.run.Execute(ctx, flow, engine.SingleEvent{Key: fmt.Sprintf("flowtest-%d", res.Executions+1), Type: "flowtest", Payload: payload})
			if err != nil {
				res.fail(internal(tr, err))
				return res
			}
			last = out
			res.Executions++
			if ctx.Err() != nil {
				res.fail(&hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Run timed out",
					Detail:   fmt.Sprintf("The execution did not end within the run's time limit (%v); retry delays do not count, so a card waits on something else: a slow emulator, a helper flow, a deadlock.", ctx.Err()),
					Subject:  tr.DeclRange.Ptr(),
				})
				return res
			}
		}
	}
	result := last.Result
	res.Status = result.Status
	if result.Err != nil {
		res.Error = result.Err.Error()
	}
	res.Waited = env.clock.Slept()
	calls := env.inv.snapshot()
	for _, c := range calls {
		res.Calls[c.Action]++
	}
	problems := env.inv.problems()
	ex := &outcome{gen: gen, flow: flow, trigger: trigger, result: result, journal: last.Journal, calls: calls,
		// An unmocked call or a broken mock explains a failed execution
		// better than a status mismatch would.
		skipStatus: len(problems) > 0}
	res.fail(problems...)
	res.fail(ex.check(tr)...)
	engine.SortDiagnostics(res.Diagnostics)
	return res
}

// compileRun checks the configuration with the run's variables. Variables
// are compiled in, not patched afterwards, so that everything derived from
// them (for_each lists, trigger settings) sees the test's values.
func compileRun(cfg *config.Config, tr *config.TestRun, reg *connector.Registry) (*plan.Generation, *plan.Flow, hcl.Diagnostics) {
	vars, diags := runVariables(cfg, tr)
	if diags.HasErrors() {
		return nil, nil, diags
	}
	gen, d := plan.Compile(cfg, plan.Options{Registry: reg, Vars: vars, Mode: lang.Check, Host: testHost()})
	if d.HasErrors() {
		return nil, nil, lang.ErrorsOnly(d)
	}
	flow, ok := gen.Flows[tr.Flow]
	if !ok {
		return nil, nil, hcl.Diagnostics{unknownFlow(cfg, tr)}
	}
	if gen.Vars.Type().IsObjectType() {
		for name := range gen.Vars.Type().AttributeTypes() {
			if v := gen.Vars.GetAttr(name); !v.IsWhollyKnown() {
				diags = append(diags, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "No value for required variable",
					Detail:   fmt.Sprintf("The variable %q has no default: set it in this run, variables = { %s = … }.", name, name),
					Subject:  tr.DeclRange.Ptr(),
				})
			}
		}
	}
	return gen, flow, diags
}

// runVariables turns the run's variables argument into a variables file
// that the compiler reads like a --var-file.
func runVariables(cfg *config.Config, tr *config.TestRun) (lang.VarValues, hcl.Diagnostics) {
	if tr.Variables == nil {
		return lang.VarValues{}, nil
	}
	v, diags := tr.Variables.Value(&hcl.EvalContext{Functions: lang.Functions(lang.Check, testHost())})
	if diags.HasErrors() {
		return lang.VarValues{}, diags
	}
	if v.IsNull() || !(v.Type().IsObjectType() || v.Type().IsMapType()) || !v.IsWhollyKnown() {
		return lang.VarValues{}, hcl.Diagnostics{{
			Severity: hcl.DiagError,
			Summary:  "Invalid variables",
			Detail:   "variables is an object of variable values, such as { groups = [\"Employees\"] }.",
			Subject:  tr.Variables.Range().Ptr(),
		}}
	}
	f := hclwrite.NewEmptyFile()
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		name := k.AsString()
		decl, ok := cfg.Variables[name]
		if !ok {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Undeclared variable",
				Detail:   fmt.Sprintf("There is no variable %q.%s", name, didyoumean.Hint(name, connector.SortedKeys(cfg.Variables))),
				Subject:  tr.Variables.Range().Ptr(),
			})
			continue
		}
		if _, err := conformVar(ev, decl); err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Invalid variable value",
				Detail:   fmt.Sprintf("The value for %q does not fit its type %s: %s.", name, decl.Type.Type.FriendlyName(), err),
				Subject:  tr.Variables.Range().Ptr(),
			})
			continue
		}
		f.Body().SetAttributeValue(name, ev)
	}
	path := "run " + tr.Name + " variables"
	return lang.VarValues{Files: []string{path}, FileData: map[string][]byte{path: f.Bytes()}}, diags
}

// runEnv is what one run executes in: a fresh single run (its own store),
// clock, clients and emulators.
type runEnv struct {
	run     *engine.SingleRun
	clock   *fakeClock
	inv     *invoker
	clients *runtime.Clients
	closers []func()
}

func newRunEnv(gen *plan.Generation, file string, tr *config.TestRun, opts Options) (*runEnv, hcl.Diagnostics) {
	env := &runEnv{clock: newFakeClock(time.Now().UTC().Truncate(time.Second)), clients: runtime.NewClients()}
	env.closers = append(env.closers, env.clients.Close)
	emulated := map[string]bool{}
	var diags hcl.Diagnostics
	for _, eb := range tr.Emulators {
		d := env.startEmulator(gen, file, eb, opts.Emulators)
		diags = append(diags, d...)
		emulated[eb.Connector] = true
	}
	for _, conn := range gen.Connections {
		if !emulated[conn.Connector.Name] {
			// Every call on this connection is answered by a mock (or
			// refused): no client is ever used.
			env.clients.Provide(conn, stubClient{})
		}
	}
	env.inv = newInvoker(gen, tr, emulated, opts.Emulators, env.clock)
	env.run = engine.NewSingleRun(engine.SingleRunOptions{
		Clients: env.clients, Clock: env.clock, Invoker: env.inv,
		Rand: func(int64) int64 { return 0 },
		// Waits pass on the test's clock, which does not sleep: nothing
		// parks, and the test sees the execution to its end.
		ParkAfter: runtime.NeverPark,
	})
	env.closers = append(env.closers, func() { _ = env.run.Close() })
	return env, diags
}

func (env *runEnv) close() {
	for i := len(env.closers) - 1; i >= 0; i-- {
		env.closers[i]()
	}
}

type stubClient struct{}

func (stubClient) Close() error { return nil }

// startEmulator serves a connector's emulator on a loopback test server and
// points every connection of that connector at it.
func (env *runEnv) startEmulator(gen *plan.Generation, file string, eb *config.TestEmulator, emus map[string]Emulator) hcl.Diagnostics {
	emu, ok := emus[eb.Connector]
	if !ok {
		return hcl.Diagnostics{unknownEmulator(eb, emus)}
	}
	var seed []byte
	var path string
	if eb.SeedFile != nil {
		var diags hcl.Diagnostics
		path, diags = evalPath(eb.SeedFile, file, "seed_file")
		if diags.HasErrors() {
			return diags
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Cannot read seed file", Detail: err.Error(), Subject: eb.SeedFile.Range().Ptr()}}
		}
		seed = b
	}
	h, release, err := emu.New(seed)
	if err != nil {
		subject, detail := eb.DeclRange, err.Error()
		if eb.SeedFile != nil {
			subject, detail = eb.SeedFile.Range(), fmt.Sprintf("Seed file %s: %v.", path, err)
		}
		return hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid emulator seed", Detail: detail, Subject: subject.Ptr()}}
	}
	srv := httptest.NewServer(h)
	env.closers = append(env.closers, release, srv.Close)
	var diags hcl.Diagnostics
	for _, conn := range gen.Connections {
		if conn.Connector.Name != eb.Connector {
			continue
		}
		cfg, _ := engine.EmulatedConnection(conn.Config, emu.Connection(srv.URL)).UnmarkDeep()
		client, err := conn.Connector.Open(cfg)
		if err != nil {
			diags = append(diags, &hcl.Diagnostic{
				Severity: hcl.DiagError,
				Summary:  "Cannot connect to the emulator",
				Detail:   fmt.Sprintf("connection %s: %v", conn.Addr, err),
				Subject:  eb.DeclRange.Ptr(),
			})
			continue
		}
		env.clients.Provide(conn, client)
	}
	return diags
}

// seedTables writes the run's table rows before the first execution.
func (env *runEnv) seedTables(ctx context.Context, tr *config.TestRun) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, tb := range tr.Tables {
		rows, d := tableRows(env.inv.gen, tb)
		diags = append(diags, d...)
		for _, k := range connector.SortedKeys(rows) {
			g, err := connector.ToGo(rows[k])
			if err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Invalid table row", Detail: err.Error(), Subject: tb.Rows.Range().Ptr()})
				continue
			}
			b, _ := json.Marshal(g)
			if err := env.run.PutRow(ctx, tb.Name, k, b); err != nil {
				diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Cannot seed table", Detail: err.Error(), Subject: tb.DeclRange.Ptr()})
			}
		}
	}
	return diags
}

// evalPath evaluates a file path argument, relative to the test file.
func evalPath(expr hcl.Expression, file, what string) (string, hcl.Diagnostics) {
	v, diags := expr.Value(nil)
	if diags.HasErrors() {
		return "", diags
	}
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", hcl.Diagnostics{{Severity: hcl.DiagError, Summary: "Invalid " + what, Detail: what + " is a file path, relative to the test file.", Subject: expr.Range().Ptr()}}
	}
	p := v.AsString()
	if !filepath.IsAbs(p) {
		p = filepath.Join(filepath.Dir(file), p)
	}
	return p, nil
}

// staticContext evaluates test arguments that exist before the execution:
// var.* and the functions of flows.
func staticContext(gen *plan.Generation) *hcl.EvalContext {
	return &hcl.EvalContext{Variables: map[string]cty.Value{"var": gen.Vars}, Functions: gen.Funcs}
}

func internal(tr *config.TestRun, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Test run failed to execute", Detail: err.Error(), Subject: tr.DeclRange.Ptr()}
}
