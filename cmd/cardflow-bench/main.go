// Command cardflow-bench is the end-to-end load benchmark of cardflow: it
// starts the Okta and ServiceNow emulators and `cardflow run` as separate
// processes on loopback, fires Okta event hook deliveries at the
// request_approval flow, and reports throughput, latency, CPU and memory,
// then checks that every delivery produced exactly one incident and one
// succeeded execution. See doc.go.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	opts, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "cardflow-bench:", err)
		os.Exit(2)
	}
	os.Exit(run(opts))
}

// run owns the child processes: they stop on every return, on a panic and
// on SIGINT/SIGTERM (and die with the harness through Pdeathsig otherwise).
func run(opts *options) (code int) {
	kids := &children{}
	defer kids.stopAll()
	defer func() {
		if r := recover(); r != nil {
			kids.killAll()
			fmt.Fprintln(os.Stderr, "cardflow-bench: panic:", r)
			code = 3
		}
	}()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var runs []*options
	if opts.Suite {
		runs = []*options{opts.capacityRun()}
		if opts.Postgres == "" {
			fmt.Fprintln(os.Stderr, "cardflow-bench: PostgreSQL not measured: give -postgres URL (make bench passes $CARDFLOW_TEST_POSTGRES; source .ci/postgres.sh starts a server)")
		}
	} else {
		runs = []*options{opts}
	}
	var results []*result
	for i := 0; i < len(runs); i++ {
		b := &bench{opts: runs[i], kids: kids, log: os.Stderr}
		res, err := b.run(ctx)
		if err != nil {
			fmt.Fprintln(os.Stderr, "cardflow-bench:", err)
			return 1
		}
		results = append(results, res)
		if opts.Suite && i == 0 {
			runs = append(runs, opts.halfRateRun(res.ThroughputRun), opts.heldReadRun(res.ThroughputRun))
			runs = append(runs, opts.postgresRuns()...)
		}
	}
	if err := printResults(os.Stdout, results, opts.JSON); err != nil {
		fmt.Fprintln(os.Stderr, "cardflow-bench:", err)
		return 1
	}
	for _, r := range results {
		if !r.Verified() {
			return 1
		}
	}
	return 0
}
