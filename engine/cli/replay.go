package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/spf13/cobra"
)

// ReplayOptions are the inputs of cardflow replay.
type ReplayOptions struct {
	IO       *IOStreams
	Store    StoreFlags
	ID       string
	FromCard string
	Force    bool
	// OpenStore opens the store of --db/--store (StoreFlags.Open).
	OpenStore func(context.Context) (store.Store, error)
	// Registry compiles the execution's definition again, to check that
	// it can run before it is queued.
	Registry *connector.Registry
}

// NewCmdReplay returns `cardflow replay`.
func NewCmdReplay(f *Factory, runF func(*ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{IO: f.IO, Registry: f.Registry}
	opts.OpenStore = opts.Store.Open
	cmd := &cobra.Command{
		Use:   "replay EXECUTION_ID",
		Short: "Re-run a failed execution on its pinned definition from the failed card",
		Example: `  # Re-run a failed execution from its failed card
  cardflow replay ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY

  # Re-run it from an earlier card
  cardflow replay ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY --from-card read_user

  # Run a succeeded execution again, writes included
  cardflow replay ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY --force`,
		Long: `Queue a failed execution to run again on the definition it was pinned to.
Cards before the failed card (or --from-card) keep their journaled outputs; the
failed card and those after it run again. A running cardflow run on the same
store picks the execution up; cardflow show marks where each replay began.

An execution that did not fail (succeeded, halted, filtered) is refused: its
cards would run again, writes included (a second incident). --force replays
it anyway, from --from-card or else from its first card. A canceled execution
is replayed as a failed one is; without a failed card it goes on where it was
canceled.

An execution that cannot run on its definition is refused with the reason:
the definition no longer compiles, or a connection's org_url or
instance_url, as this environment sets it, names another tenant or instance
than the one the execution started in. Rotated secrets are no reason: the
replay runs with the secrets cardflow run has now.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if runF != nil {
				return runF(opts)
			}
			return replayRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().StringVar(&opts.FromCard, "from-card", "", "re-run from this card instead of the failed one")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "replay an execution that did not fail")
	return cmd
}

func replayRun(ctx context.Context, opts *ReplayOptions) error {
	ctx = orBackground(ctx)
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := checkReplay(ctx, st, opts); err != nil {
		return err
	}
	res, err := store.Replay(ctx, st, opts.ID, store.ReplayOptions{FromCard: opts.FromCard, Force: opts.Force})
	from := opts.FromCard
	if err == nil {
		from = res.FromCard
	}
	auditCLI(ctx, opts.IO, st, "replay", opts.ID, opts.auditDetail(from), err)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return exit(ExitFailed, fmt.Errorf("no execution %s in %s", opts.ID, opts.Store.Name()))
	case errors.Is(err, store.ErrNotFailed):
		return exit(ExitFailed, fmt.Errorf("%w; add --force to replay it anyway", err))
	case errors.Is(err, store.ErrNotFinished), errors.Is(err, store.ErrUnknownCard):
		return exit(ExitFailed, err)
	case err != nil:
		return exit(ExitProblem, err)
	}
	ex := res.Execution
	if res.FromCard == "" {
		fmt.Fprintf(opts.IO.Out, "Execution %s is queued to run again from its start on definition %s.\n", ex.ID, ex.DefinitionHash)
	} else {
		fmt.Fprintf(opts.IO.Out, "Execution %s is queued to run again from card %s on definition %s; earlier cards keep their outputs.\n", ex.ID, res.FromCard, ex.DefinitionHash)
	}
	fmt.Fprintln(opts.IO.Out, "cardflow run picks it up; follow it with `cardflow show "+ex.ID+opts.Store.Args()+"`.")
	return nil
}

// checkReplay refuses, before anything is written, an execution that
// store.Replay would queue but that cannot run on its definition. What
// store.Replay refuses itself is left to it.
func checkReplay(ctx context.Context, st store.Store, opts *ReplayOptions) error {
	if opts.Registry == nil {
		return nil
	}
	ex, err := st.Execution(ctx, opts.ID)
	if err != nil || !ex.Status.Final() || (!ex.Status.ReplaysUnforced() && !opts.Force) {
		return nil
	}
	err = engine.CheckReplay(ctx, st, engine.CheckOptions{Registry: opts.Registry, Host: lang.Host{LookupEnv: opts.IO.LookupEnv}}, ex)
	switch {
	case errors.Is(err, engine.ErrCannotRun):
		refusal := fmt.Errorf("execution %s is not replayed: %w", ex.ID, err)
		auditCLI(ctx, opts.IO, st, "replay", ex.ID, opts.auditDetail(opts.FromCard), refusal)
		return exit(ExitFailed, refusal)
	case err != nil:
		return exit(ExitProblem, err)
	}
	return nil
}

// auditDetail is a replay's detail in the audit log, as the admin API
// words it: the card it starts from, and whether it was forced.
func (opts *ReplayOptions) auditDetail(from string) string {
	if opts.Force {
		return from + " (forced)"
	}
	return from
}
