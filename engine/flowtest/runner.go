package flowtest

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/cardflow/cardflow/engine/config"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/hashicorp/hcl/v2"
)

// DefaultRunTimeout bounds one run in wall-clock time. Retry delays do not
// count: the test clock skips them.
const DefaultRunTimeout = time.Minute

// Options configure Run.
type Options struct {
	Registry *connector.Registry
	// Emulators serve the connectors that emulator blocks name, by
	// connector name (see package flowtest/emulators).
	Emulators map[string]Emulator
	// Parallel bounds how many runs execute at once; 0 means GOMAXPROCS.
	Parallel int
	// Filter selects runs by file and name; nil runs every run.
	Filter func(file, run string) bool
	// Timeout bounds one run; 0 means DefaultRunTimeout.
	Timeout time.Duration
}

// Report is the outcome of the runs of every test file.
type Report struct {
	Runs     []*RunResult
	Duration time.Duration
}

// Passed counts the runs that passed.
func (r *Report) Passed() int {
	n := 0
	for _, run := range r.Runs {
		if run.Passed {
			n++
		}
	}
	return n
}

// Failed counts the runs that failed.
func (r *Report) Failed() int { return len(r.Runs) - r.Passed() }

// RunResult is the outcome of one run block.
type RunResult struct {
	File string
	Name string
	Flow string
	// Passed is true when every expectation held.
	Passed bool
	// Status is how the (last) execution ended, "" when none started.
	Status store.Status
	// Error is the execution's error, if it failed.
	Error string
	// Executions is the number of executions the run started: one per
	// event of the trigger (a delivery may carry several), per repeat.
	Executions int
	// Calls counts action invocations (attempts) by "connector.action".
	Calls map[string]int
	// Waited is the retry delay the test clock skipped.
	Waited   time.Duration
	Duration time.Duration
	// Diagnostics say why the run failed; they point into the test file.
	Diagnostics hcl.Diagnostics
	// Range is the run block's header.
	Range hcl.Range
}

func (r *RunResult) fail(diags ...*hcl.Diagnostic) {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			r.Passed = false
		}
	}
	r.Diagnostics = append(r.Diagnostics, diags...)
}

// Run executes every run block of cfg's test files, in parallel, and
// returns their results in file and declaration order. cfg must have loaded
// without errors and passed Check.
func Run(ctx context.Context, cfg *config.Config, opts Options) *Report {
	start := time.Now()
	if opts.Parallel <= 0 {
		opts.Parallel = runtime.GOMAXPROCS(0)
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultRunTimeout
	}
	type job struct {
		file *config.TestFile
		run  *config.TestRun
	}
	var jobs []job
	files := append([]*config.TestFile(nil), cfg.Tests...)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	for _, tf := range files {
		for _, r := range tf.Runs {
			if opts.Filter == nil || opts.Filter(tf.Name, r.Name) {
				jobs = append(jobs, job{tf, r})
			}
		}
	}
	results := make([]*RunResult, len(jobs))
	sem := make(chan struct{}, opts.Parallel)
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			defer func() {
				// A panic is a bug of cardflow, not of the test: report it
				// as the run's failure rather than lose the other runs.
				if p := recover(); p != nil {
					results[i] = &RunResult{File: j.file.Name, Name: j.run.Name, Flow: j.run.Flow, Range: j.run.DeclRange,
						Diagnostics: hcl.Diagnostics{internal(j.run, fmt.Errorf("panic: %v\n%s", p, debug.Stack()))}}
				}
			}()
			rctx, cancel := context.WithTimeout(ctx, opts.Timeout)
			defer cancel()
			results[i] = runOne(rctx, cfg, j.file.Name, j.run, opts)
		}()
	}
	wg.Wait()
	return &Report{Runs: results, Duration: time.Since(start)}
}

// testHost is what env() and file() see in tests: no environment, so that
// a test passes or fails the same on every machine.
func testHost() lang.Host {
	return lang.Host{LookupEnv: func(string) (string, bool) { return "", false }}
}
