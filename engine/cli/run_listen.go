package cli

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/pflag"

	"github.com/cardflow/cardflow/engine/server"
)

// ListenFlags are the two HTTP surfaces of cardflow run: the public one
// (event hooks, endpoint flows, /healthz) and the admin one (history API,
// replays, health detail, metrics, profiles, console).
type ListenFlags struct {
	Listen         string
	AdminListen    string
	AdminTokenFile string
	// TLSCert and TLSKey serve both listeners over TLS; AdminTLSCert and
	// AdminTLSKey give the admin listener a pair of its own.
	TLSCert, TLSKey           string
	AdminTLSCert, AdminTLSKey string
	IdleTimeout               time.Duration
	AdminWriteTimeout         time.Duration
}

// Fixed server timeouts. A request's headers arrive within
// readHeaderTimeout and its body within readTimeout (hook bodies are at
// most 1 MiB); a public response is written within publicWriteTimeout.
const (
	readHeaderTimeout  = 5 * time.Second
	readTimeout        = 30 * time.Second
	publicWriteTimeout = 30 * time.Second
)

func (l *ListenFlags) register(fl *pflag.FlagSet, io *IOStreams) {
	fl.StringVar(&l.Listen, "listen", envOr(io, "CARDFLOW_LISTEN", "127.0.0.1:8080"),
		"address of the public surface: event hooks, endpoint flows, /healthz (CARDFLOW_LISTEN)")
	// CARDFLOW_ADMIN_LISTEN set to "" means no admin surface, as
	// --admin-listen "" does, not the default address.
	adminListen := "127.0.0.1:9090"
	if v, ok := io.LookupEnv("CARDFLOW_ADMIN_LISTEN"); ok {
		adminListen = v
	}
	fl.StringVar(&l.AdminListen, "admin-listen", adminListen,
		`address of the admin surface: history API, replays, health, /metrics, profiles (CARDFLOW_ADMIN_LISTEN); "" serves none`)
	fl.StringVar(&l.AdminTokenFile, "admin-token-file", envOr(io, "CARDFLOW_ADMIN_TOKENS_FILE", ""),
		"file of hashed admin tokens, made with 'cardflow admin token create'; required unless --admin-listen is on loopback (CARDFLOW_ADMIN_TOKENS_FILE)")
	fl.StringVar(&l.TLSCert, "tls-cert", envOr(io, "CARDFLOW_TLS_CERT", ""), "PEM certificate (chain): serve both surfaces over TLS, reloaded when it changes (CARDFLOW_TLS_CERT)")
	fl.StringVar(&l.TLSKey, "tls-key", envOr(io, "CARDFLOW_TLS_KEY", ""), "PEM private key of --tls-cert (CARDFLOW_TLS_KEY)")
	fl.StringVar(&l.AdminTLSCert, "admin-tls-cert", envOr(io, "CARDFLOW_ADMIN_TLS_CERT", ""), "PEM certificate of the admin surface, if not --tls-cert's (CARDFLOW_ADMIN_TLS_CERT)")
	fl.StringVar(&l.AdminTLSKey, "admin-tls-key", envOr(io, "CARDFLOW_ADMIN_TLS_KEY", ""), "PEM private key of --admin-tls-cert (CARDFLOW_ADMIN_TLS_KEY)")
	fl.DurationVar(&l.IdleTimeout, "idle-timeout", 60*time.Second, "close keep-alive connections idle this long, on both surfaces")
	fl.DurationVar(&l.AdminWriteTimeout, "admin-write-timeout", 60*time.Second,
		"longest an admin response may take to write, slow readers included (profiles extend it by their duration)")
}

// surfaces are the admin authenticator and the TLS configurations the
// flags ask for, checked before anything is opened.
type surfaces struct {
	auth      server.Authenticator // nil: no token file
	publicTLS *tls.Config
	adminTLS  *tls.Config
}

