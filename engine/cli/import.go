package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/importer"
	"github.com/spf13/cobra"
)

// ImportOptions are the inputs of cardflow import okta-workflows.
type ImportOptions struct {
	IO     *IOStreams
	F      *Factory
	File   string
	Dir    string
	Format string
	Force  bool
}

// NewCmdImport returns `cardflow import`, with okta-workflows as its one
// source.
func NewCmdImport(f *Factory, runF func(*ImportOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "import",
		Example: "  cardflow import okta-workflows onboarding.flopack -o flows/onboarding",
		Short:   "Convert flows of other tools to cardflow HCL",
	}
	opts := &ImportOptions{IO: f.IO, F: f}
	okta := &cobra.Command{
		Use: "okta-workflows FILE.flopack",
		Example: `  cardflow import okta-workflows onboarding.flopack -o flows/onboarding
  cardflow import okta-workflows onboarding.flopack --format json -o flows/onboarding`,
		Short: "Convert an Okta Workflows export (.flopack) into HCL flows, tables and connections",
		Long: `Convert an Okta Workflows folder export (.flopack) into one .hcl file per flow,
tables.hcl and connections.hcl in DIR, and print a report: the cards converted,
and the cards that were not, each with what to do. A card that could not be
converted becomes an okta_workflows.unconverted placeholder that
` + "`cardflow validate`" + ` rejects until it is replaced.

Nothing is written when the export is damaged or when a file to write exists
already (use --force to replace it).

Exit status: 0 imported, 1 the export could not be converted, 2 usage error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if opts.Format != "text" && opts.Format != "json" {
				return exit(ExitUsage, fmt.Errorf("--format is text or json, not %q", opts.Format))
			}
			if runF != nil {
				return runF(opts)
			}
			return importRun(opts)
		},
	}
	okta.Flags().StringVarP(&opts.Dir, "output", "o", "flows", "directory to write the flows to")
	okta.Flags().StringVar(&opts.Format, "format", "text", "report format: text or json")
	okta.Flags().BoolVar(&opts.Force, "force", false, "replace files that exist in the directory")
	cmd.AddCommand(okta)
	return cmd
}

func importRun(opts *ImportOptions) error {
	data, err := os.ReadFile(opts.File)
	if err != nil {
		return exit(ExitUsage, fmt.Errorf("cannot read %s: %w", opts.File, errors.Unwrap(err)))
	}
	pack, err := importer.Parse(data)
	if err != nil {
		return exit(ExitFailed, fmt.Errorf("%s: %w", opts.File, err))
	}
	res, err := importer.Convert(pack, opts.F.Registry)
	if err != nil {
		return exit(ExitFailed, fmt.Errorf("%s: %w", opts.File, err))
	}
	names := connector.SortedKeys(res.Files)
	if !opts.Force {
		for _, n := range names {
			p := filepath.Join(opts.Dir, n)
			if _, err := os.Stat(p); err == nil {
				return exit(ExitFailed, fmt.Errorf("%s exists; import into an empty directory or pass --force to replace it (nothing was written)", p))
			} else if !errors.Is(err, fs.ErrNotExist) {
				return exit(ExitProblem, err)
			}
		}
	}
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return exit(ExitProblem, err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(opts.Dir, n), res.Files[n], 0o644); err != nil {
			return exit(ExitProblem, err)
		}
	}
	if opts.Format == "json" {
		if err := res.Report.WriteJSON(opts.IO.Out); err != nil {
			return exit(ExitProblem, err)
		}
		return nil
	}
	res.Report.WriteText(opts.IO.Out)
	fmt.Fprintf(opts.IO.Out, "\nWrote %d files to %s. Next: cardflow validate %s\n", len(names), opts.Dir, opts.Dir)
	return nil
}
