package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/plan"
	"github.com/spf13/cobra"
)

// ValidateOptions are the inputs of cardflow validate.
type ValidateOptions struct {
	IO     *IOStreams
	F      *Factory
	Paths  []string
	Format string
	Vars   varFlags
	// CheckEnv makes env() variables that are not set errors, as cardflow
	// run does; without it they are one line of notice.
	CheckEnv bool
	// Emulators are those emulator blocks may name (Emulators.Tests).
	Emulators map[string]flowtest.Emulator
}

// NewCmdValidate returns `cardflow validate`.
func NewCmdValidate(f *Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{IO: f.IO, F: f, Emulators: f.Emulators.Tests}
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check flow files statically (default ./flows); no network I/O without --check-env",
		Example: `  # Check ./flows
  cardflow validate

  # In CI: GitHub annotations on the offending lines
  cardflow validate --format github flows

  # Where cardflow runs: also require every env() variable to be set
  # and check that the Okta event hooks deliver what the flows need
  cardflow validate --check-env flows`,
		Long: `Check every .hcl file under the paths as one configuration: syntax, blocks and
arguments, connections, references between cards, types, expr-lang conditions,
durations, cron expressions, event types and encoded queries.

Connections read their credentials with env(); in CI those variables are
usually not set, so validate lists them on one line and goes on. With
--check-env (what cardflow run does) each unset variable is an error, and
validate reads what cardflow run would: whether Okta takes each
connection's token and ServiceNow each connection's credentials (ones it
refuses, HTTP 401, are an error); for each Okta
connection without manage_event_hook, its event hook, with a warning when
the hook lacks an event type a flow listens for (or when the token may not
read hooks); the groups, apps and tables cards name (warnings). That is
the only network I/O validate does.

Exit status: 0 valid (warnings allowed), 1 invalid, 2 usage error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"flows"}
			}
			switch opts.Format {
			case "text", "json", "github":
			default:
				return exit(ExitUsage, fmt.Errorf("--format is text, json or github, not %q", opts.Format))
			}
			if runF != nil {
				return runF(opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json or github (workflow annotations)")
	cmd.Flags().BoolVar(&opts.CheckEnv, "check-env", false, "report env() variables that are not set as errors, as cardflow run does")
	opts.Vars.register(cmd.Flags())
	return cmd
}

func validateRun(ctx context.Context, opts *ValidateOptions) error {
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	if err := opts.Vars.check(); err != nil {
		return err
	}
	host := lang.Host{LookupEnv: opts.IO.LookupEnv}
	gen, files, diags := engine.Load(opts.Paths, engine.LoadOptions{
		Registry: opts.F.Registry,
		Vars:     opts.Vars.values(opts.IO),
		Mode:     lang.Check,
		Host:     host,
		CheckEnv: opts.CheckEnv,
	})
	diags = append(diags, flowtest.Check(gen, opts.Emulators)...)
	// Where cardflow runs, the connections' remote side can be read too:
	// an Okta event hook that lacks an event type starts no flow, and a
	// group a card names that the org lacks fails the card.
	if opts.CheckEnv && !diags.HasErrors() {
		if ctx == nil {
			ctx = context.Background()
		}
		diags = append(diags, engine.CheckRemote(ctx, gen)...)
	}
	// JSON output is the envelope alone, on stdout and nothing on stderr.
	if !opts.CheckEnv && gen != nil && opts.Format != "json" {
		printUnsetEnv(opts.IO, plan.UnsetEnv(gen.Config, host))
	}
	errs, warns := countDiags(diags)
	switch opts.Format {
	case "json":
		if err := writeDiagnosticsJSON(opts.IO.Out, files, diags); err != nil {
			return exit(ExitProblem, err)
		}
	case "github":
		writeDiagnosticsGitHub(opts.IO.Out, diags)
	default:
		writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
		switch {
		case errs > 0:
			fmt.Fprintf(opts.IO.ErrOut, "%s, %s.\n", plural(errs, "error"), plural(warns, "warning"))
		case warns > 0:
			fmt.Fprintf(opts.IO.Out, "The configuration is valid, with %s.\n", plural(warns, "warning"))
		default:
			fmt.Fprintln(opts.IO.Out, "The configuration is valid.")
		}
	}
	if errs > 0 {
		return exit(ExitFailed, nil)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// printUnsetEnv says in one line which env() variables are not set here:
// expected in CI, needed by cardflow run. It goes to stderr, where
// GitHub Actions shows it in the log without making an annotation.
func printUnsetEnv(io *IOStreams, names []string) {
	if len(names) == 0 {
		return
	}
	noun := "variables are"
	if len(names) == 1 {
		noun = "variable is"
	}
	fmt.Fprintf(io.ErrOut, "Note: %d environment %s not set here (%s); cardflow run needs them. Use --check-env to check them.\n",
		len(names), noun, strings.Join(names, ", "))
}
