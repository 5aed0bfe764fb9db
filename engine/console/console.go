package console

import (
	"context"
	"crypto/sha256"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/cardflow/cardflow/engine/server"
	"github.com/cardflow/cardflow/engine/store"
)

// Source is what the console reads and does. The engine's facade
// implements it over a running engine, or over a store alone for
// `cardflow console`.
type Source interface {
	// Flows returns the loaded flows by name and the reload state; none
	// when no flows are loaded.
	Flows() ([]Flow, Reload)
	Executions(ctx context.Context, f store.Filter) ([]*store.Execution, error)
	// Execution returns an execution and its journal; store.ErrNotFound
	// when there is none.
	Execution(ctx context.Context, id string) (*store.Execution, []store.JournalEntry, error)
	// Definition returns the files of the definition an execution was
	// pinned to; store.ErrNotFound when there is none.
	Definition(ctx context.Context, hash string) ([]File, error)
	Tables() []Table
	// TableRows returns up to n rows of a table whose key starts with
	// prefix, after the key after, in key order.
	TableRows(ctx context.Context, table, prefix, after string, n int) ([]Row, error)
	Health(ctx context.Context) Health
	Activity(ctx context.Context, since time.Time, step time.Duration) ([]store.ActivityCount, error)
	// Replay queues a finished execution to run again from fromCard ("":
	// the failed card); force replays a succeeded one. A *Refusal says why
	// it will not, as store.ErrNotFailed and the store's others do.
	Replay(ctx context.Context, id, fromCard string, force bool) error
	// Cancel ends a pending or waiting execution as canceled, as who, for
	// reason ("" when none was given): store.ErrRunning, ErrFinished or
	// ErrNotFound otherwise.
	Cancel(ctx context.Context, id, who, reason string) error
	// Wake makes a waiting execution due now: store.ErrNotWaiting or
	// ErrNotFound otherwise.
	Wake(ctx context.Context, id string) error
	Audit(ctx context.Context, e AuditEntry) error
	// AuditLog returns up to n entries, newest first: the newest, or with
	// before (an entry's Key) those older than that entry.
	AuditLog(ctx context.Context, before string, n int) ([]AuditEntry, error)
}

// Role is what a principal may do.
type Role string

// The roles: read sees everything; operate may also replay, cancel and
// wake executions.
const (
	RoleRead    Role = "read"
	RoleOperate Role = "operate"
)

// Principal is who is signed in.
type Principal struct {
	Name string
	Role Role
}

// TokenDigest is the SHA-256 digest of an admin token. A session keeps the
// digest of the token it was opened with, not the token, and shows it to
// the Authenticator again on every request.
type TokenDigest [sha256.Size]byte

// DigestOf returns the digest of token.
func DigestOf(token string) TokenDigest { return sha256.Sum256([]byte(token)) }

// Authenticator checks admin tokens by their digest. The console asks it
// on every request, of a session too, so that a token deleted or given
// another role since the login takes effect at once.
type Authenticator interface {
	// Authenticate returns the principal of the token with digest d as the
	// tokens are now; false when no token has it.
	Authenticate(d TokenDigest) (Principal, bool)
}

// Options configure a Console.
type Options struct {
	Source Source
	// Auth checks the tokens browsers log in with. Nil: the console is
	// open to whoever reaches it (an admin listener on loopback without
	// tokens) and everyone is an operator named "local".
	Auth   Authenticator
	Logger *slog.Logger
	// Observer counts the requests the console refuses (failed
	// authentication) under the route Prefix; nil counts none.
	Observer server.Observer
	// Prefix is where the console is mounted; "/ui" by default.
	Prefix string
	// Poll is how often live pages look for changes; 500 ms by default.
	Poll time.Duration
	// SessionTTL is how long a login lasts; 12 hours by default.
	SessionTTL time.Duration
	Now        func() time.Time
}

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// Console serves the pages.
type Console struct {
	opts     Options
	pages    map[string]*template.Template
	mux      *http.ServeMux
	sessions *sessions
	// openCSRF is the form token when there is no login (Auth nil): a
	// page on another site still cannot post to a console on loopback.
	openCSRF string
}

// New returns a console. It panics if its embedded templates do not parse,
// which a test catches.
func New(opts Options) *Console {
	if opts.Prefix == "" {
		opts.Prefix = "/ui"
	}
	if opts.Poll <= 0 {
		opts.Poll = 500 * time.Millisecond
	}
	if opts.SessionTTL <= 0 {
		opts.SessionTTL = 12 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Console{opts: opts, sessions: newSessions(opts.SessionTTL, opts.Now), openCSRF: randomToken()}
	c.pages = parsePages(c.funcs())
	static, _ := fs.Sub(staticFiles, "static")
	p := opts.Prefix
	m := http.NewServeMux()
	m.Handle("GET "+p+"/static/", http.StripPrefix(p+"/static/", staticHandler(static)))
	m.HandleFunc("GET "+p+"/login", c.loginPage)
	m.HandleFunc("POST "+p+"/login", c.login)
	m.HandleFunc("POST "+p+"/logout", c.logout)
	m.Handle("GET "+p+"/{$}", c.authed(c.flowsPage))
	m.Handle("GET "+p+"/flows/{name}", c.authed(c.flowPage))
	m.Handle("GET "+p+"/executions", c.authed(c.executionsPage))
	m.Handle("GET "+p+"/executions/{id}", c.authed(c.executionPage))
	m.Handle("POST "+p+"/executions/{id}/replay", c.authed(c.replay))
	m.Handle("POST "+p+"/executions/{id}/cancel", c.authed(c.cancel))
	m.Handle("POST "+p+"/executions/{id}/wake", c.authed(c.wake))
	m.Handle("GET "+p+"/definitions/{hash}", c.authed(c.definitionPage))
	m.Handle("GET "+p+"/tables", c.authed(c.tablesPage))
	m.Handle("GET "+p+"/tables/{name}", c.authed(c.tablePage))
	m.Handle("GET "+p+"/health", c.authed(c.healthPage))
	m.Handle("GET "+p+"/audit", c.authed(c.auditPage))
	m.Handle("GET "+p+"/live", c.authed(c.live))
	m.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, p+"/", http.StatusFound) })
	// Any other address under the prefix (a mistyped or truncated link) is
	// the console's own not-found page, with its navigation.
	m.Handle("GET "+p+"/", c.authed(c.unknownPage))
	c.mux = m
	return c
}

// ServeHTTP implements http.Handler.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// Nothing is loaded from elsewhere; nothing may frame the console.
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

func staticHandler(fsys fs.FS) http.Handler {
	files := http.FileServerFS(fsys)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=300")
		files.ServeHTTP(w, r)
	})
}
