package cli_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/cli/emulators"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
)

// parseFlags runs a command's flag parsing through its runF and returns
// the options it would run with; nothing runs. A usage error returns nil
// options and the error.
func parseFlags[O any](t *testing.T, newCmd func(*cli.Factory, func(*O) error) *cobra.Command, args ...string) (*O, error) {
	t.Helper()
	f := &cli.Factory{
		IO:        &cli.IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}},
		Registry:  connector.NewRegistry(core.Connectors()...),
		Emulators: emulators.Default(),
	}
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&strings.Builder{})
	cmd.SetErr(&strings.Builder{})
	if err := cmd.Execute(); err != nil {
		if got != nil {
			t.Fatalf("%v: runF was called although parsing failed: %v", args, err)
		}
		return nil, err
	}
	if got == nil {
		t.Fatalf("%v: runF was not called", args)
	}
	return got, nil
}

func mustParse[O any](t *testing.T, newCmd func(*cli.Factory, func(*O) error) *cobra.Command, args ...string) *O {
	t.Helper()
	o, err := parseFlags(t, newCmd, args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return o
}

func diff(t *testing.T, want, got any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("options (-want +got):\n%s", d)
	}
}

// needs fails when a function-typed dependency was not wired.
func needs(t *testing.T, deps map[string]bool) {
	t.Helper()
	for name, set := range deps {
		if !set {
			t.Errorf("the options lack %s", name)
		}
	}
}

func TestFlagsValidate(t *testing.T) {
	o := mustParse(t, cli.NewCmdValidate, "--format", "json", "--check-env", "a", "b")
	diff(t, []any{[]string{"a", "b"}, "json", true}, []any{o.Paths, o.Format, o.CheckEnv})
	needs(t, map[string]bool{"Emulators": o.Emulators != nil})
	if _, err := parseFlags(t, cli.NewCmdValidate, "--format", "yaml"); err == nil {
		t.Error("--format yaml: want a usage error")
	}
}

func TestFlagsFmt(t *testing.T) {
	o := mustParse(t, cli.NewCmdFmt, "-check", "-diff", "flows/a")
	diff(t, []any{[]string{"flows/a"}, true, true}, []any{o.Paths, o.Check, o.Diff})
	o = mustParse(t, cli.NewCmdFmt)
	diff(t, []any{[]string{"flows"}, false, false}, []any{o.Paths, o.Check, o.Diff})
}

func TestFlagsDryRun(t *testing.T) {
	o := mustParse(t, cli.NewCmdDryRun, "request_approval", "--event", "e.json", "--seed", "s.json", "--live", "--format", "json", "p")
	diff(t, []any{"request_approval", "e.json", "s.json", true, "json", []string{"p"}},
		[]any{o.Flow, o.Event, o.Seed, o.Live, o.Format, o.Paths})
	needs(t, map[string]bool{"StartEmulators": o.StartEmulators != nil})
	o = mustParse(t, cli.NewCmdDryRun, "f", "--event", "e.json")
	diff(t, []any{[]string{"flows"}, "text", false}, []any{o.Paths, o.Format, o.Live})
	if _, err := parseFlags(t, cli.NewCmdDryRun, "f"); err == nil {
		t.Error("no --event: want a usage error")
	}
}

func TestFlagsDocs(t *testing.T) {
	o := mustParse(t, cli.NewCmdDocs, "http", "http.request")
	diff(t, []string{"http", "http.request"}, o.Names)
	needs(t, map[string]bool{"Registry": o.Registry != nil})
}

func TestFlagsRun(t *testing.T) {
	o := mustParse(t, cli.NewCmdRun, "--workers", "4", "--inbox-limit", "10", "--drain", "5s", "--watch=false",
		"--log-level", "debug", "--log-format", "json", "--db", "x.db", "--listen", "127.0.0.1:0", "p")
	diff(t, []any{[]string{"p"}, 4, 10, 5 * time.Second, false, "debug", "json", "x.db", "127.0.0.1:0"},
		[]any{o.Paths, o.Workers, o.InboxLimit, o.Drain, o.Watch, o.LogLevel, o.LogFormat, o.Store.DB, o.Net.Listen})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil, "NewEngine": o.NewEngine != nil})
}

func TestFlagsDemo(t *testing.T) {
	o := mustParse(t, cli.NewCmdDemo, "--dir", "d", "--timeout", "5s", "--console", "--console-listen", "127.0.0.1:0")
	diff(t, []any{"d", 5 * time.Second, true, "127.0.0.1:0"}, []any{o.Dir, o.Timeout, o.Console, o.ConsoleListen})
	needs(t, map[string]bool{"Tenants": o.Tenants != nil, "NewEngine": o.NewEngine != nil, "OpenStore": o.OpenStore != nil})
}

