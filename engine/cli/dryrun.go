package cli

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	oktaemu "github.com/cardflow/cardflow/connectors/okta/emulator"
	snemu "github.com/cardflow/cardflow/connectors/servicenow/emulator"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/runtime"
	"github.com/cardflow/cardflow/engine/seed"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/memory"
	"github.com/cardflow/cardflow/engine/trigger"
	"github.com/spf13/cobra"
	"github.com/zclconf/go-cty/cty"
)

// DryRunOptions are the inputs of cardflow dry-run.
type DryRunOptions struct {
	IO     *IOStreams
	F      *Factory
	Flow   string
	Event  string
	Seed   string
	Paths  []string
	Live   bool
	Format string
	Vars   varFlags
}

// NewCmdDryRun returns `cardflow dry-run`.
func NewCmdDryRun(f *Factory, runF func(*DryRunOptions) error) *cobra.Command {
	opts := &DryRunOptions{IO: f.IO, F: f}
	cmd := &cobra.Command{
		Use:   "dry-run FLOW --event FILE [PATH...]",
		Short: "Run one flow with every write intercepted and printed, reads served by the emulators",
		Example: `  # What request_approval would do for this Okta event
  cardflow dry-run request_approval --event flows/onboarding/testdata/user-created.json flows

  # The same as JSON, for a script
  cardflow dry-run request_approval --event flows/onboarding/testdata/user-created.json --format json flows`,
		Long: `Run one flow for one trigger event without side effects. Writes to Okta,
ServiceNow and other remote systems are intercepted: printed with their inputs,
never sent. Reads are served by the built-in emulators, seeded from --seed
(JSON: {"okta": {users, groups, apps}, "servicenow": {users, records, ...},
"tables": {"<table>": {"<key>": {row}}}}, or one emulator's seed alone; see
docs/seeds.md), or with --live by the tenants the environment configures
(still no writes). Flow tables live in memory. The output of an intercepted
write is not known: its strings read "(known after apply)".

--event is the trigger value as JSON ({"event": …} for Okta triggers, {"record":
…} for ServiceNow ones), or a whole Okta event hook delivery, whose first event
the trigger accepts is used. It is checked against the trigger's output type
first: a missing or mistyped field is named and the dry run exits 2. Exit
status 0 when the flow would succeed, 1 when it would fail.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flow, opts.Paths = args[0], args[1:]
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"flows"}
			}
			if opts.Event == "" {
				return exit(ExitUsage, errors.New("--event FILE is required"))
			}
			if opts.Format != "text" && opts.Format != "json" {
				return exit(ExitUsage, fmt.Errorf("--format is text or json, not %q", opts.Format))
			}
			if runF != nil {
				return runF(opts)
			}
			return dryRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Event, "event", "", "JSON file of the trigger event")
	cmd.Flags().StringVar(&opts.Seed, "seed", "", "JSON file seeding the emulators and flow tables")
	cmd.Flags().BoolVar(&opts.Live, "live", false, "read from the tenants configured by the environment (writes are still intercepted)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	opts.Vars.register(cmd.Flags())
	return cmd
}

// interceptedCall is a write the dry run did not send.
type interceptedCall struct {
	Card   string          `json:"card"`
	Action string          `json:"action"`
	Input  json.RawMessage `json:"input"`
}

type dryRunReport struct {
	FormatVersion string               `json:"format_version"`
	Flow          string               `json:"flow"`
	Mode          string               `json:"mode"`
	WouldSucceed  bool                 `json:"would_succeed"`
	Execution     server.ExecutionJSON `json:"execution"`
	Writes        []interceptedCall    `json:"intercepted_writes"`
	Diagnostics   []jsonDiagnostic     `json:"diagnostics"`
}

func dryRun(ctx context.Context, opts *DryRunOptions) error {
	ctx = orBackground(ctx)
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	mode := lang.Check
	if opts.Live {
		mode = lang.Live
	}
	gen, files, diags := engine.Load(opts.Paths, engine.LoadOptions{
		Registry: opts.F.Registry, Vars: opts.Vars.values(opts.IO), Mode: mode,
		Host: lang.Host{LookupEnv: opts.IO.LookupEnv},
	})
	if diags.HasErrors() {
		writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
		return exit(ExitFailed, errors.New("the flows are not valid"))
	}
	flow, ok := gen.Flows[opts.Flow]
	if !ok {
		return exit(ExitUsage, fmt.Errorf("there is no flow %q; flows: %s", opts.Flow, strings.Join(gen.Config.FlowNames(), ", ")))
	}
	var sf seed.File
	if opts.Seed != "" {
		var err error
		if sf, err = seed.Read(opts.Seed); err != nil {
			return exit(ExitUsage, fmt.Errorf("--seed: %w", err))
		}
	}
	st := memory.New()
	defer st.Close()
	if !opts.Live {
		stop, err := emulateConnections(gen, sf)
		if err != nil {
			return exit(ExitProblem, err)
		}
		defer stop()
	}
	if err := seedTables(ctx, st, gen, sf.Tables); err != nil {
		return exit(ExitUsage, err)
	}
	payload, err := dryRunEvent(opts.Event, flow)
	if err != nil {
		return exit(ExitUsage, err)
	}
	var mu sync.Mutex
	var writes []interceptedCall
	invoker := runtime.InvokeFunc(func(ctx context.Context, card *plan.Card, call *connector.Call) (cty.Value, error) {
		if card.Action.Effect != connector.Write || !card.Connector.HasConnection() {
			out, err := runtime.DirectInvoker(ctx, card, call)
			if w := (*connector.Wait)(nil); errors.As(err, &w) && call.Woke.IsZero() {
				// A dry run does not wait (flow.wait): it goes on as if
				// the time had come.
				call.Woke = w.Until
				if w.For > 0 {
					call.Woke = time.Now().Add(w.For)
				}
				out, err = runtime.DirectInvoker(ctx, card, call)
			}
			return out, err
		}
		in, _ := connector.ToGo(call.Input.Object())
		b, _ := json.Marshal(redactSchema(in, card.Action.Input))
		mu.Lock()
		writes = append(writes, interceptedCall{Card: card.Name, Action: card.Connector.Name + "." + card.Action.Name, Input: b})
		mu.Unlock()
		return placeholder(card.Action.Output), nil
	})
	// The dry run's event, and what its execution starts, go in as the
	// engine's do.
	intake := &trigger.Intake{Store: st}
	exec := &runtime.Executor{Store: st, Intake: intake, Invoker: invoker}
	res, err := intake.Submit(ctx, []store.Event{{Flow: flow.Name, DedupKey: "dry-run", Type: "dry-run", Payload: payload, ReceivedAt: time.Now().UTC()}})
	if err != nil {
		return exit(ExitProblem, err)
	}
	claimed, err := st.Claim(ctx, "dry-run", 1, time.Hour, store.ClaimOptions{})
	if err != nil || len(claimed) != 1 {
		return exit(ExitProblem, fmt.Errorf("claiming the dry-run execution: %v", err))
	}
	result := exec.Execute(ctx, claimed[0], flow)
	ex, _ := st.Execution(ctx, res[0].ID)
	journal, _ := st.Journal(ctx, res[0].ID)
	report := dryRunReport{
		FormatVersion: "1.0", Flow: flow.Name, Mode: "emulators",
		WouldSucceed: result.Status != store.Failed,
		Execution:    server.ExecutionView(ex, journal),
		Writes:       writes, Diagnostics: toJSONDiagnostics(files, diags),
	}
	if opts.Live {
		report.Mode = "live"
	}
	if report.Writes == nil {
		report.Writes = []interceptedCall{}
	}
	if opts.Format == "json" {
		if err := writeJSONOut(opts.IO, report); err != nil {
			return exit(ExitProblem, err)
		}
	} else {
		printDryRun(opts.IO, report)
	}
	if !report.WouldSucceed {
		return exit(ExitFailed, nil)
	}
	return nil
}

func printDryRun(io *IOStreams, r dryRunReport) {
	w := io.Out
	fmt.Fprintf(w, "Dry run of %s against the %s: nothing was written.\n\n", r.Flow, r.Mode)
	printExecution(io, r.Execution, false)
	fmt.Fprintln(w)
	if len(r.Writes) == 0 {
		fmt.Fprintln(w, "No writes would be sent.")
	} else {
		fmt.Fprintf(w, "Writes that would be sent (%d):\n", len(r.Writes))
		for _, c := range r.Writes {
			fmt.Fprintf(w, "  %-24s %s %s\n", c.Card, c.Action, compactJSON(c.Input, false))
		}
	}
	fmt.Fprintln(w)
	if r.WouldSucceed {
		fmt.Fprintf(w, "The flow would end %s.\n", r.Execution.Status)
	} else {
		fmt.Fprintf(w, "The flow would fail: %s\n", r.Execution.Error)
	}
}

// redactSchema hides the arguments an action marks sensitive.
func redactSchema(in any, schema connector.Schema) any {
	m, ok := in.(map[string]any)
	if !ok {
		return in
	}
	for _, a := range schema {
		if a.Sensitive && m[a.Name] != nil {
			m[a.Name] = runtime.Redacted
		}
	}
	return m
}

// knownAfterApply is the string output of an intercepted write, as
// Terraform prints what a plan cannot know yet.
const knownAfterApply = "(known after apply)"

// placeholder is the output of an intercepted write: strings say it is not
// known, the rest is empty, so that later cards can still be evaluated.
func placeholder(ty cty.Type) cty.Value {
	switch {
	case ty == cty.String:
		return cty.StringVal(knownAfterApply)
	case ty == cty.Number:
		return cty.Zero
	case ty == cty.Bool:
		return cty.False
	case ty.IsListType():
		return cty.ListValEmpty(ty.ElementType())
	case ty.IsSetType():
		return cty.SetValEmpty(ty.ElementType())
	case ty.IsMapType():
		return cty.MapValEmpty(ty.ElementType())
	case ty.IsObjectType():
		vals := map[string]cty.Value{}
		for name, aty := range ty.AttributeTypes() {
			vals[name] = placeholder(aty)
		}
		return cty.ObjectVal(vals)
	}
	return cty.NullVal(ty)
}

// emulateConnections points every Okta and ServiceNow connection at a
// seeded emulator on loopback.
func emulateConnections(gen *plan.Generation, sf seed.File) (func(), error) {
	creds, err := dryRunCredentials()
	if err != nil {
		return nil, err
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	var oktaURL, snURL string
	for _, addr := range sortedConnAddrs(gen) {
		conn := gen.Connections[addr]
		overrides := map[string]cty.Value{}
		switch conn.Connector.Name {
		case "okta":
			if oktaURL == "" {
				e := oktaemu.New(oktaemu.Options{})
				if sf.Okta != nil {
					if err := e.Seed(*sf.Okta); err != nil {
						stopAll()
						return nil, fmt.Errorf("okta seed: %w", err)
					}
				}
				u, stop, err := serveLoopback(e)
				if err != nil {
					stopAll()
					return nil, err
				}
				oktaURL = u
				stops = append(stops, func() { stop(); e.Close() })
			}
			overrides["org_url"] = cty.StringVal(oktaURL)
			overrides["token"] = cty.StringVal(creds.token).Mark(lang.Sensitive)
			overrides["client_id"] = cty.NullVal(cty.String)
			overrides["private_key"] = cty.NullVal(cty.String)
		case "servicenow":
			if snURL == "" {
				e := snemu.New(snemu.Options{})
				s := snemu.DemoSeed()
				if sf.ServiceNow != nil {
					s = *sf.ServiceNow
				}
				if err := e.Seed(s); err != nil {
					stopAll()
					return nil, fmt.Errorf("servicenow seed: %w", err)
				}
				u, stop, err := serveLoopback(e)
				if err != nil {
					stopAll()
					return nil, err
				}
				snURL = u
				stops = append(stops, stop)
			}
			overrides["instance_url"] = cty.StringVal(snURL)
			overrides["username"] = cty.StringVal("svc.cardflow")
			overrides["password"] = cty.StringVal(creds.password).Mark(lang.Sensitive)
			overrides["client_id"] = cty.NullVal(cty.String)
			overrides["client_secret"] = cty.NullVal(cty.String)
			overrides["api_key"] = cty.NullVal(cty.String)
		default:
			continue
		}
		conn.Config = withAttrs(conn.Config, overrides)
		conn.Hash = "dry-run/" + addr
	}
	return stopAll, nil
}

func withAttrs(obj cty.Value, overrides map[string]cty.Value) cty.Value {
	vals := map[string]cty.Value{}
	for name, aty := range obj.Type().AttributeTypes() {
		v := obj.GetAttr(name)
		if o, ok := overrides[name]; ok {
			v = o
		} else if !v.IsWhollyKnown() {
			v = cty.NullVal(aty)
		}
		vals[name] = v
	}
	return cty.ObjectVal(vals)
}

func sortedConnAddrs(gen *plan.Generation) []string {
	var addrs []string
	for a := range gen.Connections {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	return addrs
}

func seedTables(ctx context.Context, st store.Tables, gen *plan.Generation, tables map[string]map[string]map[string]any) error {
	for name, rows := range tables {
		t, ok := gen.Config.Tables[name]
		if !ok {
			return fmt.Errorf("--seed: there is no table %q", name)
		}
		for key, row := range rows {
			v, err := connector.FromGo(row, t.RowType())
			if err != nil {
				return fmt.Errorf("--seed: table %s row %s: %w", name, key, err)
			}
			g, _ := connector.ToGo(v)
			b, _ := json.Marshal(g)
			if err := st.TablePut(ctx, name, key, b); err != nil {
				return err
			}
		}
	}
	return nil
}

// dryRunEvent reads the event file: a trigger value, or an Okta event hook
// delivery whose first accepted event becomes {"event": …}.
func dryRunEvent(path string, flow *plan.Flow) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--event: %w", err)
	}
	var envelope struct {
		Data struct {
			Events []json.RawMessage `json:"events"`
		} `json:"data"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&envelope); err != nil {
		return nil, fmt.Errorf("--event %s is not JSON: %w", path, err)
	}
	if len(envelope.Data.Events) > 0 && flow.Trigger != nil {
		cfg, _ := flow.Trigger.Config.UnmarkDeep()
		for _, raw := range envelope.Data.Events {
			var head struct {
				UUID      string `json:"uuid"`
				EventType string `json:"eventType"`
			}
			_ = json.Unmarshal(raw, &head)
			ev := &connector.Event{ID: head.UUID, Type: head.EventType}
			if flow.Trigger.Spec.Accept == nil || flow.Trigger.Spec.Accept(cfg, ev) {
				return json.Marshal(map[string]json.RawMessage{"event": raw})
			}
		}
		return nil, fmt.Errorf("--event %s: no event in the delivery matches the trigger of %s", path, flow.Name)
	}
	if flow.Trigger != nil {
		if err := checkEvent(b, flow.Trigger.Spec.Output, flow.Trigger.Type); err != nil {
			return nil, fmt.Errorf("--event %s does not fit the %s trigger of %s: %w", path, flow.Trigger.Type, flow.Name, err)
		}
	}
	return b, nil
}

