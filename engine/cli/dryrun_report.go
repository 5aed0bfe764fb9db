package cli

import (
	"fmt"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/server"
)

// dryRunReport is what cardflow dry-run prints. Format 1.1 added events.
type dryRunReport struct {
	FormatVersion string `json:"format_version"`
	Flow          string `json:"flow"`
	Mode          string `json:"mode"`
	// WouldSucceed is true when every execution would succeed.
	WouldSucceed bool `json:"would_succeed"`
	// The execution, when one ran: for a trigger value, or a delivery of
	// which the trigger takes one event.
	*dryRunOutcome
	// Events are a delivery's events in order, each with why it starts
	// no execution, or whether its execution would succeed and, when the
	// delivery starts several, the execution.
	Events      []dryRunEventReport `json:"events,omitempty"`
	Diagnostics []jsonDiagnostic    `json:"diagnostics"`
}

// dryRunOutcome is one execution of a dry run.
type dryRunOutcome struct {
	Execution server.ExecutionJSON      `json:"execution"`
	Writes    []engine.InterceptedWrite `json:"intercepted_writes"`
	ok        bool                      // the execution would succeed
}

// dryRunEventReport is one event of a delivery.
type dryRunEventReport struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Skipped says why cardflow run would start no execution for it.
	Skipped      string `json:"skipped,omitempty"`
	WouldSucceed *bool  `json:"would_succeed,omitempty"`
	*dryRunOutcome
}

// newDryRunReport pairs the events of input with results, one per event
// that ran, in order.
func newDryRunReport(flow string, live bool, input dryRunInput, results []*engine.DryRunResult, diags []jsonDiagnostic) dryRunReport {
	r := dryRunReport{FormatVersion: "1.1", Flow: flow, Mode: "emulators", WouldSucceed: true, Diagnostics: diags}
	if live {
		r.Mode = "live"
	}
	outcomes := make([]*dryRunOutcome, len(results))
	for i, res := range results {
		outcomes[i] = &dryRunOutcome{Execution: server.ExecutionView(res.Execution, res.Journal), Writes: res.Writes, ok: res.WouldSucceed}
		r.WouldSucceed = r.WouldSucceed && res.WouldSucceed
	}
	if len(outcomes) == 1 {
		r.dryRunOutcome = outcomes[0]
	}
	if !input.delivery {
		return r
	}
	next := 0
	for _, ev := range input.events {
		er := dryRunEventReport{ID: ev.ID, Type: ev.Type, Skipped: ev.Skipped}
		if ev.Skipped == "" {
			o := outcomes[next]
			er.WouldSucceed = &o.ok
			if r.dryRunOutcome == nil { // else it is the report's own
				er.dryRunOutcome = o
			}
			next++
		}
		r.Events = append(r.Events, er)
	}
	return r
}

func printDryRun(io *IOStreams, r dryRunReport) {
	w := io.Out
	if r.Mode == "live" {
		fmt.Fprintf(w, "Dry run of %s against the live tenants, reading only: no write was sent.\n\n", r.Flow)
	} else {
		fmt.Fprintf(w, "Dry run of %s against the built-in emulators: no write reached a tenant.\n\n", r.Flow)
	}
	if len(r.Events) <= 1 { // a trigger value, or a delivery of one event
		printDryRunOutcome(io, r.dryRunOutcome)
		return
	}
	ran, failed := 0, 0
	for _, ev := range r.Events {
		if ev.WouldSucceed != nil {
			ran++
			if !*ev.WouldSucceed {
				failed++
			}
		}
	}
	against := "emulators"
	if r.Mode == "live" {
		against = "tenants"
	}
	fmt.Fprintf(w, "The delivery has %d events; the trigger of %s takes %d. Each runs as its own execution, in order, against the same %s.\n\n",
		len(r.Events), r.Flow, ran, against)
	for i, ev := range r.Events {
		fmt.Fprintf(w, "── event %d of %d: %s (%s) ──\n", i+1, len(r.Events), ev.ID, ev.Type)
		o := ev.dryRunOutcome
		if o == nil {
			o = r.dryRunOutcome // the one execution
		}
		if ev.Skipped != "" || o == nil {
			fmt.Fprintf(w, "Skipped: %s; cardflow run would start no execution for it.\n\n", ev.Skipped)
			continue
		}
		printDryRunOutcome(io, o)
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "Of the delivery's %d events, %d would start an execution (%d would succeed, %d would fail) and %d would not.\n",
		len(r.Events), ran, ran-failed, failed, len(r.Events)-ran)
}

// printDryRunOutcome prints one execution: its trace, the writes that
// would be sent and how it would end.
func printDryRunOutcome(io *IOStreams, o *dryRunOutcome) {
	w := io.Out
	printExecution(io, o.Execution, false)
	fmt.Fprintln(w)
	if len(o.Writes) == 0 {
		fmt.Fprintln(w, "No writes would be sent.")
	} else {
		fmt.Fprintf(w, "Writes that would be sent (%d):\n", len(o.Writes))
		emulated := false
		for _, c := range o.Writes {
			note := ""
			if c.Emulated {
				note, emulated = " (emulated)", true
			}
			fmt.Fprintf(w, "  %-24s %s %s%s\n", c.Card, c.Action, compactJSON(c.Input, false), note)
		}
		if emulated {
			fmt.Fprintln(w, "Emulated writes went to the dry run's own emulators, now thrown away; later cards saw their answers.")
		}
	}
	fmt.Fprintln(w)
	if o.ok {
		fmt.Fprintf(w, "The flow would end %s.\n", o.Execution.Status)
	} else {
		fmt.Fprintf(w, "The flow would fail: %s\n", o.Execution.Error)
	}
}
