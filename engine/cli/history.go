package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

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
	// Text matches the executions' correlation terms from their start.
	Text   string
	Limit  int
	Format string
	// OpenStore opens the store of --db/--store (StoreFlags.OpenToRead).
	OpenStore func(context.Context) (store.Store, error)
	// Now is the clock --since counts back from.
	Now func() time.Time
}

// NewCmdHistory returns `cardflow history`.
func NewCmdHistory(f *Factory, runF func(*HistoryOptions) error) *cobra.Command {
	opts := &HistoryOptions{IO: f.IO, Now: time.Now}
	opts.OpenStore = opts.Store.OpenToRead
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List executions, newest first",
		Example: `  # The last executions in ./cardflow.db
  cardflow history

  # Failed executions of one flow over the last day
  cardflow history --flow provision_on_approval --status failed --since 24h

  # A user's executions, by login, Okta id or a word of their name
  cardflow history --text doe`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Format != "text" && opts.Format != "json" {
				return exit(ExitUsage, fmt.Errorf("--format is text or json, not %q", opts.Format))
			}
			if opts.Limit < 1 {
				return exit(ExitUsage, fmt.Errorf("--limit is a positive number, not %d", opts.Limit))
			}
			if runF != nil {
				return runF(opts)
			}
			return historyRun(cmd.Context(), opts)
		},
	}
	opts.Store.register(cmd.Flags(), f)
	cmd.Flags().StringVar(&opts.Flow, "flow", "", "only this flow")
	cmd.Flags().StringVar(&opts.Status, "status", "", "only this status: "+server.StatusList())
	cmd.Flags().StringVar(&opts.Since, "since", "", "only executions received since a duration ago (24h) or an RFC 3339 time")
	cmd.Flags().StringVar(&opts.Text, "text", "", "only executions with a correlation term (login, email, Okta id, a word of a name, incident number) that starts with this, in any case")
	cmd.Flags().IntVar(&opts.Limit, "limit", 50, "at most this many")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "text or json")
	return cmd
}

func historyRun(ctx context.Context, opts *HistoryOptions) error {
	ctx = orBackground(ctx)
	since, err := server.ParseSince("--since", opts.Since, opts.Now())
	if err != nil {
		return exit(ExitUsage, err)
	}
	if err := server.CheckStatus(opts.Status); err != nil {
		return exit(ExitUsage, err)
	}
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	exs, err := st.Executions(ctx, store.Filter{Flow: opts.Flow, Status: store.Status(opts.Status), Since: since,
		Text: strings.TrimSpace(opts.Text), Limit: opts.Limit})
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
