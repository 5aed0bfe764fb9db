package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// NewCmdVersion returns `cardflow version`, the same as --version.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO, Version: versionString}
	return &cobra.Command{
		Use:   "version",
		Short: "Print cardflow's version and the commit it was built from",
		Example: `  cardflow version
  cardflow --version`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			fmt.Fprintln(opts.IO.Out, opts.Version())
			return nil
		},
	}
}

// VersionOptions are the inputs of cardflow version.
type VersionOptions struct {
	IO *IOStreams
	// Version reads the version from the binary's build information.
	Version func() string
}

// versionString is the module version (a tag for go install …@v1.2.3,
// "(devel)" for a local build) and the VCS commit the go tool stamped into
// the binary, from its build information.
func versionString() string {
	version, commit, modified := "(devel)", "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	switch {
	case commit == "":
		return "cardflow " + version
	case modified:
		return fmt.Sprintf("cardflow %s (commit %s, with uncommitted changes)", version, commit)
	}
	return fmt.Sprintf("cardflow %s (commit %s)", version, commit)
}
