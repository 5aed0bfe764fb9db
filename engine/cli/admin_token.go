package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/cardflow/cardflow/engine/server"
)

// AdminTokenOptions are the inputs of cardflow admin token create.
type AdminTokenOptions struct {
	IO   *IOStreams
	Name string
	Role string
	// File, when set, gets the token's line appended (created 0600).
	File string
}

// adminTokenExample is the Examples section of admin, admin token and
// admin token create.
const adminTokenExample = `  # A read-only token for a dashboard, its line appended to the token file
  cardflow admin token create grafana --role read --file /etc/cardflow/admin-tokens

  # A token that may also replay executions
  cardflow admin token create alice@acme.example --role operate --file /etc/cardflow/admin-tokens`

// NewCmdAdmin returns `cardflow admin` and its subcommands.
func NewCmdAdmin(f *Factory, runF func(*AdminTokenOptions) error) *cobra.Command {
	admin := &cobra.Command{Use: "admin", Short: "Manage access to the admin surface", Example: adminTokenExample}
	token := &cobra.Command{Use: "token", Short: "Manage admin tokens", Example: adminTokenExample}
	opts := &AdminTokenOptions{IO: f.IO}
	create := &cobra.Command{
		Use:     "create NAME --role read|operate",
		Short:   "Make a new admin token: print it once, and the token file line that holds its hash",
		Example: adminTokenExample,
		Long: `Make a new random admin token for NAME (a person or a system: grafana,
alice@acme.example). The token is printed once; cardflow keeps only its
SHA-256 hash, in the line to add to the file given to cardflow run
--admin-token-file (or CARDFLOW_ADMIN_TOKENS_FILE). With --file the line is
appended to that file. A running cardflow run reads the file again when it
changes: to revoke a token, delete its line.

Roles: read (history API, metrics, console) and operate (also replays and
profiles). Send the token as "Authorization: Bearer <token>".`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if runF != nil {
				return runF(opts)
			}
			return adminTokenCreateRun(opts)
		},
	}
	create.Flags().StringVar(&opts.Role, "role", "", "read or operate (required)")
	create.Flags().StringVar(&opts.File, "file", "", "append the token's line to this token file (created if missing)")
	token.AddCommand(create)
	admin.AddCommand(token)
	return admin
}

func adminTokenCreateRun(opts *AdminTokenOptions) error {
	if !server.ValidTokenName(opts.Name) {
		return exit(ExitUsage, fmt.Errorf("token name %q: use letters, digits and . _ @ + - (at most 64)", opts.Name))
	}
	if opts.Role == "" {
		return exit(ExitUsage, errors.New("--role is required: read (history, metrics) or operate (also replays)"))
	}
	role, err := server.ParseRole(opts.Role)
	if err != nil {
		return exit(ExitUsage, err)
	}
	token, err := server.GenerateToken()
	if err != nil {
		return exit(ExitProblem, err)
	}
	line := server.TokenLine(opts.Name, role, token)
	if opts.File != "" {
		if err := appendTokenLine(opts.File, opts.Name, line); err != nil {
			return err
		}
	}
	w := opts.IO.Out
	fmt.Fprintf(w, "New admin token %q, role %s. It is shown this once; cardflow keeps only its hash.\n\n", opts.Name, role)
	fmt.Fprintf(w, "  %s\n\n", token)
	if opts.File != "" {
		fmt.Fprintf(w, "Its line was added to %s:\n\n  %s\n", opts.File, line)
	} else {
		fmt.Fprintf(w, "Add this line to the admin token file (--admin-token-file):\n\n  %s\n", line)
	}
	fmt.Fprintln(w, "\nSend it as: Authorization: Bearer <token>")
	return nil
}

// appendTokenLine appends line to a token file, refusing a file that does
// not parse or already names the token.
func appendTokenLine(path, name, line string) error {
	data, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exit(ExitProblem, err)
	}
	if _, err := server.ParseTokens(path, data); err != nil {
		return exit(ExitFailed, fmt.Errorf("the token file does not parse; fix it first: %w", err))
	}
	if _, err := server.ParseTokens(path, append(append(bytes.Clone(data), '\n'), line...)); err != nil {
		return exit(ExitFailed, fmt.Errorf("%s names a token %q already: choose another name, or delete its line to replace it", path, name))
	}
	if len(data) > 0 && data[len(data)-1] != '\n' {
		line = "\n" + line
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return exit(ExitProblem, err)
	}
	if _, err := f.WriteString(line + "\n"); err != nil {
		f.Close()
		return exit(ExitProblem, err)
	}
	return exit0(f.Close())
}

// exit0 passes nil through and makes any other error a problem (exit 3).
func exit0(err error) error {
	if err == nil {
		return nil
	}
	return exit(ExitProblem, err)
}
