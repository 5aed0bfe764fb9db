package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
)

// OktaHooksOptions are the options of `cardflow okta hooks status`.
type OktaHooksOptions struct {
	F      *Factory
	IO     *IOStreams
	Paths  []string
	Format string
	Vars   varFlags
}

// NewCmdOkta returns `cardflow okta`, the Okta-specific commands.
func NewCmdOkta(f *Factory, runF func(*OktaHooksOptions) error) *cobra.Command {
	cmd := &cobra.Command{Use: "okta", Short: "Okta-specific commands",
		Example: "  cardflow okta hooks status flows"}
	hooks := &cobra.Command{Use: "hooks", Short: "The Okta event hooks that deliver to cardflow",
		Example: "  cardflow okta hooks status flows\n  cardflow okta hooks status --format json flows"}
	opts := &OktaHooksOptions{F: f, IO: f.IO}
	status := &cobra.Command{
		Use: "status [PATH...]",
		Example: `  cardflow okta hooks status flows
  cardflow okta hooks status --format json flows`,
		Short: "Show each Okta connection's event hook, its verification status and the event types flows need that it lacks",
		Long: "Loads the flows (default ./flows) and, for each okta connection, reads its event hook from Okta: " +
			"the hook named cardflow-<connection>, or one whose URL ends in /hooks/okta/<connection>. Exits 1 when " +
			"a hook is missing, unverified, inactive or lacks an event type a flow listens for.",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"flows"}
			}
			if opts.Format != "text" && opts.Format != "json" {
				return exit(ExitUsage, fmt.Errorf("--format is text or json, not %q", opts.Format))
			}
			if runF != nil {
				return runF(opts)
			}
			return oktaHooksStatusRun(cmd.Context(), opts)
		},
	}
	status.Flags().StringVar(&opts.Format, "format", "text", "output format: text or json")
	opts.Vars.register(status.Flags())
	hooks.AddCommand(status)
	cmd.AddCommand(hooks)
	return cmd
}

func oktaHooksStatusRun(ctx context.Context, opts *OktaHooksOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	if err := opts.Vars.check(); err != nil {
		return err
	}
	gen, files, diags := engine.Load(opts.Paths, engine.LoadOptions{Registry: opts.F.Registry,
		Vars: opts.Vars.values(opts.IO), Mode: lang.Live, Host: lang.Host{LookupEnv: opts.IO.LookupEnv}})
	if diags.HasErrors() {
		writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
		return exit(ExitFailed, nil)
	}
	var addrs []string
	for addr, conn := range gen.Connections {
		if conn.Connector != nil && conn.Connector.Name == okta.Name {
			addrs = append(addrs, addr)
		}
	}
	sort.Strings(addrs)
	var statuses []okta.HookStatus
	problems := 0
	for _, addr := range addrs {
		conn := gen.Connections[addr]
		cl, err := conn.Connector.Open(conn.Config)
		if err != nil {
			return exit(ExitProblem, fmt.Errorf("connection.%s: %w", addr, err))
		}
		req := engine.HookSyncRequest(gen, conn)
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		st, err := cl.(*okta.Client).EventHookStatus(cctx, req.Connection, okta.NeededEventTypes(req.Triggers))
		cancel()
		_ = cl.Close()
		if err != nil {
			return exit(ExitProblem, fmt.Errorf("connection.%s: reading the event hooks: %w", addr, err))
		}
		if hookProblem(st) {
			problems++
		}
		statuses = append(statuses, st)
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string]any{"format_version": "1", "hooks": nonNilStatuses(statuses)}); err != nil {
			return exit(ExitProblem, err)
		}
	} else {
		writeHookStatuses(opts.IO.Out, statuses)
	}
	if problems > 0 {
		return exit(ExitFailed, nil)
	}
	return nil
}

func nonNilStatuses(s []okta.HookStatus) []okta.HookStatus {
	if s == nil {
		return []okta.HookStatus{}
	}
	return s
}

// hookProblem reports whether flows would miss events through st's hook.
func hookProblem(st okta.HookStatus) bool {
	if len(st.Needed) == 0 {
		return false
	}
	return !st.Found || len(st.Missing) > 0 || st.Verification != "VERIFIED" || st.Status != "ACTIVE"
}

func writeHookStatuses(w io.Writer, statuses []okta.HookStatus) {
	if len(statuses) == 0 {
		fmt.Fprintln(w, "No okta connection in the flows.")
		return
	}
	for i, st := range statuses {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "connection.okta.%s\n", st.Connection)
		managed := "no (set manage_event_hook = true to let cardflow run keep it in step)"
		if st.Managed {
			managed = "yes, by cardflow run"
		}
		if !st.Found {
			fmt.Fprintf(w, "  hook        none (looked for %s or a URL ending in /hooks/okta/%s)\n", st.Name, st.Connection)
		} else {
			fmt.Fprintf(w, "  hook        %s (%s)\n  status      %s, %s\n  uri         %s\n", st.Name, st.ID, st.Status, st.Verification, st.URI)
		}
		fmt.Fprintf(w, "  managed     %s\n", managed)
		fmt.Fprintf(w, "  subscribed  %s\n  needed      %s\n", orNone(st.Subscribed), orNone(st.Needed))
		if len(st.Missing) > 0 {
			fmt.Fprintf(w, "  missing     %s: flows on these event types do not start\n", strings.Join(st.Missing, ", "))
		}
	}
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "-"
	}
	return strings.Join(s, ", ")
}
