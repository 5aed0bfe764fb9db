package cli

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/cardflow/cardflow/engine/store"
	"github.com/cardflow/cardflow/engine/store/postgres"
	"github.com/cardflow/cardflow/engine/store/sqlite"
)

// StoreFlags say where the store is: a PostgreSQL URL (--store, shared by
// replicas) or else a SQLite file (--db).
type StoreFlags struct {
	DB    string
	Store string
	// flags is where they were registered, to tell the ones given on the
	// command line (Args).
	flags *pflag.FlagSet
}

func (s *StoreFlags) register(fl *pflag.FlagSet, f *Factory) {
	s.flags = fl
	fl.StringVar(&s.DB, "db", envOr(f.IO, "CARDFLOW_DB", "cardflow.db"), "SQLite file of the store, unless --store is set (CARDFLOW_DB)")
	fl.StringVar(&s.Store, "store", envOr(f.IO, "CARDFLOW_STORE", ""),
		"PostgreSQL store shared by replicas, postgres://user@host/db (CARDFLOW_STORE); overrides --db")
}

// Name is the store for messages and logs, without a password: neither
// the URL's own nor one given as a parameter (?password=, ?sslpassword=,
// which PostgreSQL's drivers take too).
func (s *StoreFlags) Name() string {
	if s.Store == "" {
		return s.DB
	}
	if u, err := url.Parse(s.Store); err == nil && u.Scheme != "" {
		u.RawQuery = redactQuery(u.RawQuery)
		return u.Redacted()
	}
	return "PostgreSQL store"
}

// redactQuery replaces the values of the secret parameters of a raw URL
// query with xxxxx, as url.URL.Redacted does the password, keeping the
// others and their order as written.
func redactQuery(raw string) string {
	if raw == "" {
		return raw
	}
	params := strings.Split(raw, "&")
	for i, p := range params {
		k, _, ok := strings.Cut(p, "=")
		if name, err := url.QueryUnescape(k); ok && err == nil && (strings.EqualFold(name, "password") || strings.EqualFold(name, "sslpassword")) {
			params[i] = k + "=xxxxx"
		}
	}
	return strings.Join(params, "&")
}

// Args are the store flags given on the command line, quoted for a shell,
// with a leading space: what a command that suggests another adds to it so
// that it reads the same store. Flags left to their defaults or to
// CARDFLOW_DB and CARDFLOW_STORE are not repeated (the environment
// carries over), and a --store URL's password is not printed.
func (s *StoreFlags) Args() string {
	if s.flags == nil {
		return ""
	}
	var b strings.Builder
	if s.flags.Changed("store") && s.Store != "" {
		b.WriteString(" --store " + shellQuote(s.Name()))
	} else if s.flags.Changed("db") {
		b.WriteString(" --db " + shellQuote(s.DB))
	}
	return b.String()
}

// shellQuote is s as one word of a POSIX shell command.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// openMode is what a command does with the store it opens.
type openMode int

const (
	toRead   openMode = iota // history, show: an existing store, read-only
	toChange                 // replay, cancel, wake: an existing store, read and written
	toRun                    // run: created when missing, this process's alone
)

// OpenToRead opens an existing store to read it (history, show):
// PostgreSQL when --store is set, else SQLite, read-only. A SQLite file
// that does not exist is an error naming it, never a new empty store.
func (s *StoreFlags) OpenToRead(ctx context.Context) (store.Store, error) { return s.open(ctx, toRead) }

// Open opens an existing store to change executions (replay, cancel,
// wake).
func (s *StoreFlags) Open(ctx context.Context) (store.Store, error) { return s.open(ctx, toChange) }

// OpenToRun opens the store for cardflow run, creating it if needed. A
// SQLite store is then this process's alone (sqlite.Options.Exclusive): a
// second run on the same file fails, and what a crashed run left is
// resumed at once.
func (s *StoreFlags) OpenToRun(ctx context.Context) (store.Store, error) { return s.open(ctx, toRun) }

func (s *StoreFlags) open(ctx context.Context, mode openMode) (store.Store, error) {
	if s.Store == "" {
		if mode != toRun {
			if _, err := os.Stat(s.DB); errors.Is(err, fs.ErrNotExist) {
				return nil, exit(ExitUsage, fmt.Errorf("there is no store at %s: no such file; give the --db (or CARDFLOW_DB) that cardflow run uses", s.DB))
			}
		}
		st, err := sqlite.Open(s.DB, sqlite.Options{Exclusive: mode == toRun, ReadOnly: mode == toRead})
		if err != nil {
			return nil, exit(ExitProblem, fmt.Errorf("opening the store %s: %w", s.DB, err))
		}
		return st, nil
	}
	if !strings.HasPrefix(s.Store, "postgres://") && !strings.HasPrefix(s.Store, "postgresql://") {
		return nil, exit(ExitUsage, fmt.Errorf("--store takes a postgres:// URL, not %q; a SQLite file goes in --db", s.Name()))
	}
	ctx, cancel := context.WithTimeout(orBackground(ctx), 30*time.Second)
	defer cancel()
	st, err := postgres.Open(ctx, s.Store, postgres.Options{ReadOnly: mode == toRead})
	if err != nil {
		return nil, exit(ExitProblem, fmt.Errorf("opening the store %s: %w", s.Name(), err))
	}
	return st, nil
}

// openSQLite opens (or creates) a SQLite store of this process.
func openSQLite(path string) (store.Store, error) { return sqlite.Open(path, sqlite.Options{}) }
