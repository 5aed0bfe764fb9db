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
	HoldRead    time.Duration // a reader holds a snapshot of the SQLite store this long, from a quarter into the load
	Drain       time.Duration
	Dir         string
	Pprof       string
	PprofAfter  time.Duration
	PprofEmu    string // a directory: the emulators' and the load generator's CPU profiles
	PprofFor    time.Duration
	JSON        bool
	Quiet       bool
	Suite       bool
	Flow        string // "request_approval" or "incident"
	Postgres    string // a PostgreSQL server's URL: runs use a new database on it (cardflow run --store)
	Replicas    int    // cardflow run processes sharing the PostgreSQL store
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
	fs.DurationVar(&o.HoldRead, "hold-read", 0, "a reader holds a snapshot of the SQLite store this long, from a quarter into the load, as a backup does while it copies (0: none)")
	fs.DurationVar(&o.Drain, "drain-timeout", 60*time.Second, "after the load, how long to wait for the executions to finish")
	fs.StringVar(&o.Dir, "dir", "", "working directory for flows, seed and the SQLite file (default: a temporary one, removed)")
	fs.StringVar(&o.Pprof, "pprof", "", "write a CPU profile of the engine under load to this file (runs cardflow with --pprof)")
	fs.StringVar(&o.PprofEmu, "pprof-emulators", "", "write CPU profiles of the Okta emulator, the ServiceNow emulator and the load generator under load to this directory (okta.pprof, servicenow.pprof, loadgen.pprof; emulate --pprof), over the window of -pprof")
	fs.DurationVar(&o.PprofAfter, "pprof-after", 3*time.Second, "when the profile starts, after the load starts")
	fs.DurationVar(&o.PprofFor, "pprof-seconds", 10*time.Second, "how long the profile runs")
	fs.BoolVar(&o.JSON, "json", false, "print the result as JSON")
	fs.BoolVar(&o.Quiet, "q", false, "no progress lines on stderr")
	fs.BoolVar(&o.Suite, "suite", false, "two runs, one table: the closed loop at -concurrency (default 64) for capacity, then the open loop at half the capacity it measured with a hot reload halfway")
	fs.StringVar(&o.Flow, "flow", "request_approval", "the flow under load: request_approval (read user, compose, create incident, table row) or incident (create the incident from the event alone: the job peers such as Node-RED are compared on)")
	fs.StringVar(&o.Postgres, "postgres", "", "a PostgreSQL server (postgres://user@host:port/db): runs on a new database there, cardflow run --store; with -suite, the PostgreSQL runs are added to the SQLite ones")
	fs.IntVar(&o.Replicas, "replicas", 1, "cardflow run processes sharing the PostgreSQL store (-postgres); deliveries go to each in turn")
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
	if o.Flow != "request_approval" && o.Flow != "incident" {
		return nil, fmt.Errorf("-flow is request_approval or incident, not %q", o.Flow)
	}
	if o.Replicas < 1 || (o.Replicas > 1 && o.Postgres == "") {
		return nil, errors.New("-replicas needs -postgres (SQLite is one process's) and must be at least 1")
	}
	if o.ReloadAt >= o.Duration {
		return nil, errors.New("-reload-at must be shorter than -duration")
	}
	if o.HoldRead > 0 && (o.Postgres != "" || o.HoldRead > o.Duration*3/4) {
		return nil, errors.New("-hold-read is for the SQLite store, and at most three quarters of -duration (the reader starts a quarter in)")
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
	c.Rate, c.ReloadAt, c.HoldRead, c.Suite, c.Postgres, c.Replicas = 0, 0, 0, false, "", 1
	return &c
}

// postgresRuns are the closed-loop runs of -suite on PostgreSQL, with one
// and with three replicas; none without -postgres.
func (o *options) postgresRuns() []*options {
	if o.Postgres == "" {
		return nil
	}
	var runs []*options
	for _, n := range []int{1, 3} {
		c := *o
		c.Rate, c.ReloadAt, c.HoldRead, c.Suite, c.Pprof, c.Replicas = 0, 0, 0, false, "", n
		runs = append(runs, &c)
	}
	return runs
}

func (o *options) halfRateRun(capacity float64) *options {
	h := *o
	h.Concurrency, h.Suite, h.Pprof, h.Postgres, h.Replicas = 0, false, "", "", 1
	h.Rate = math.Max(1, math.Round(capacity/2))
	h.HoldRead = 0
	if h.ReloadAt == 0 {
		h.ReloadAt = h.Duration / 2
	}
	return &h
}

// heldReadRun is the open loop at half the capacity again, with a reader
// holding a snapshot of the store for half the run: what a backup taken
// under load costs the hooks' acknowledgements.
func (o *options) heldReadRun(capacity float64) *options {
	h := o.halfRateRun(capacity)
	h.ReloadAt, h.HoldRead = 0, h.Duration/2
	return h
}

// mode describes the load for the report.
func (o *options) mode() string {
	m := fmt.Sprintf("open loop, %g deliveries/s, %s", o.Rate, o.Duration)
	if o.Concurrency > 0 {
		m = fmt.Sprintf("closed loop, %d executions outstanding, %s", o.Concurrency, o.Duration)
	}
	switch {
	case o.Postgres != "" && o.Replicas > 1:
		m += fmt.Sprintf(", PostgreSQL, %d replicas", o.Replicas)
	case o.Postgres != "":
		m += ", PostgreSQL"
	}
	if o.HoldRead > 0 {
		m += fmt.Sprintf(", a reader holds the store %s", o.HoldRead)
	}
	return m
}
