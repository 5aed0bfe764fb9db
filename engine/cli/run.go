package cli

import (
	"context"
	"errors"
	"fmt"
	stdio "io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/reload"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
	"github.com/spf13/cobra"
)

// RunOptions are the inputs of cardflow run.
type RunOptions struct {
	IO         *IOStreams
	F          *Factory
	Paths      []string
	Net        ListenFlags
	Store      StoreFlags
	Workers    int
	InboxLimit int
	AckWait    time.Duration
	Drain      time.Duration
	Watch      bool
	LogLevel   string
	// LogFormat is text or json; empty picks text for a terminal.
	LogFormat string
	// Pprof serves net/http/pprof under /debug/pprof/ on the admin surface.
	Pprof bool
	Vars  varFlags
	// Retain deletes old history in the background.
	Retain retainFlags
	// OpenStore opens the store of --db/--store (StoreFlags.OpenToRun).
	OpenStore func(context.Context) (store.Store, error)
	// NewEngine builds the engine that serves the flows (engine.New).
	NewEngine func(engine.Options) *engine.Engine
}

// NewCmdRun returns `cardflow run`.
func NewCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{IO: f.IO, F: f, NewEngine: engine.New}
	opts.OpenStore = opts.Store.OpenToRun
	cmd := &cobra.Command{
		Use:   "run [PATH...]",
		Short: "Serve flows: event hooks, endpoints, pollers, workers, hot reload",
		Example: `  # Serve ./flows on 127.0.0.1:8080 with the store in ./cardflow.db
  cardflow run

  # Another port, text logs, a variable set
  cardflow run --listen 127.0.0.1:8181 --log-format text --var 'groups=["Employees"]' flows`,
		Long: `Load the flows under the paths (default ./flows) and run them until SIGTERM or
SIGINT. The public surface (--listen) takes Okta event hooks on
/hooks/okta/<connection>, endpoint flows on /flows/<flow>/invoke, and answers
/healthz (the status only). The admin surface (--admin-listen, default
127.0.0.1:9090) serves the history API /api/v1/executions, replays, the health
detail /api/v1/health, /metrics and, with --pprof, profiles; off loopback it
needs --admin-token-file. Flow files are watched: a valid change
is swapped in atomically, an invalid one is logged and the running flows stay.
SIGHUP reloads too. Executions and their journal live in the SQLite file given
by --db, or in PostgreSQL with --store postgres://…: any number of replicas on
one database share the work (every replica serves hooks and executes; pollers
run on one replica at a time).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if len(opts.Paths) == 0 {
				opts.Paths = []string{"flows"}
			}
			switch opts.LogFormat {
			case "", "text", "json":
			default:
				return exit(ExitUsage, fmt.Errorf("--log-format is text or json, not %q", opts.LogFormat))
			}
			if err := opts.check(); err != nil {
				return err
			}
			if err := opts.Retain.check(cmd.Flags()); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	opts.Net.register(fl, f.IO)
	opts.Store.register(fl, f)
	fl.IntVar(&opts.Workers, "workers", 64, "executions run concurrently")
	fl.IntVar(&opts.InboxLimit, "inbox-limit", 100000, "pending executions above which intake answers 503 and pollers wait")
	fl.DurationVar(&opts.AckWait, "ack-wait", time.Second, "when every worker is busy, how long an event hook delivery or endpoint call is held waiting for one before its event is queued and acknowledged (0: never held)")
	fl.DurationVar(&opts.Drain, "drain", 10*time.Second, "on shutdown, how long running executions may finish")
	fl.BoolVar(&opts.Watch, "watch", true, "reload when flow files change")
	fl.StringVar(&opts.LogLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&opts.LogFormat, "log-format", "", "text or json (default: text when stderr is a terminal, else json)")
	fl.BoolVar(&opts.Pprof, "pprof", false, "serve Go profiles under /debug/pprof/ on the admin surface (role operate)")
	opts.Vars.register(fl)
	opts.Retain.register(fl, f)
	return cmd
}

// check refuses values of the engine's flags that it would otherwise
// replace with a default of its own (--workers 0 ran 16 workers, --drain 0
// drained for 10s, --log-level verbose logged at info) or that mean
// nothing: the operator learns of the mistake at once rather than from
// how the process behaves.
func (o *RunOptions) check() error {
	switch {
	case o.Workers < 1:
		return exit(ExitUsage, fmt.Errorf("--workers must be at least 1, not %d", o.Workers))
	case o.InboxLimit < 1:
		return exit(ExitUsage, fmt.Errorf("--inbox-limit must be at least 1, not %d", o.InboxLimit))
	case o.AckWait < 0:
		return exit(ExitUsage, fmt.Errorf("--ack-wait must not be negative (0 never holds a delivery), not %v", o.AckWait))
	case o.Drain <= 0:
		return exit(ExitUsage, fmt.Errorf("--drain must be positive, not %v", o.Drain))
	}
	return checkLogLevel(o.LogLevel)
}

// checkLogLevel refuses a --log-level that is not debug, info, warn or
// error.
func checkLogLevel(level string) error {
	switch strings.ToLower(level) {
	case "debug", "info", "warn", "error":
		return nil
	}
	return exit(ExitUsage, fmt.Errorf("--log-level is debug, info, warn or error, not %q", level))
}

func envOr(io *IOStreams, name, def string) string {
	if v, ok := io.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

// newLogger logs to stderr: text for a person at a terminal, JSON lines
// for a log collector (the default when stderr is not a terminal).
func newLogger(io *IOStreams, level, format string) *slog.Logger {
	return newLoggerTo(io.ErrOut, io.ttyErr, level, format)
}

// newLoggerTo logs to w, which is stderr (a terminal when tty).
func newLoggerTo(w stdio.Writer, tty bool, level, format string) *slog.Logger {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		lv = slog.LevelInfo
	}
	hopts := &slog.HandlerOptions{Level: lv}
	if format == "text" || (format == "" && tty) {
		return slog.New(slog.NewTextHandler(w, hopts))
	}
	return slog.New(slog.NewJSONHandler(w, hopts))
}

func runRun(ctx context.Context, opts *RunOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	if err := opts.Vars.check(); err != nil {
		return err
	}
	// The log's lines go out through one goroutine (logWriter); so does
	// what else run writes to stderr meanwhile, to keep the order.
	stderr := newLogWriter(ctx, opts.IO.ErrOut)
	defer stderr.Close()
	log := newLoggerTo(stderr, opts.IO.ttyErr, opts.LogLevel, opts.LogFormat)
	surf, err := opts.Net.prepare(log)
	if err != nil {
		return err
	}
	tuneGC()
	// Invalid flows are refused before the store is touched: a first run
	// with a mistake must not leave an empty store and its lock behind.
	// Warnings are left to the engine's reload, which logs them.
	loadOpts := engine.LoadOptions{Registry: opts.F.Registry, Vars: opts.Vars.values(opts.IO), Mode: lang.Live, Host: lang.Host{LookupEnv: opts.IO.LookupEnv}}
	if _, files, diags := engine.Load(opts.Paths, loadOpts); diags.HasErrors() {
		writeDiagnosticsText(stderr, files, diags, opts.IO.colorErr)
		return exit(ExitFailed, errors.New("the flows are not valid; nothing was started"))
	}
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	pub, adm, err := opts.Net.open(surf, log)
	if err != nil {
		return err
	}
	defer pub.ln.Close()
	if adm != nil {
		defer adm.ln.Close()
	}
	return serve(ctx, opts, st, surf, pub, adm, log, stderr)
}

// serve runs an engine on st, its public surface on pub and its admin
// surface on adm (if any), until a signal. log writes to stderr.
func serve(ctx context.Context, opts *RunOptions, st store.Store, surf *surfaces, pub, adm *listening, log *slog.Logger, stderr stdio.Writer) error {
	eng := opts.NewEngine(engine.Options{
		Registry:   opts.F.Registry,
		Store:      st,
		Paths:      opts.Paths,
		Vars:       opts.Vars.values(opts.IO),
		Host:       lang.Host{LookupEnv: opts.IO.LookupEnv},
		Logger:     log,
		Workers:    opts.Workers,
		InboxLimit: opts.InboxLimit,
		AckWait:    opts.AckWait,
		Drain:      opts.Drain,
		Retention:  opts.Retain.retention(),
	})
	if _, err := eng.Reload(ctx); err != nil {
		_, files, diags := engine.Load(opts.Paths, engine.LoadOptions{Registry: opts.F.Registry, Vars: opts.Vars.values(opts.IO), Mode: lang.Live, Host: lang.Host{LookupEnv: opts.IO.LookupEnv}})
		writeDiagnosticsText(stderr, files, diags, opts.IO.colorErr)
		return exit(ExitFailed, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)

	servers, attrs := mountSurfaces(eng, opts, surf, pub, adm, log)
	srvErr := make(chan error, len(servers))
	for _, l := range servers {
		go func() { srvErr <- l.serve() }()
	}
	log.Info("serving", append(attrs, "store", opts.Store.Name())...)
	engErr := make(chan error, 1)
	go func() { engErr <- eng.Run(runCtx) }()
	watchDone := make(chan struct{})
	reloadNow := func() {
		if _, err := eng.Reload(runCtx); err == nil {
			log.Info("reload accepted", "generation", eng.Health().Detail.(map[string]any)["generation"])
		}
	}
	if opts.Watch {
		w := &reload.Watcher{Paths: opts.Paths, Reload: reloadNow, Logger: log}
		go func() {
			defer close(watchDone)
			if err := w.Run(runCtx); err != nil {
				log.Error("watching flow files failed; reload with SIGHUP", "err", err)
			}
		}()
	} else {
		close(watchDone)
	}
	for {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGHUP {
				reloadNow()
				continue
			}
			log.Info("shutting down: intake stops, running executions drain", "signal", sig.String(), "drain", opts.Drain.String())
		case err := <-srvErr:
			if err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("HTTP server failed", "err", err)
			}
		case <-ctx.Done():
		}
		break
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	for _, l := range servers {
		_ = l.srv.Shutdown(sctx)
	}
	cancel()
	stop()
	err := <-engErr
	<-watchDone
	log.Info("stopped")
	return err
}

// mountSurfaces gives the listeners the engine's handlers and returns those
// to serve, with their addresses for the "serving" log line.
func mountSurfaces(eng *engine.Engine, opts *RunOptions, surf *surfaces, pub, adm *listening, log *slog.Logger) ([]*listening, []any) {
	pub.srv.Handler = eng.Handler()
	attrs := []any{"addr", pub.ln.Addr().String(), "url", pub.url()}
	if adm == nil {
		return []*listening{pub}, attrs
	}
	auth := surf.auth
	if auth == nil {
		// open refused a listener off loopback without tokens.
		auth = server.LoopbackTrust{}
	}
	audit := engine.Auditor{Store: eng.Store(), Logger: log}
	admin := eng.Admin(server.AdminOptions{Auth: auth, Auditor: audit, Pprof: opts.Pprof})
	adm.srv.Handler = withConsole(admin, consoleAuth(surf.auth), &engine.ConsoleSource{Store: eng.Store(), Engine: eng, Logger: log}, log, eng.Metrics())
	attrs = append(attrs, "admin_addr", adm.ln.Addr().String(), "admin_url", adm.url(), "admin_auth", authName(surf.auth))
	return []*listening{pub, adm}, attrs
}
