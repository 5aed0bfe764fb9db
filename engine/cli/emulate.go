package cli

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cardflow/cardflow/engine/connector"
	"github.com/spf13/cobra"
)

// EmulateOptions are the inputs of cardflow emulate.
type EmulateOptions struct {
	IO       *IOStreams
	System   string
	Listen   string
	Seed     string
	Token    string
	User     string
	Password string
	Faults   []string
	// EnforceRateLimits (Okta) answers 429 once a rate-limit bucket's
	// limit is used up in its window, as Okta does.
	EnforceRateLimits bool
	// RateLimits (Okta) are "bucket=limit" overrides of the buckets'
	// per-minute limits.
	RateLimits []string
	// ConcurrencyLimit (Okta, with EnforceRateLimits) is how many API
	// requests the org processes at once; 0 turns the limit off.
	ConcurrencyLimit int
	// BatchWindow (Okta) amalgamates a hook's events within this long of
	// the first into one delivery.
	BatchWindow time.Duration
	// Pprof serves the emulator's Go profiles under /_emulator/debug/pprof/
	// (emulatorPprof): emulators share the machine with the engine in load
	// tests, and their cost is part of every user's tests.
	Pprof bool
	// Serve starts the emulator of a system (Emulators.Serve).
	Serve map[string]func(ServeEmulatorOptions) (*ServedEmulator, error)
}

