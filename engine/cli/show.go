package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/spf13/cobra"
)

// ShowOptions are the inputs of cardflow show.
type ShowOptions struct {
	IO     *IOStreams
	Store  StoreFlags
	ID     string
	Format string
	Full   bool
	// OpenStore opens the store of --db/--store (StoreFlags.OpenToRead).
	OpenStore func(context.Context) (store.Store, error)
}

// NewCmdShow returns `cardflow show`.
func NewCmdShow(f *Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO}
	opts.OpenStore = opts.Store.OpenToRead
	cmd := &cobra.Command{
		Use:   "show EXECUTION_ID",
		Short: "Show one execution card by card: inputs, output, error, attempts, duration",
		Example: `  # One execution, card by card (IDs come from cardflow history)
  cardflow show ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY

  # Whole inputs and outputs, uncut
  cardflow show ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY --full

  # As JSON, from a PostgreSQL store
  cardflow show ex_01JD7Q4ZK3M8N6P2R5T9V1W3XY --format json --store postgres://cardflow@db/cardflow`,
		Long: `Show one execution: its trigger value, then card by card its inputs, output,
error, attempts and duration, with a line where each replay began. Long values
are cut at 300 characters unless --full is given; --format json is always whole.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
			if opts.Format != "text" && opts.Format != "json" {
				return exit(ExitUsage, fmt.Errorf("--format is text or json, not %q", opts.Format))
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	cmd.Flags().BoolVar(&opts.Full, "full", false, "print whole trigger values, inputs and outputs instead of cutting them at 300 characters")
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	ctx = orBackground(ctx)
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ex, journal, err := executionWithJournal(ctx, st, opts.ID, opts.Store.Name())
	if err != nil {
		return err
	}
	view := server.ExecutionView(ex, journal)
	if opts.Format == "json" {
		return writeJSONOut(opts.IO, view)
	}
	printExecution(opts.IO, view, opts.Full)
	return nil
}

// printExecution prints an execution card by card; values are cut to one
// line of 300 characters unless full.
func printExecution(io *IOStreams, v server.ExecutionJSON, full bool) {
	w := io.Out
	fmt.Fprintf(w, "Execution %s\n", v.ID)
	fmt.Fprintf(w, "  flow        %s (definition %s)\n", v.Flow, orDash(v.DefinitionHash))
	fmt.Fprintf(w, "  status      %s\n", v.Status)
	if v.WakeAt != nil && v.Status == string(store.Waiting) {
		fmt.Fprintf(w, "  wakes at    %s (parked: no worker holds it; it resumes then)\n", v.WakeAt.UTC().Format(time.RFC3339Nano))
	}
	fmt.Fprintf(w, "  event       %s\n", v.DedupKey)
	if v.ReceivedAt != nil {
		fmt.Fprintf(w, "  received    %s\n", v.ReceivedAt.UTC().Format(time.RFC3339Nano))
	}
	if v.StartedAt != nil && v.EndedAt != nil {
		fmt.Fprintf(w, "  duration    %s%s\n", v.EndedAt.Sub(*v.StartedAt).Round(time.Microsecond), durationNote(v))
	}
	if v.Error != "" {
		fmt.Fprintf(w, "  error       %s\n", v.Error)
	}
	if len(v.Trigger) > 0 && string(v.Trigger) != "null" {
		fmt.Fprintf(w, "  trigger     %s\n", compactJSON(v.Trigger, full))
	}
	if len(v.Output) > 0 {
		fmt.Fprintf(w, "  output      %s\n", v.Output)
	}
	fmt.Fprintln(w)
	for i, c := range v.Cards {
		if c.Status == string(store.EntryReset) && (i == 0 || v.Cards[i-1].Status != string(store.EntryReset)) {
			fmt.Fprintf(w, "  ── replayed from %s at %s ──\n", c.Card, c.StartedAt.UTC().Format(time.RFC3339))
		}
		name := c.Card
		if c.Key != "" {
			name += "[" + c.Key + "]"
		}
		fmt.Fprintf(w, "  %-28s %-8s attempt %d  %8.1f ms\n", name, c.Status, c.Attempt, c.DurationMS)
		if len(c.Input) > 0 && string(c.Input) != "null" {
			fmt.Fprintf(w, "      input   %s\n", compactJSON(c.Input, full))
		}
		if len(c.Output) > 0 && string(c.Output) != "null" {
			fmt.Fprintf(w, "      output  %s\n", compactJSON(c.Output, full))
		}
		if c.Error != "" {
			fmt.Fprintf(w, "      error   %s (%s)\n", c.Error, c.ErrorKind)
		}
	}
}

// durationNote says how the execution's time was spent: the worker claims
// it took, or that a cancel ended it while parked (a parked execution holds
// no claim, so its count reads 0 then).
func durationNote(v server.ExecutionJSON) string {
	if v.Status == string(store.Canceled) {
		for _, c := range v.Cards {
			if c.Status == string(store.EntryWaitCanceled) {
				return " (canceled while waiting; " + c.Card + " never woke)"
			}
		}
	}
	if v.Claims == 0 {
		return ""
	}
	return fmt.Sprintf(" (claimed %d×)", v.Claims)
}

// compactJSON is b on one line, cut at 300 characters unless full.
func compactJSON(b []byte, full bool) string {
	var x any
	if json.Unmarshal(b, &x) != nil {
		return string(b)
	}
	out, _ := json.Marshal(x)
	if full {
		return string(out)
	}
	return oneLine(string(out), 300)
}

// executionWithJournal reads an execution and its journal; an unknown id is
// the user's mistake (exit 1), anything else the store's.
func executionWithJournal(ctx context.Context, st store.History, id, where string) (*store.Execution, []store.JournalEntry, error) {
	ex, err := st.Execution(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, exit(ExitFailed, fmt.Errorf("no execution %s in %s", id, where))
	}
	if err != nil {
		return nil, nil, exit(ExitProblem, err)
	}
	journal, err := st.Journal(ctx, ex.ID)
	if err != nil {
		return nil, nil, exit(ExitProblem, err)
	}
	return ex, journal, nil
}
