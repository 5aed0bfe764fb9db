package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cardflow/cardflow/engine/plan"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/spf13/cobra"
)

// HistoryOptions are the inputs of cardflow history.
type HistoryOptions struct {
	IO     *IOStreams
	Store  StoreFlags
	Flow   string
	Status string
	Since  string
	Limit  int
	Format string
}

// NewCmdHistory returns `cardflow history`.
func NewCmdHistory(f *Factory, runF func(*HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List executions, newest first",
		Example: `  # The last executions in ./cardflow.db
  cardflow history

  # Failed executions of one flow over the last day
  cardflow history --flow provision_on_approval --status failed --since 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return historyRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().StringVar(&opts.Flow, "flow", "", "only this flow")
	cmd.Flags().StringVar(&opts.Status, "status", "", "only this status: pending, running, waiting, succeeded, failed, halted, filtered")
	cmd.Flags().StringVar(&opts.Since, "since", "", "only executions received since a duration ago (24h) or an RFC 3339 time")
	cmd.Flags().IntVar(&opts.Limit, "limit", 50, "at most this many")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	return cmd
}

func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := plan.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--since is a duration (24h, 7d) or an RFC 3339 time, not %q", s)
	}
	return t, nil
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	ctx = orBackground(ctx)
	since, err := parseSince(opts.Since, time.Now())
	if err != nil {
		return exit(ExitUsage, err)
	}
	switch store.Status(opts.Status) {
	case "", store.Pending, store.Running, store.Waiting, store.Succeeded, store.Failed, store.Halted, store.Filtered:
	default:
		return exit(ExitUsage, fmt.Errorf("unknown status %q", opts.Status))
	}
	st, err := opts.Store.OpenToRead(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	exs, err := st.Executions(ctx, store.Filter{Flow: opts.Flow, Status: store.Status(opts.Status), Since: since, Limit: opts.Limit})
	if err != nil {
		return exit(ExitProblem, err)
	}
	if opts.Format == "json" {
		views := make([]server.ExecutionJSON, 0, len(exs))
		for _, ex := range exs {
			views = append(views, server.ExecutionView(ex, nil))
		}
		return writeJSONOut(opts.IO, map[string]any{"format_version": "1.0", "executions": views})
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tFLOW\tSTATUS\tRECEIVED\tDURATION\tERROR")
	for _, ex := range exs {
		dur := "-"
		if !ex.EndedAt.IsZero() && !ex.StartedAt.IsZero() {
			dur = ex.EndedAt.Sub(ex.StartedAt).Round(time.Millisecond).String()
		}
		status := string(ex.Status)
		if ex.Status == store.Waiting && !ex.WakeAt.IsZero() {
			status += " until " + ex.WakeAt.UTC().Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ex.ID, ex.Flow, status, ex.ReceivedAt.UTC().Format(time.RFC3339), dur, oneLine(ex.Error, 80))
	}
	return tw.Flush()
}

func oneLine(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func writeJSONOut(io *IOStreams, v any) error {
	enc := json.NewEncoder(io.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func orBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}

// ShowOptions are the inputs of cardflow show.
type ShowOptions struct {
	IO     *IOStreams
	Store  StoreFlags
	ID     string
	Format string
	Full   bool
}

// NewCmdShow returns `cardflow show`.
func NewCmdShow(f *Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "show EXECUTION_ID",
		Short: "Show one execution card by card: inputs, output, error, attempts, duration",
		Example: `  # One execution, card by card (IDs come from cardflow history)
  cardflow show 01JD7Q4ZK3M8N6P2R5T9V1W3XY

  # Whole inputs and outputs, uncut
  cardflow show 01JD7Q4ZK3M8N6P2R5T9V1W3XY --full

  # As JSON, from a PostgreSQL store
  cardflow show 01JD7Q4ZK3M8N6P2R5T9V1W3XY --format json --store postgres://cardflow@db/cardflow`,
		Long: `Show one execution: its trigger value, then card by card its inputs, output,
error, attempts and duration, with a line where each replay began. Long values
are cut at 300 characters unless --full is given; --format json is always whole.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID = args[0]
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
	st, err := opts.Store.OpenToRead(ctx)
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
		fmt.Fprintf(w, "  duration    %s (claimed %d×)\n", v.EndedAt.Sub(*v.StartedAt).Round(time.Microsecond), v.Claims)
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

// ReplayOptions are the inputs of cardflow replay.
type ReplayOptions struct {
	IO       *IOStreams
	Store    StoreFlags
	ID       string
	FromCard string
	Force    bool
}

// NewCmdReplay returns `cardflow replay`.
func NewCmdReplay(f *Factory, runF func(*ReplayOptions) error) *cobra.Command {
	opts := &ReplayOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "replay EXECUTION_ID",
		Short: "Re-run a failed execution on its pinned definition from the failed card",
		Example: `  # Re-run a failed execution from its failed card
  cardflow replay 01JD7Q4ZK3M8N6P2R5T9V1W3XY

  # Re-run it from an earlier card
  cardflow replay 01JD7Q4ZK3M8N6P2R5T9V1W3XY --from-card read_user

  # Run a succeeded execution again, writes included
  cardflow replay 01JD7Q4ZK3M8N6P2R5T9V1W3XY --force`,
		Long: `Queue a failed execution to run again on the definition it was pinned to.
Cards before the failed card (or --from-card) keep their journaled outputs; the
failed card and those after it run again. A running cardflow run on the same
store picks the execution up; cardflow show marks where each replay began.

An execution that did not fail (succeeded, halted, filtered) is refused: its
cards would run again, writes included (a second incident). --force replays
it anyway, from --from-card or else from its first card.`,
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
	st, err := opts.Store.Open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := store.Replay(ctx, st, opts.ID, store.ReplayOptions{FromCard: opts.FromCard, Force: opts.Force})
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
	fmt.Fprintln(opts.IO.Out, "cardflow run picks it up; follow it with `cardflow show "+ex.ID+"`.")
	return nil
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