// NewCmdEmulate returns `cardflow emulate okta|servicenow`.
func NewCmdEmulate(f *Factory, runF func(*EmulateOptions) error) *cobra.Command {
	opts := &EmulateOptions{IO: f.IO, Serve: f.Emulators.Serve}
	cmd := &cobra.Command{
		Use:   "emulate okta|servicenow",
		Short: "Run the Okta or ServiceNow emulator for local development",
		Example: `  # An Okta org on a fixed port that requires this API token
  cardflow emulate okta --listen 127.0.0.1:9001 --token 00test-token

  # An Okta org that answers 429 after 5 reads of users a minute
  cardflow emulate okta --enforce-rate-limits --rate-limit user_read=5

  # An Okta org that processes at most 4 requests at once
  cardflow emulate okta --enforce-rate-limits --concurrency-limit 4

  # A ServiceNow instance with basic auth
  cardflow emulate servicenow --listen 127.0.0.1:9002 --user admin --password admin`,
		Long: `Serve an in-memory Okta Management API or ServiceNow Table API on a loopback
address, so that flows can be developed and tried with no tenant. The Okta
emulator accepts any SSWS or Bearer token unless --token is given; the
ServiceNow emulator accepts any basic-auth user unless --user is given, and
then only that user with --password (empty without it). --password without
--user, and the other emulator's flags, are refused (exit status 2).

The Okta emulator counts requests in Okta's per-endpoint rate-limit buckets
and reports each request's bucket in X-Rate-Limit-Limit, -Remaining and
-Reset. With --enforce-rate-limits it also answers 429 (E0000047) once a
bucket's limit is used up, until the minute's window resets, as Okta does;
--rate-limit bucket=N lowers (or raises) a bucket's limit. The buckets and
their default limits per minute:

  users 600        GET, POST /api/v1/users
  user_read 2000   GET /api/v1/users/{idOrLogin}
  user_write 600   POST, PUT, DELETE /api/v1/users/{id}
  groups 500       GET, POST /api/v1/groups
  group 1000       GET, PUT, DELETE /api/v1/groups/{id}
  apps 100         /api/v1/apps and /api/v1/apps/{id}/...
  app 500          GET, PUT, DELETE /api/v1/apps/{id}
  logs 120         GET /api/v1/logs
  other 1200       every other /api/v1 endpoint

With --enforce-rate-limits the Okta emulator also enforces Okta's concurrency
limit: at most --concurrency-limit requests (default 75, Okta's default; 0
turns it off) are processed at once, across all endpoints, and a request
beyond them gets 429 E0000047 with X-Rate-Limit-Limit and -Remaining 0, as
Okta answers it.

--delivery-batch-window 2s delivers the events of an Okta event hook that
occur within 2 s of the first in one delivery, as Okta amalgamates events
that occur close together; by default each event is delivered at once,
alone.

Faults are injected with --fault from the start, or into the running emulator
over HTTP, for chaos tests and for trying how flows behave when the API
misbehaves:

  POST   /_emulator/faults   a fault object, or an array of them
  GET    /_emulator/faults   the faults added so far
  DELETE /_emulator/faults   clear every fault

  {"status": 429, "reset_after": "20s", "path": "/api/v1/groups/"}
  {"status": 503, "for": "30s"}                     an outage of 30 s
  {"status": 500, "count": 5, "method": "POST"}     the next five POSTs fail
  {"latency": "35s", "commit": true, "method": "POST", "path": "/api/now/table/incident"}
  {"connection_reset": true, "count": 3}

Fields: method, path (a prefix), status, count (default 1), for (a duration:
every matching request until then), latency, reset_after (when a 429's limit
resets), connection_reset, commit (ServiceNow: the request still commits
after the client gave up; only its answer is lost).`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"okta", "servicenow"},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.System = args[0]
			if err := checkEmulateCredentials(opts.System, cmd.Flags().Changed); err != nil {
				return err
			}
			if err := checkConcurrencyLimit(opts, cmd.Flags().Changed); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return emulateRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Listen, "listen", "127.0.0.1:0", "address to listen on")
	cmd.Flags().StringVar(&opts.Seed, "seed", "", "JSON seed file: the whole seed format or this emulator's part alone (docs/seeds.md)")
	cmd.Flags().StringVar(&opts.Token, "token", "", "Okta: the API token to require")
	cmd.Flags().StringVar(&opts.User, "user", "", "ServiceNow: the basic-auth user to require")
	cmd.Flags().StringVar(&opts.Password, "password", "", "ServiceNow: that user's password")
	cmd.Flags().BoolVar(&opts.EnforceRateLimits, "enforce-rate-limits", false, "Okta: answer 429 once a rate-limit bucket is used up, until its window resets")
	cmd.Flags().StringArrayVar(&opts.RateLimits, "rate-limit", nil, "Okta: a bucket's limit per minute, as bucket=N (repeatable), e.g. user_read=5")
	cmd.Flags().IntVar(&opts.ConcurrencyLimit, "concurrency-limit", oktaDefaultConcurrency, "Okta, with --enforce-rate-limits: requests processed at once, across all endpoints (0: no limit)")
	cmd.Flags().DurationVar(&opts.BatchWindow, "delivery-batch-window", 0, "Okta: deliver an event hook's events that occur within this long of the first together, e.g. 2s (default: each at once)")
	cmd.Flags().BoolVar(&opts.Pprof, "pprof", false, "serve Go profiles under /_emulator/debug/pprof/ (profile, heap, allocs)")
	cmd.Flags().StringArrayVar(&opts.Faults, "fault", nil, `a fault injected from the start, as JSON (repeatable), e.g. '{"status": 503, "for": "30s"}'`)
	return cmd
}

// checkEmulateCredentials refuses credential flags the emulator would
// ignore, leaving it open to any client while the user thinks it checks:
// --password without --user (the ServiceNow emulator requires a password
// only of the --user it names), and another system's flags.
func checkEmulateCredentials(system string, given func(string) bool) error {
	switch {
	case system == "servicenow" && given("password") && !given("user"):
		return exit(ExitUsage, errors.New("--password needs --user: the servicenow emulator requires that user and password; without --user it accepts any user and password"))
	case system == "servicenow" && given("token"):
		return exit(ExitUsage, errors.New("--token is for the okta emulator; the servicenow emulator takes --user and --password"))
	case system == "servicenow" && (given("enforce-rate-limits") || given("rate-limit") || given("concurrency-limit")):
		return exit(ExitUsage, errors.New("--enforce-rate-limits, --rate-limit and --concurrency-limit are for the okta emulator"))
	case system == "servicenow" && given("delivery-batch-window"):
		return exit(ExitUsage, errors.New("--delivery-batch-window is for the okta emulator's event hooks"))
	case system == "okta" && (given("user") || given("password")):
		return exit(ExitUsage, errors.New("--user and --password are for the servicenow emulator; the okta emulator takes --token"))
	}
	return nil
}

