package cli

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/hashicorp/hcl/v2"
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
	// StartEmulators starts the emulators the dry run reads from
	// (Emulators.DryRun).
	StartEmulators func(seedPath string, connectors []string) (*DryRunEmulators, error)
}

// NewCmdDryRun returns `cardflow dry-run`.
func NewCmdDryRun(f *Factory, runF func(*DryRunOptions) error) *cobra.Command {
	opts := &DryRunOptions{IO: f.IO, F: f, StartEmulators: f.Emulators.DryRun}
	cmd := &cobra.Command{
		Use:   "dry-run FLOW --event FILE [PATH...]",
		Short: "Run one flow with every write intercepted and printed, reads served by the emulators",
		Example: `  # What request_approval would do for this Okta event
  cardflow dry-run request_approval --event flows/onboarding/testdata/user-created.json flows

  # The same as JSON, for a script
  cardflow dry-run request_approval --event flows/onboarding/testdata/user-created.json --format json flows`,
		Long: `Run one flow for one trigger event without side effects: every write is
printed with its inputs, and none reaches a tenant. By default the flow runs
against built-in emulators started for the dry run, seeded from --seed (JSON:
{"okta": {users, groups, apps}, "servicenow": {users, records, ...}, "tables":
{"<table>": {"<key>": {row}}}}, or one emulator's seed alone; see
docs/seeds.md) and thrown away after it: Okta and ServiceNow writes go to
them, so later cards see their answers. With --live the flow reads from the
tenants the environment configures, and sends them no write. http.request is
never sent, whatever its method. The output of a write that was not sent is a
placeholder: strings read "(known after apply)", booleans are true. Flow
tables live in memory.

--event is the trigger value as JSON ({"event": …} for Okta triggers, {"record":
…} for ServiceNow ones), or a whole Okta event hook delivery: each of its
events the trigger takes runs, in order, as its own execution with its own
section of the report, against the same emulators; the report names the
events it skips (a type the trigger does not list, a repeated uuid). It is
checked first, and the dry run exits 2 naming what is wrong: a field the
trigger's value does not have or of the wrong type, an event type the trigger
does not list (for a delivery: no event it lists), a field every event of the
trigger carries (an Okta event's target). Exit status 0 when the flow would
succeed (for a delivery: every execution), 1 when it would fail (a card that
reads a field the event lacks fails).`,
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
	cmd.Flags().BoolVar(&opts.Live, "live", false, "read from the tenants configured by the environment (no write is sent to them)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	opts.Vars.register(cmd.Flags())
	return cmd
}

func dryRun(ctx context.Context, opts *DryRunOptions) error {
	ctx = orBackground(ctx)
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	if err := opts.Vars.check(); err != nil {
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
	if gen != nil && !opts.Live && !diags.HasErrors() {
		// Loaded in check mode, a variable without a value is unknown:
		// run refuses to start without it, and so does a dry run.
		diags = append(diags, unsetVariables(gen.Config, gen.Vars)...)
	}
	if diags.HasErrors() {
		writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
		if onlyUnsetVariables(diags) {
			return exit(ExitUsage, errors.New("a variable without a default has no value; nothing was run"))
		}
		return exit(ExitFailed, errors.New("the flows are not valid"))
	}
	if opts.Format != "json" {
		// Warnings (a misspelt ServiceNow field) go before the run they
		// may explain; the JSON report carries them in diagnostics.
		writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
	}
	flow, ok := gen.Flows[opts.Flow]
	if !ok {
		return exit(ExitUsage, fmt.Errorf("there is no flow %q; flows: %s", opts.Flow, strings.Join(gen.Config.FlowNames(), ", ")))
	}
	if opts.StartEmulators == nil {
		return exit(ExitProblem, errors.New("this build of cardflow has no emulators for dry runs"))
	}
	var connectors []string
	if !opts.Live {
		connectors = connectorNames(gen)
	}
	emus, err := opts.StartEmulators(opts.Seed, connectors)
	if err != nil {
		if se := (*engine.SeedError)(nil); errors.As(err, &se) {
			return exit(ExitUsage, fmt.Errorf("--seed: %w", err))
		}
		return exit(ExitProblem, err)
	}
	defer emus.Stop()
	input, err := readDryRunEvent(opts.Event, flow)
	if err != nil {
		return exit(ExitUsage, err)
	}
	results, err := engine.DryRunEach(ctx, gen, flow, input.taken(), engine.DryRunOptions{
		Emulated: emus.Connections, Tables: emus.Tables, WriteEmulators: !opts.Live,
	})
	if se := (*engine.SeedError)(nil); errors.As(err, &se) {
		return exit(ExitUsage, fmt.Errorf("--seed: %w", err))
	} else if err != nil {
		return exit(ExitProblem, fmt.Errorf("running the dry-run execution: %w", err))
	}
	report := newDryRunReport(flow.Name, opts.Live, input, results, toJSONDiagnostics(files, diags))
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

// unsetVariables are the diagnostics of the variables without a default
// that vars (evaluated in check mode) holds no value of.
func unsetVariables(cfg *config.Config, vars cty.Value) hcl.Diagnostics {
	if cfg == nil || !vars.Type().IsObjectType() {
		return nil
	}
	var diags hcl.Diagnostics
	for _, name := range connector.SortedKeys(cfg.Variables) {
		v := cfg.Variables[name]
		if v.Default == nil && vars.Type().HasAttribute(name) && !vars.GetAttr(name).IsKnown() {
			diags = append(diags, lang.NoValue(v))
		}
	}
	return diags
}

// onlyUnsetVariables reports whether every error of diags is a variable
// without a value: a usage error, not a mistake in the flows.
func onlyUnsetVariables(diags hcl.Diagnostics) bool {
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Summary != lang.NoValueSummary {
			return false
		}
	}
	return true
}

// connectorNames names the connectors of the generation's connections.
func connectorNames(gen *plan.Generation) []string {
	seen := map[string]bool{}
	var names []string
	for _, conn := range gen.Connections {
		if n := conn.Connector.Name; !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