func TestFlagsEmulate(t *testing.T) {
	o := mustParse(t, cli.NewCmdEmulate, "servicenow", "--listen", "127.0.0.1:9002", "--user", "admin", "--password", "pw",
		"--seed", "s.json", "--fault", `{"status": 503}`, "--fault", `{"latency": "1s"}`)
	diff(t, []any{"servicenow", "127.0.0.1:9002", "admin", "pw", "s.json", []string{`{"status": 503}`, `{"latency": "1s"}`}},
		[]any{o.System, o.Listen, o.User, o.Password, o.Seed, o.Faults})
	needs(t, map[string]bool{"Serve okta": o.Serve["okta"] != nil, "Serve servicenow": o.Serve["servicenow"] != nil})
	if _, err := parseFlags(t, cli.NewCmdEmulate); err == nil {
		t.Error("no system: want a usage error")
	}
}

func TestFlagsHistory(t *testing.T) {
	o := mustParse(t, cli.NewCmdHistory, "--flow", "f", "--status", "failed", "--since", "24h", "--text", "doe", "--limit", "5", "--format", "json", "--db", "h.db")
	diff(t, []any{"f", "failed", "24h", "doe", 5, "json", "h.db"}, []any{o.Flow, o.Status, o.Since, o.Text, o.Limit, o.Format, o.Store.DB})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil, "Now": o.Now != nil})
}

func TestFlagsShow(t *testing.T) {
	o := mustParse(t, cli.NewCmdShow, "01EXEC", "--format", "json", "--full", "--store", "postgres://db/x")
	diff(t, []any{"01EXEC", "json", true, "postgres://db/x"}, []any{o.ID, o.Format, o.Full, o.Store.Store})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil})
	if _, err := parseFlags(t, cli.NewCmdShow); err == nil {
		t.Error("no id: want a usage error")
	}
}

func TestFlagsReplay(t *testing.T) {
	o := mustParse(t, cli.NewCmdReplay, "01EXEC", "--from-card", "read_user", "--force", "--db", "r.db")
	diff(t, []any{"01EXEC", "read_user", true, "r.db"}, []any{o.ID, o.FromCard, o.Force, o.Store.DB})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil})
}

func TestFlagsPrune(t *testing.T) {
	o := mustParse(t, cli.NewCmdPrune, "--older-than", "30d", "--include-failed", "--dry-run")
	diff(t, []any{30 * 24 * time.Hour, true, true}, []any{o.OlderThan, o.IncludeFailed, o.DryRun})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil, "Now": o.Now != nil})
	if _, err := parseFlags(t, cli.NewCmdPrune); err == nil {
		t.Error("no --older-than: want a usage error")
	}
}

func TestFlagsConsole(t *testing.T) {
	o := mustParse(t, cli.NewCmdConsole, "--listen", "127.0.0.1:0", "--admin-token-file", "tokens", "--db", "c.db", "flows")
	diff(t, []any{"127.0.0.1:0", "tokens", "c.db", []string{"flows"}}, []any{o.Listen, o.TokenFile, o.Store.DB, o.Paths})
	needs(t, map[string]bool{"OpenStore": o.OpenStore != nil})
}

func TestFlagsAdminTokenCreate(t *testing.T) {
	o := mustParse(t, cli.NewCmdAdmin, "token", "create", "grafana", "--role", "read", "--file", "tokens")
	diff(t, []any{"grafana", "read", "tokens"}, []any{o.Name, o.Role, o.File})
}

func TestFlagsOktaHooksStatus(t *testing.T) {
	o := mustParse(t, cli.NewCmdOkta, "hooks", "status", "--format", "json", "p")
	diff(t, []any{[]string{"p"}, "json"}, []any{o.Paths, o.Format})
	if _, err := parseFlags(t, cli.NewCmdOkta, "hooks", "status", "--format", "xml"); err == nil {
		t.Error("--format xml: want a usage error")
	}
}

func TestFlagsImport(t *testing.T) {
	o := mustParse(t, cli.NewCmdImport, "okta-workflows", "x.flopack", "-o", "out", "--format", "json", "--force")
	diff(t, []any{"x.flopack", "out", "json", true}, []any{o.File, o.Dir, o.Format, o.Force})
}

func TestFlagsVersion(t *testing.T) {
	o := mustParse(t, cli.NewCmdVersion)
	if o.Version == nil || !strings.HasPrefix(o.Version(), "cardflow ") {
		t.Errorf("version options: %+v", o)
	}
	if _, err := parseFlags(t, cli.NewCmdVersion, "extra"); err == nil {
		t.Error("an argument: want a usage error")
	}
}

