package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"time"
)

// options are the harness's flags.
type options struct {
	Bin         string
	Rate        float64
	Concurrency int
	Duration    time.Duration
	Users       int
	Seed        string // "api" or "file"
	Workers     int
	Conns       int
	ReloadAt    time.Duration
	Drain       time.Duration
	Dir         string
	Pprof       string
	PprofAfter  time.Duration
	PprofFor    time.Duration
	JSON        bool
	Quiet       bool
	Suite       bool
}

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("cardflow-bench", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&o.Bin, "bin", "bin/cardflow", "the cardflow binary to run (make build)")
	fs.Float64Var(&o.Rate, "rate", 0, "open loop: deliveries per second (0 with -concurrency: closed loop)")
	fs.IntVar(&o.Concurrency, "concurrency", 0, "closed loop: executions outstanding (sent, not yet ended); a delivery is sent when one ends")
	fs.DurationVar(&o.Duration, "duration", 20*time.Second, "how long deliveries are sent")
	fs.IntVar(&o.Users, "users", 0, "users created in the Okta emulator, one per delivery (0: rate*duration, or 6000/s*duration closed loop)")
	fs.StringVar(&o.Seed, "seed", "file", "how users are created: file (emulate okta --seed) or api (POST /api/v1/users?activate=false)")
	fs.IntVar(&o.Workers, "workers", 64, "cardflow run --workers")
	fs.IntVar(&o.Conns, "conns", 256, "open loop: most connections (and deliveries in flight) of the load generator")
	fs.DurationVar(&o.ReloadAt, "reload-at", 0, "hot reload under load: modify the flow file this long after the load starts (0: no reload)")
	fs.DurationVar(&o.Drain, "drain-timeout", 60*time.Second, "after the load, how long to wait for the executions to finish")
	fs.StringVar(&o.Dir, "dir", "", "working directory for flows, seed and the SQLite file (default: a temporary one, removed)")
	fs.StringVar(&o.Pprof, "pprof", "", "write a CPU profile of the engine under load to this file (runs cardflow with --pprof)")
	fs.DurationVar(&o.PprofAfter, "pprof-after", 3*time.Second, "when the profile starts, after the load starts")
	fs.DurationVar(&o.PprofFor, "pprof-seconds", 10*time.Second, "how long the profile runs")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON")
	fs.BoolVar(&o.Quiet, "q", false, "no progress lines on stderr")
	fs.BoolVar(&o.Suite, "suite", false, "two runs, one table: the closed loop at -concurrency (default 64) for capacity, then the open loop at half the capacity it measured with a hot reload halfway")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(nil)
			fs.PrintDefaults()
		}
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %v", fs.Args())
	}
	switch {
	case o.Rate < 0 || o.Concurrency < 0:
		return nil, errors.New("-rate and -concurrency must not be negative")
	case o.Rate > 0 && o.Concurrency > 0:
		return nil, errors.New("choose -rate (open loop) or -concurrency (closed loop), not both")
	case o.Suite && o.Rate > 0:
		return nil, errors.New("-suite picks the rates itself: give -concurrency, not -rate")
	case o.Suite && o.Concurrency == 0:
		o.Concurrency = 64
	case o.Rate == 0 && o.Concurrency == 0:
		o.Rate = 1000
	}
	if o.Duration <= 0 {
		return nil, errors.New("-duration must be positive")
	}
	if o.Seed != "file" && o.Seed != "api" {
		return nil, fmt.Errorf("-seed is file or api, not %q", o.Seed)
	}
	if o.Conns <= 0 {
		o.Conns = 256
	}
	if o.ReloadAt >= o.Duration {
		return nil, errors.New("-reload-at must be shorter than -duration")
	}
	return o, nil
}

// userCount is -users, or one user per delivery the run can send.
func (o *options) userCount() int {
	if o.Users > 0 {
		return o.Users
	}
	perSec := o.Rate
	if perSec == 0 {
		perSec = 6000 // above the loopback ceiling of three HTTP exchanges
	}
	return int(math.Ceil(perSec * o.Duration.Seconds()))
}

// suite is the two runs of -suite; the second is made once the first
// measured the capacity.
func (o *options) capacityRun() *options {
	c := *o
	c.Rate, c.ReloadAt, c.Suite = 0, 0, false
	return &c
}

func (o *options) halfRateRun(capacity float64) *options {
	h := *o
	h.Concurrency, h.Suite, h.Pprof = 0, false, ""
	h.Rate = math.Max(1, math.Round(capacity/2))
	if h.ReloadAt == 0 {
		h.ReloadAt = h.Duration / 2
	}
	return &h
}

// mode describes the load for the report.
func (o *options) mode() string {
	if o.Concurrency > 0 {
		return fmt.Sprintf("closed loop, %d executions outstanding, %s", o.Concurrency, o.Duration)
	}
	return fmt.Sprintf("open loop, %g deliveries/s, %s", o.Rate, o.Duration)
}
