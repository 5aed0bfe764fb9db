package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/internal/didyoumean"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailed  = 1 // invalid flows, failed tests, a flow that would fail
	ExitUsage   = 2
	ExitProblem = 3 // the command itself could not run
)

// exitError carries an exit code through cobra.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func exit(code int, err error) error { return &exitError{code: code, err: err} }

// Factory is what every command needs; cmd/cardflow builds it.
type Factory struct {
	IO       *IOStreams
	Registry *connector.Registry
	// Emulators start the built-in connectors' emulators (package
	// cli/emulators), wired in as the registry is.
	Emulators Emulators
}

// Main runs the cardflow command line and returns the exit code.
func Main(f *Factory, args []string) int {
	io := f.IO
	root := NewCmdRoot(f)
	root.SetArgs(args)
	root.SetOut(io.Out)
	root.SetErr(io.ErrOut)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(io.ErrOut, "Error:", ee.err)
		}
		return ee.code
	}
	// Cobra's own errors are flag and argument problems.
	fmt.Fprintln(io.ErrOut, "Error:", err)
	return ExitUsage
}

// NewCmdRoot returns the root command with every subcommand.
func NewCmdRoot(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "cardflow",
		Short: "Identity workflows as files: Okta and ServiceNow flows in HCL, checked, tested and run.",
		Example: `  cardflow validate flows
  cardflow test flows
  cardflow dry-run request_approval --event flows/onboarding/testdata/user-created.json flows
  cardflow run flows`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	// Every command, here and nowhere else: nothing registers itself.
	root.AddCommand(
		// Checking flows.
		NewCmdValidate(f, nil),
		NewCmdFmt(f, nil),
		NewCmdTest(f, nil),
		NewCmdDryRun(f, nil),
		NewCmdDocs(f, nil),
		// Running them.
		NewCmdRun(f, nil),
		NewCmdDemo(f, nil),
		NewCmdEmulate(f, nil),
		// History and operations.
		NewCmdHistory(f, nil),
		NewCmdShow(f, nil),
		NewCmdReplay(f, nil),
		NewCmdCancel(f, nil),
		NewCmdWake(f, nil),
		NewCmdPrune(f, nil),
		NewCmdConsole(f, nil),
		NewCmdAdmin(f, nil),
		NewCmdOkta(f, nil),
		// Moving in.
		NewCmdImport(f, nil),
		NewCmdVersion(f, nil),
	)
	refuseUnknownSubcommands(root)
	return root
}

// refuseUnknownSubcommands makes each command that only groups others
// (admin, admin token, import, okta, okta hooks) refuse an argument that
// names none of them. Cobra prints such a command's help and exits 0 for
// `cardflow import nope.json`, which a script would take for success;
// this is a usage error, exit 2, as `cardflow nope` is. Without arguments
// the help is printed, as before.
func refuseUnknownSubcommands(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		refuseUnknownSubcommands(sub)
	}
	if cmd.Runnable() || !cmd.HasSubCommands() || !cmd.HasParent() {
		return
	}
	cmd.Args = cobra.ArbitraryArgs
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		var names []string
		for _, c := range cmd.Commands() {
			if c.IsAvailableCommand() {
				names = append(names, c.Name())
			}
		}
		msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
		if near := didyoumean.Name(args[0], names); near != "" {
			msg += fmt.Sprintf("; did you mean %q?", near)
		} else {
			msg += "; its commands: " + strings.Join(names, ", ")
		}
		return exit(ExitUsage, errors.New(msg))
	}
}