// TestFlagsRunRefusesOutOfRange: values the engine would silently replace
// with a default of its own (--workers 0 ran 16 workers, --drain 0 drained
// for 10s, --log-level verbose logged at info) are usage errors.
func TestFlagsRunRefusesOutOfRange(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--workers", "0"}, "--workers must be at least 1"},
		{[]string{"--workers", "-3"}, "--workers must be at least 1"},
		{[]string{"--inbox-limit", "0"}, "--inbox-limit must be at least 1"},
		{[]string{"--ack-wait", "-1s"}, "--ack-wait must not be negative"},
		{[]string{"--drain", "0"}, "--drain must be positive"},
		{[]string{"--drain", "-1s"}, "--drain must be positive"},
		{[]string{"--log-level", "verbose"}, `--log-level is debug, info, warn or error, not "verbose"`},
	} {
		var errOut strings.Builder
		f := &cli.Factory{IO: &cli.IOStreams{Out: &strings.Builder{}, ErrOut: &errOut}}
		code := cli.Main(f, append([]string{"run"}, append(tt.args, "no-such-flows")...))
		if code != cli.ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, %q; want exit %d with %q", tt.args, code, errOut.String(), cli.ExitUsage, tt.want)
		}
	}
	o := mustParse(t, cli.NewCmdRun, "--ack-wait", "0", "--workers", "1", "--inbox-limit", "1", "--log-level", "WARN")
	diff(t, []any{time.Duration(0), 1, 1}, []any{o.AckWait, o.Workers, o.InboxLimit})
	if _, err := parseFlags(t, cli.NewCmdConsole, "--log-level", "trace"); err == nil || !strings.Contains(err.Error(), "--log-level is debug") {
		t.Errorf("console --log-level trace: %v, want a usage error", err)
	}
}

// TestFlagsRunAdminListenFromEnv: CARDFLOW_ADMIN_LISTEN names the admin
// address, and set to "" serves no admin surface, as --admin-listen ""
// does, rather than the default 127.0.0.1:9090.
func TestFlagsRunAdminListenFromEnv(t *testing.T) {
	for _, tt := range []struct {
		environ []string
		args    []string
		want    string
	}{
		{nil, nil, "127.0.0.1:9090"},
		{[]string{"CARDFLOW_ADMIN_LISTEN=127.0.0.1:9191"}, nil, "127.0.0.1:9191"},
		{[]string{"CARDFLOW_ADMIN_LISTEN="}, nil, ""},
		{[]string{"CARDFLOW_ADMIN_LISTEN="}, []string{"--admin-listen", "127.0.0.1:9292"}, "127.0.0.1:9292"},
	} {
		var got *cli.RunOptions
		f := &cli.Factory{IO: &cli.IOStreams{Out: &strings.Builder{}, ErrOut: &strings.Builder{}, Environ: tt.environ}}
		cmd := cli.NewCmdRun(f, func(o *cli.RunOptions) error { got = o; return nil })
		cmd.SetArgs(tt.args)
		cmd.SetOut(&strings.Builder{})
		cmd.SetErr(&strings.Builder{})
		if err := cmd.Execute(); err != nil || got == nil {
			t.Fatalf("%v %v: %v", tt.environ, tt.args, err)
		}
		if got.Net.AdminListen != tt.want {
			t.Errorf("%v %v: admin surface on %q, want %q", tt.environ, tt.args, got.Net.AdminListen, tt.want)
		}
	}
}

// TestFlagsHistoryShowRefuseBadValues: a --format history and show do not
// write, a --limit that is not positive and a negative --since are usage
// errors, as in dry-run and the history API, instead of text output, every
// execution, or none.
func TestFlagsHistoryShowRefuseBadValues(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"history", "--format", "yaml"}, `--format is text or json, not "yaml"`},
		{[]string{"show", "ex_1", "--format", "yaml"}, `--format is text or json, not "yaml"`},
		{[]string{"history", "--limit", "0"}, "--limit is a positive number, not 0"},
		{[]string{"history", "--limit", "-1"}, "--limit is a positive number, not -1"},
		{[]string{"history", "--since", "-5h"}, "not a negative one"},
		{[]string{"history", "--since", "yesterday"}, `--since is a duration back from now (24h, 7d) or an RFC 3339 time (2026-01-31T09:00:00Z), not "yesterday"`},
	} {
		var errOut strings.Builder
		f := &cli.Factory{IO: &cli.IOStreams{Out: &strings.Builder{}, ErrOut: &errOut}}
		code := cli.Main(f, append(tt.args, "--db", filepath.Join(t.TempDir(), "none.db")))
		if code != cli.ExitUsage || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("%v: exit %d, %q; want exit %d with %q", tt.args, code, errOut.String(), cli.ExitUsage, tt.want)
		}
	}
}