// checkEvent checks a trigger value against the trigger's output type as
// cardflow test checks a run's trigger, and wants at least one of the
// type's top-level attributes: an event of another system fits no trigger.
func checkEvent(b []byte, ty cty.Type, trigger string) error {
	v, err := connector.FromJSON(b, cty.DynamicPseudoType)
	if err != nil {
		return err
	}
	if !ty.IsObjectType() {
		return nil
	}
	names := connector.SortedKeys(ty.AttributeTypes())
	has := fmt.Sprintf("its value has the attributes %s", strings.Join(names, ", "))
	if problems := flowtest.CheckTriggerEvent(v, ty, trigger); len(problems) > 0 {
		return fmt.Errorf("%s (%s)", strings.Join(problems, " "), has)
	}
	vt := v.Type()
	for _, n := range names {
		if vt.IsObjectType() && vt.HasAttribute(n) && !v.GetAttr(n).IsNull() {
			return nil
		}
	}
	return fmt.Errorf("the event has none of the trigger value's attributes: %s", has)
}

// dryRunCreds are the credentials the connections present to the dry run's
// emulators. They are random: they are marked sensitive like any credential,
// and a fixed word would be redacted wherever it appears in the output.
type dryRunCreds struct{ token, password string }

func dryRunCredentials() (dryRunCreds, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return dryRunCreds{}, err
	}
	h := hex.EncodeToString(b[:])
	return dryRunCreds{token: "dry-run-" + h[:32], password: "dry-run-" + h[32:]}, nil
}
