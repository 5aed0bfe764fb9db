package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/cardflow/cardflow/engine"
	"github.com/cardflow/cardflow/engine/console"
	"github.com/cardflow/cardflow/engine/lang"
	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

// ConsoleOptions are the inputs of cardflow console.
type ConsoleOptions struct {
	IO       *IOStreams
	F        *Factory
	Paths    []string
	Listen   string
	Store    StoreFlags
	LogLevel string
	// TokenFile holds the admin tokens browsers sign in with.
	TokenFile string
	Vars      varFlags
	// OpenStore opens the store of --db/--store (StoreFlags.Open).
	OpenStore func(context.Context) (store.Store, error)
	// ready, when set, receives the listening address (tests).
	ready func(addr string)
}

// NewCmdConsole returns `cardflow console`.
func NewCmdConsole(f *Factory, runF func(*ConsoleOptions) error) *cobra.Command {
	opts := &ConsoleOptions{IO: f.IO, F: f}
	opts.OpenStore = opts.Store.Open
	cmd := &cobra.Command{
		Use:   "console [PATH...]",
		Short: "Serve the operator console over a store, without running flows",
		Long: `Serve the web console (executions card by card, replay, tables, health) over a
store that no engine in this process runs: a copy of a production database, or
a PostgreSQL store whose replicas run elsewhere. Given flow paths, it also shows
the flows (drawn as their chains of cards) and their tables. cardflow run serves
the same console on its admin listener under /ui/.`,
		Example: `  cardflow console --db cardflow.db
  cardflow console --store postgres://cardflow@db/cardflow flows/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Paths = args
			if err := checkLogLevel(opts.LogLevel); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return consoleRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Listen, "listen", "127.0.0.1:9090", "address to serve the console on")
	opts.Store.register(fl, f)
	fl.StringVar(&opts.LogLevel, "log-level", "info", "debug, info, warn or error")
	fl.StringVar(&opts.TokenFile, "admin-token-file", envOr(f.IO, "CARDFLOW_ADMIN_TOKENS_FILE", ""),
		"admin tokens to sign in with (CARDFLOW_ADMIN_TOKENS_FILE); required off loopback")
	opts.Vars.register(fl)
	return cmd
}

func consoleRun(ctx context.Context, opts *ConsoleOptions) error {
	ctx = orBackground(ctx)
	if err := checkPaths(opts.Paths); err != nil {
		return err
	}
	if err := opts.Vars.check(); err != nil {
		return err
	}
	log := newLogger(opts.IO, opts.LogLevel, "")
	var auth console.Authenticator
	if opts.TokenFile != "" {
		tf, err := server.OpenTokenFile(opts.TokenFile, log)
		if err != nil {
			return exit(ExitUsage, err)
		}
		auth = consoleAuth(tf)
	} else if !loopbackAddr(opts.Listen) {
		return exit(ExitUsage, errNoAdminTokens(opts.Listen))
	}
	src := &engine.ConsoleSource{Logger: log}
	if len(opts.Paths) > 0 {
		gen, files, diags := engine.Load(opts.Paths, engine.LoadOptions{Registry: opts.F.Registry, Vars: opts.Vars.values(opts.IO),
			Mode: lang.Live, Host: lang.Host{LookupEnv: opts.IO.LookupEnv}})
		if diags.HasErrors() {
			writeDiagnosticsText(opts.IO.ErrOut, files, diags, opts.IO.colorErr)
			return exit(ExitFailed, errors.New("the flow files are not valid"))
		}
		src.Generation = gen
	}
	st, err := opts.OpenStore(ctx)
	if err != nil {
		return exit(ExitProblem, err)
	}
	defer st.Close()
	src.Store = st
	ln, err := net.Listen("tcp", opts.Listen)
	if err != nil {
		return exit(ExitProblem, err)
	}
	c := newConsole(src, auth, log, nil) // no engine, no /metrics
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	fmt.Fprintf(opts.IO.Out, "Console on http://%s/ui/ over %s. Ctrl-C stops it.\n", ln.Addr(), opts.Store.Name())
	if opts.ready != nil {
		opts.ready(ln.Addr().String())
	}
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)
	select {
	case <-sigs:
	case <-ctx.Done():
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return exit(ExitProblem, err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = srv.Shutdown(sctx) // live pages' streams end with the server
	return nil
}

// newConsole is the console over src as cardflow console serves it; obs
// counts the requests it refuses (nil: none are counted).
func newConsole(src console.Source, auth console.Authenticator, log *slog.Logger, obs server.Observer) *console.Console {
	return console.New(console.Options{Source: src, Auth: auth, Logger: log, Observer: obs})
}

// withConsole serves the console under /ui/ beside the admin surface. The
// console signs browsers in with the admin tokens itself (a browser sends
// no Authorization header); everything else goes through the admin
// surface's authentication.
func withConsole(admin http.Handler, auth console.Authenticator, src console.Source, log *slog.Logger, obs server.Observer) http.Handler {
	c := newConsole(src, auth, log, obs)
	mux := http.NewServeMux()
	mux.Handle("/ui/", c)
	mux.Handle("/ui", c)
	mux.Handle("/", admin)
	return mux
}

// digestChecker is an admin authenticator that checks a token by its
// digest (server.TokenFile), as the console does for its sessions.
type digestChecker interface {
	AuthenticateDigest(sum [sha256.Size]byte) (*server.Principal, error)
}

// consoleAuth is the console's view of the admin authenticator: nil (an
// open console) for an admin listener on loopback without tokens.
func consoleAuth(auth server.Authenticator) console.Authenticator {
	dc, ok := auth.(digestChecker)
	if !ok {
		return nil
	}
	return consoleTokens{dc}
}

type consoleTokens struct{ dc digestChecker }

func (c consoleTokens) Authenticate(d console.TokenDigest) (console.Principal, bool) {
	p, err := c.dc.AuthenticateDigest(d)
	if err != nil || p == nil {
		return console.Principal{}, false
	}
	role := console.RoleRead
	if p.Role.Allows(server.RoleOperate) {
		role = console.RoleOperate
	}
	return console.Principal{Name: p.Name, Role: role}, true
}
