package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/spf13/cobra"
)

// CancelOptions are the inputs of cardflow cancel.
type CancelOptions struct {
	IO     *IOStreams
	Store  StoreFlags
	ID     string
	Reason string
	// OpenStore opens the store of --db/--store (StoreFlags.Open).
	OpenStore func(context.Context) (store.Store, error)
}

// NewCmdCancel returns `cardflow cancel`.
func NewCmdCancel(f *Factory, runF func(*CancelOptions) error) *cobra.Command {
	opts := &CancelOptions{IO: f.IO}
	opts.OpenStore = opts.Store.Open
	cmd := &cobra.Command{
		Use:   "cancel EXECUTION_ID",
		Short: "End a pending or waiting execution as canceled",
		Example: `  # Cancel an execution that waits for an approval that will not come
  cardflow cancel ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY --reason "user left before approval"`,
		Long: `End an execution that has not started or that waits (a flow.wait card, a
retry's backoff) as canceled: no worker claims it again, so its remaining cards
never run. Its error says who canceled it (the user running the command) and
why (--reason).

A running execution (a worker is mid-card) is refused: cancel it once it waits
or ends. A finished one is refused too. A canceled execution can be replayed
with cardflow replay: it goes on where it was canceled.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return cancelRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().StringVar(&opts.Reason, "reason", "", "why it is canceled, kept in its error")
	return cmd
}

func cancelRun(ctx context.Context, opts *CancelOptions) error {
	ctx = orBackground(ctx)
	reason := strings.TrimSpace(opts.Reason)
	if err := store.CheckCancelReason(reason); err != nil {
		return exit(ExitUsage, fmt.Errorf("--reason: %w", err))
	}
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	err = st.Cancel(ctx, opts.ID, store.CancelReason(operator(opts.IO), reason))
	auditCLI(ctx, opts.IO, st, "cancel", opts.ID, reason, err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return exit(ExitFailed, fmt.Errorf("no execution %s in %s", opts.ID, opts.Store.Name()))
	case errors.Is(err, store.ErrRunning), errors.Is(err, store.ErrFinished):
		return exit(ExitFailed, err)
	case err != nil:
		return exit(ExitProblem, err)
	}
	ex, err := st.Execution(ctx, opts.ID)
	if err != nil {
		return exit(ExitProblem, err)
	}
	fmt.Fprintf(opts.IO.Out, "Execution %s of %s is canceled (%s); no worker will run it.\n", ex.ID, ex.Flow, ex.Error)
	return nil
}

// auditCLI writes what an operator did from the command line to the
// store's audit log, as the admin API and the console write theirs: the
// console's audit page lists it beside them, as who (the login of the
// environment) by "cli". An unknown execution is not audited.
func auditCLI(ctx context.Context, io *IOStreams, st store.Store, action, id, detail string, err error) {
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	outcome := "ok"
	if err != nil {
		outcome = "refused: " + err.Error()
	}
	engine.Auditor{Store: st}.Audit(ctx, server.AuditEvent{Time: time.Now().UTC(), Principal: operator(io), Method: "cli",
		Action: action, Target: id, Detail: detail, Outcome: outcome, Remote: "cli"})
}

// operator names who runs the command, for a cancel's reason: the login
// of the environment, as an audit trail would.
func operator(io *IOStreams) string {
	for _, name := range []string{"USER", "LOGNAME", "USERNAME"} {
		if v, ok := io.LookupEnv(name); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return "cardflow"
}

// WakeOptions are the inputs of cardflow wake.
type WakeOptions struct {
	IO    *IOStreams
	Store StoreFlags
	ID    string
	// OpenStore opens the store of --db/--store (StoreFlags.Open).
	OpenStore func(context.Context) (store.Store, error)
}

// NewCmdWake returns `cardflow wake`.
func NewCmdWake(f *Factory, runF func(*WakeOptions) error) *cobra.Command {
	opts := &WakeOptions{IO: f.IO}
	opts.OpenStore = opts.Store.Open
	cmd := &cobra.Command{
		Use:   "wake EXECUTION_ID",
		Short: "Run a waiting execution's card now instead of at its wake-up time",
		Example: `  # ServiceNow is back: retry the parked card now, not in 30 minutes
  cardflow wake ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY`,
		Long: `Make a waiting execution due now ("retry now"): the card it waits for (a
flow.wait card, or the next attempt of a card whose retry backs off) runs at
once. A running cardflow run on the same store picks it up. Only a waiting
execution is woken.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return wakeRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	return cmd
}

func wakeRun(ctx context.Context, opts *WakeOptions) error {
	ctx = orBackground(ctx)
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, err := store.Wake(ctx, st, opts.ID)
	detail := ""
	if err == nil {
		detail = "was due " + ex.WakeAt.UTC().Format(time.RFC3339)
	}
	auditCLI(ctx, opts.IO, st, "wake", opts.ID, detail, err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return exit(ExitFailed, fmt.Errorf("no execution %s in %s", opts.ID, opts.Store.Name()))
	case errors.Is(err, store.ErrNotWaiting):
		return exit(ExitFailed, err)
	case err != nil:
		return exit(ExitProblem, err)
	}
	fmt.Fprintf(opts.IO.Out, "Execution %s of %s, parked until %s, is due now.\n", ex.ID, ex.Flow, ex.WakeAt.UTC().Format(time.RFC3339))
	fmt.Fprintln(opts.IO.Out, "cardflow run picks it up; follow it with `cardflow show "+ex.ID+opts.Store.Args()+"`.")
	return nil
}