// prepare checks the flags and reads the token file and certificates.
// Every mistake is a usage error (exit 2), reported before the store or a
// port is opened.
func (l *ListenFlags) prepare(log *slog.Logger) (*surfaces, error) {
	if l.Listen == "" {
		return nil, exit(ExitUsage, errors.New("--listen is empty: give the address of the public surface, e.g. 127.0.0.1:8080"))
	}
	if l.IdleTimeout <= 0 || l.AdminWriteTimeout <= 0 {
		return nil, exit(ExitUsage, errors.New("--idle-timeout and --admin-write-timeout must be positive"))
	}
	s := &surfaces{}
	if l.AdminTokenFile != "" {
		tf, err := server.OpenTokenFile(l.AdminTokenFile, log)
		if err != nil {
			return nil, exit(ExitUsage, fmt.Errorf("admin token file: %w", err))
		}
		s.auth = tf
	}
	if l.AdminListen != "" && s.auth == nil && !loopbackAddr(l.AdminListen) {
		return nil, exit(ExitUsage, errNoAdminTokens(l.AdminListen))
	}
	var err error
	if s.publicTLS, err = loadTLS("--tls-cert", "--tls-key", l.TLSCert, l.TLSKey, log); err != nil {
		return nil, err
	}
	s.adminTLS = s.publicTLS
	if l.AdminTLSCert != "" || l.AdminTLSKey != "" {
		if s.adminTLS, err = loadTLS("--admin-tls-cert", "--admin-tls-key", l.AdminTLSCert, l.AdminTLSKey, log); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func errNoAdminTokens(addr string) error {
	return fmt.Errorf("--admin-listen %s is not on loopback and no admin tokens are configured: the admin surface serves "+
		"execution history (names, emails, managers) and replays. Create a token with `cardflow admin token create NAME --role read`, "+
		"add its line to a file and pass --admin-token-file FILE (or CARDFLOW_ADMIN_TOKENS_FILE), or listen on 127.0.0.1", addr)
}

func loadTLS(certFlag, keyFlag, certFile, keyFile string, log *slog.Logger) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, exit(ExitUsage, fmt.Errorf("%s and %s go together: give both, or neither", certFlag, keyFlag))
	}
	cert, err := server.LoadCertificate(certFile, keyFile, log)
	if err != nil {
		return nil, exit(ExitUsage, fmt.Errorf("%s %s, %s %s: %w", certFlag, certFile, keyFlag, keyFile, err))
	}
	return cert.TLSConfig(), nil
}

// loopbackAddr reports whether a listen address is certainly on loopback:
// a loopback IP or "localhost". A host name or an empty host (every
// interface) is not.
func loopbackAddr(addr string) bool {
	_, _, err := net.SplitHostPort(addr)
	return err == nil && server.LoopbackHost(addr)
}

// listening is an open listener and the server that will serve it.
type listening struct {
	ln  net.Listener
	srv *http.Server
}

// listen opens addr with a surface's timeouts and TLS; serve sets the
// server's handler. What net/http itself reports (failed TLS handshakes,
// accept errors, a handler's panic) goes to log at warn level, as a record
// like every other line, not as a plain line in the middle of a JSON log.
func listen(addr string, tlsCfg *tls.Config, writeTimeout, idleTimeout time.Duration, log *slog.Logger) (*listening, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, exit(ExitProblem, err)
	}
	srv := &http.Server{
		TLSConfig:         tlsCfg,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return &listening{ln: ln, srv: srv}, nil
}

// serve serves until the server is shut down.
func (l *listening) serve() error {
	if l.srv.TLSConfig != nil {
		// The configuration's GetCertificate serves the certificate.
		return l.srv.ServeTLS(l.ln, "", "")
	}
	return l.srv.Serve(l.ln)
}

// url is the base URL of the listener, for logs.
func (l *listening) url() string {
	scheme := "http"
	if l.srv.TLSConfig != nil {
		scheme = "https"
	}
	return scheme + "://" + l.ln.Addr().String()
}

// open listens on both surfaces' addresses (the admin one unless it is
// ""). An admin listener without tokens must have landed on loopback.
// The servers' own errors go to log.
func (l *ListenFlags) open(s *surfaces, log *slog.Logger) (pub, adm *listening, err error) {
	pub, err = listen(l.Listen, s.publicTLS, publicWriteTimeout, l.IdleTimeout, log)
	if err != nil || l.AdminListen == "" {
		return pub, nil, err
	}
	adm, err = listen(l.AdminListen, s.adminTLS, l.AdminWriteTimeout, l.IdleTimeout, log)
	if err == nil && s.auth == nil {
		if a, ok := adm.ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			adm.ln.Close()
			err = exit(ExitUsage, errNoAdminTokens(l.AdminListen))
		}
	}
	if err != nil {
		pub.ln.Close()
		return nil, nil, err
	}
	return pub, adm, nil
}

func authName(a server.Authenticator) string {
	if a == nil {
		return "loopback"
	}
	return "tokens"
}
