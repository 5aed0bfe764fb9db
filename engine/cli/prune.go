package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/cardflow/cardflow/engine/store"
)

// PruneOptions are the inputs of cardflow prune.
type PruneOptions struct {
	IO            *IOStreams
	Store         StoreFlags
	OlderThan     time.Duration
	IncludeFailed bool
	DryRun        bool
	// OpenStore opens the store of --db/--store (StoreFlags.Open).
	OpenStore func(context.Context) (store.Store, error)
	// Now is the clock --older-than counts back from.
	Now func() time.Time
}

// NewCmdPrune returns `cardflow prune`.
func NewCmdPrune(f *Factory, runF func(*PruneOptions) error) *cobra.Command {
	opts := &PruneOptions{IO: f.IO, Now: time.Now}
	opts.OpenStore = opts.Store.Open
	cmd := &cobra.Command{
		Use: "prune --older-than AGE",
		Example: `  cardflow prune --older-than 30d --dry-run
  cardflow prune --older-than 90d --include-failed --db cardflow.db`,
		Short: "Delete the history of executions that ended long ago",
		Long: `Delete finished executions that ended more than --older-than ago (30d, 36h),
with their journals and trigger payloads, in small batches. Pending and running
executions are never deleted, nor failed ones unless --include-failed: those
stay until replayed. cardflow run does the same in the background (--retain).
With --dry-run it only counts them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !cmd.Flags().Changed("older-than") {
				return exit(ExitUsage, errors.New("prune needs --older-than, such as --older-than 30d"))
			}
			if opts.OlderThan <= 0 {
				return exit(ExitUsage, errors.New("--older-than must be more than 0"))
			}
			if runF != nil {
				return runF(opts)
			}
			return pruneRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().Var(ageValue{&opts.OlderThan}, "older-than", "delete executions that ended more than this long ago: 30d, 36h")
	cmd.Flags().BoolVar(&opts.IncludeFailed, "include-failed", false, "delete failed executions too")
	cmd.Flags().BoolVar(&opts.DryRun, "dry-run", false, "count what would be deleted, delete nothing")
	return cmd
}

func pruneRun(ctx context.Context, opts *PruneOptions) error {
	ctx = orBackground(ctx)
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pr, ok := st.(store.Pruner)
	if !ok {
		return exit(ExitProblem, fmt.Errorf("the store %s cannot delete history", opts.Store.Name()))
	}
	p := store.Prune{Before: opts.Now().Add(-opts.OlderThan), Failed: opts.IncludeFailed}
	what := "finished"
	if opts.IncludeFailed {
		what = "finished or failed"
	}
	since := p.Before.UTC().Format(time.RFC3339)
	if opts.DryRun {
		n, err := pr.Prunable(ctx, p)
		if err != nil {
			return exit(ExitProblem, fmt.Errorf("counting old executions: %w", err))
		}
		fmt.Fprintf(opts.IO.Out, "would delete %d %s executions that ended before %s\n", n, what, since)
		return nil
	}
	n, err := store.PruneAll(ctx, pr, p, 1)
	if err != nil {
		return exit(ExitProblem, fmt.Errorf("deleting old executions (%d deleted): %w", n, err))
	}
	fmt.Fprintf(opts.IO.Out, "deleted %d %s executions that ended before %s\n", n, what, since)
	return nil
}
