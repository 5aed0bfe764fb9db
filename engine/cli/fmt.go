package cli

import (
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/spf13/cobra"
)

// FmtOptions are the inputs of cardflow fmt.
type FmtOptions struct {
	IO    *IOStreams
	Paths []string
	Check bool
	Diff  bool
}

// NewCmdFmt returns `cardflow fmt`.
func NewCmdFmt(f *Factory, runF func(*FmtOptions) error) *cobra.Command {
	opts := &FmtOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "fmt [PATH...]",
		Short: "Rewrite flow files in canonical format (default ./flows)",
		Example: `  # Format every flow file under ./flows
  cardflow fmt

  # In CI: fail when a file is not formatted, and show how
  cardflow fmt --check --diff flows`,
		Long: `Rewrite .hcl files in the canonical HCL format. With -check nothing is written
and the exit status is 1 when a file would change; -diff prints the changes.`,
		// Flags are parsed here so that Terraform's single-dash spelling
		// (-check, -diff) works beside --check and -c.
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := cmd.Flags().Parse(singleDashFlags(args, "check", "diff", "help")); err != nil {
				return exit(ExitUsage, err)
			}
			if help, _ := cmd.Flags().GetBool("help"); help {
				return cmd.Help()
			}
			args = cmd.Flags().Args()
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"flows"}
			}
			if runF != nil {
				return runF(opts)
			}
			return fmtRun(opts)
		},
	}
	cmd.Flags().BoolVarP(&opts.Check, "check", "c", false, "only check: exit 1 when a file is not formatted")
	cmd.Flags().BoolVarP(&opts.Diff, "diff", "d", false, "print the changes as a diff")
	cmd.Flags().BoolP("help", "h", false, "help for fmt")
	return cmd
}

// singleDashFlags rewrites -name to --name for the given long flag names,
// up to a "--" that ends the flags.
func singleDashFlags(args []string, names ...string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		if a == "--" {
			break
		}
		for _, n := range names {
			if a == "-"+n || strings.HasPrefix(a, "-"+n+"=") {
				out[i] = "-" + a
			}
		}
	}
	return out
}

func fmtRun(opts *FmtOptions) error {
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	files, err := config.Discover(opts.Paths)
	if err != nil {
		return exit(ExitUsage, err)
	}
	changed := 0
	for _, name := range files {
		src, err := os.ReadFile(name)
		if err != nil {
			return exit(ExitProblem, err)
		}
		if f, diags := hclsyntax.ParseConfig(src, name, hcl.InitialPos); diags.HasErrors() {
			// The parsed file goes along, for the snippet and the
			// enclosing block that validate shows too.
			if f == nil {
				f = &hcl.File{Bytes: src}
			}
			writeDiagnosticsText(opts.IO.ErrOut, map[string]*hcl.File{name: f}, diags, opts.IO.colorErr)
			return exit(ExitFailed, fmt.Errorf("%s has syntax errors; fix them first", name))
		}
		out := hclwrite.Format(src)
		if bytes.Equal(src, out) {
			continue
		}
		changed++
		fmt.Fprintln(opts.IO.Out, name)
		if opts.Diff {
			d, err := unifiedDiff(name, src, out)
			if err != nil {
				return exit(ExitProblem, fmt.Errorf("diff of %s: %w", name, err))
			}
			fmt.Fprint(opts.IO.Out, d)
		}
		if !opts.Check {
			if err := os.WriteFile(name, out, 0o644); err != nil {
				return exit(ExitProblem, err)
			}
		}
	}
	if opts.Check && changed > 0 {
		return exit(ExitFailed, nil)
	}
	return nil
}
