package cli

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"time"

	"github.com/cardflow/cardflow/engine/flowtest"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"
)

// TestOptions are the inputs of cardflow test.
type TestOptions struct {
	IO       *IOStreams
	F        *Factory
	Paths    []string
	Format   string
	JUnitXML string
	Run      string
	Parallel int
	Timeout  time.Duration
	// Emulators serve the connectors emulator blocks name
	// (Emulators.Tests).
	Emulators map[string]flowtest.Emulator
}

// NewCmdTest returns `cardflow test`.
func NewCmdTest(f *Factory, runF func(*TestOptions) error) *cobra.Command {
	opts := &TestOptions{IO: f.IO, F: f, Emulators: f.Emulators.Tests}
	cmd := &cobra.Command{
		Use:   "test [PATH...]",
		Short: "Run flow tests (*.test.hcl) with mocked connectors (default ./flows)",
		Example: `  # Every *.test.hcl under ./flows
  cardflow test

  # Only the runs whose name matches, as GitHub annotations
  cardflow test --run 'approval' --format github flows

  # One test file, with JUnit XML for CI
  cardflow test --junit-xml results.xml flows/onboarding/request_approval.test.hcl`,
		Long: `Load the flows and their *.test.hcl files under the paths (default ./flows) and
execute every run block: the flow runs on an in-memory store for the run's
trigger event, its connector actions answered by mocks or by the built-in
emulators, with retry delays skipped. No request ever reaches a real tenant.
Runs execute in parallel; each is checked against its assert, expect_call,
expect_skipped, expect_failures and expect_status.

A *.test.hcl path runs only that file's runs, with the flows of its directory.

Exit status: 0 all runs passed, 1 a run failed or the files are invalid,
2 usage error.`,
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
			if _, err := regexp.Compile(opts.Run); err != nil {
				return exit(ExitUsage, fmt.Errorf("--run: %v", err))
			}
			if runF != nil {
				return runF(opts)
			}
			return testRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json or github (workflow annotations on the failing lines)")
	cmd.Flags().StringVar(&opts.JUnitXML, "junit-xml", "", "also write the results as JUnit XML to `FILE`")
	cmd.Flags().StringVar(&opts.Run, "run", "", "run only the runs whose name matches this regular expression")
	cmd.Flags().IntVar(&opts.Parallel, "parallel", 0, "runs executed at once (default: the number of CPUs)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", flowtest.DefaultRunTimeout, "wall-clock limit of one run")
	return cmd
}

func testRun(ctx context.Context, opts *TestOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	topts := flowtest.Options{
		Registry:  opts.F.Registry,
		Emulators: opts.Emulators,
		Parallel:  opts.Parallel,
		Timeout:   opts.Timeout,
	}
	suite, diags := flowtest.Load(opts.Paths, topts)
	report := &flowtest.Report{}
	if !diags.HasErrors() {
		var match func(string) bool
		if opts.Run != "" {
			match = regexp.MustCompile(opts.Run).MatchString
		}
		topts.Filter = suite.Filter(match)
		report = flowtest.Run(ctx, suite.Config, topts)
	}
	// A filter that selects nothing is a typo more often than a choice:
	// passing would hide that no test ran. Every format says so.
	var noMatch error
	unmatched := ""
	if opts.Run != "" && !diags.HasErrors() && len(report.Runs) == 0 {
		noMatch = fmt.Errorf("no run matches --run %q: run names are the labels of run blocks", opts.Run)
		unmatched = opts.Run
	}
	if opts.JUnitXML != "" {
		if err := writeJUnitFile(opts.JUnitXML, suite.Files, diags, report); err != nil {
			return exit(ExitProblem, err)
		}
	}
	switch opts.Format {
	case "json":
		if err := writeTestJSON(opts.IO.Out, suite.Files, diags, report, unmatched); err != nil {
			return exit(ExitProblem, err)
		}
	case "github":
		writeTestGitHub(opts.IO, diags, report, unmatched)
	default:
		writeTestText(opts.IO, suite.Files, diags, report, noMatch)
	}
	if diags.HasErrors() || report.Failed() > 0 {
		return exit(ExitFailed, nil)
	}
	if noMatch != nil {
		return exit(ExitFailed, noMatch)
	}
	return nil
}

func writeJUnitFile(path string, files map[string]*hcl.File, diags hcl.Diagnostics, report *flowtest.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := writeJUnit(f, files, diags, report); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