// oktaDefaultConcurrency is Okta's default concurrency limit for
// Workforce and Customer Identity orgs.
const oktaDefaultConcurrency = 75

// checkConcurrencyLimit refuses a negative --concurrency-limit, and one
// given without --enforce-rate-limits, which would be ignored.
func checkConcurrencyLimit(opts *EmulateOptions, given func(string) bool) error {
	switch {
	case opts.ConcurrencyLimit < 0:
		return exit(ExitUsage, fmt.Errorf("--concurrency-limit %d: want the number of requests processed at once, or 0 for no limit", opts.ConcurrencyLimit))
	case given("concurrency-limit") && !opts.EnforceRateLimits:
		return exit(ExitUsage, errors.New("--concurrency-limit needs --enforce-rate-limits: without it no limit is enforced"))
	}
	return nil
}

func emulateRun(ctx context.Context, opts *EmulateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if len(opts.Serve) == 0 {
		return exit(ExitProblem, errors.New("this build of cardflow has no emulators"))
	}
	serve, ok := opts.Serve[opts.System]
	if !ok {
		return exit(ExitUsage, fmt.Errorf("emulate %s, not %q", strings.Join(connector.SortedKeys(opts.Serve), " or "), opts.System))
	}
	limits, err := parseRateLimits(opts.RateLimits)
	if err != nil {
		return exit(ExitUsage, err)
	}
	if opts.BatchWindow < 0 {
		return exit(ExitUsage, fmt.Errorf("--delivery-batch-window %s is negative", opts.BatchWindow))
	}
	e, err := serve(ServeEmulatorOptions{Token: opts.Token, User: opts.User, Password: opts.Password, SeedPath: opts.Seed,
		EnforceRateLimits: opts.EnforceRateLimits, RateLimits: limits, ConcurrencyLimit: opts.ConcurrencyLimit,
		DeliveryBatchWindow: opts.BatchWindow})
	if err != nil {
		return exit(ExitUsage, err)
	}
	a := &faultAdmin{next: e.Handler, build: e.Fault, clear: e.ClearFaults}
	if err := a.addFlags(opts.Faults); err != nil {
		e.Close()
		return exit(ExitUsage, err)
	}
	defer e.Close()
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return exit(ExitProblem, err)
	}
	if !isLoopback(ln.Addr()) {
		ln.Close()
		return exit(ExitUsage, errors.New("the emulators listen on loopback addresses only"))
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var h http.Handler = a
	if opts.Pprof {
		h = emulatorPprof(a)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	fmt.Fprintf(opts.IO.Out, "%s emulator listening on http://%s\n", opts.System, ln.Addr())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return exit(ExitProblem, err)
	}
	return nil
}

// parseRateLimits reads the bucket=N values of --rate-limit; the
// emulator checks the bucket names.
func parseRateLimits(flags []string) (map[string]int, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	limits := map[string]int{}
	for _, f := range flags {
		name, n, ok := strings.Cut(f, "=")
		limit, err := strconv.Atoi(strings.TrimSpace(n))
		if !ok || err != nil || limit < 1 || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("--rate-limit %s: want bucket=N with N a positive number of requests per minute, e.g. user_read=5", f)
		}
		limits[strings.TrimSpace(name)] = limit
	}
	return limits, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
