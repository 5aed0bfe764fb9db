package cli_test

import (
	"bytes"
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/spf13/cobra"
)

// TestVersion: cardflow version and cardflow --version print the module
// version and, when the go tool stamped one, the commit.
func TestVersion(t *testing.T) {
	cmd, flag := run(t, nil, "version"), run(t, nil, "--version")
	if cmd.code != 0 || flag.code != 0 || cmd.stdout != flag.stdout {
		t.Fatalf("version and --version differ:\n%s\n%s", cmd, flag)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information")
	}
	want := bi.Main.Version
	if want == "" {
		want = "(devel)"
	}
	if !strings.HasPrefix(cmd.stdout, "cardflow "+want) || strings.Count(cmd.stdout, "\n") != 1 {
		t.Errorf("version = %q, want one line starting with %q", cmd.stdout, "cardflow "+want)
	}
	for _, s := range bi.Settings {
		if s.Key == "vcs.revision" && !strings.Contains(cmd.stdout, s.Value) {
			t.Errorf("version = %q, want the commit %s", cmd.stdout, s.Value)
		}
	}
}

// TestMissingPathExitsUsage: a flow path that does not exist is a usage
// error (exit 2) in every command that reads flows, before it does
// anything else (run creates no store).
func TestMissingPathExitsUsage(t *testing.T) {
	dir := t.TempDir()
	event := onboardingDir + "/testdata/user-created.json"
	for _, args := range [][]string{
		{"validate", "nope"},
		{"fmt", "nope"},
		{"test", "nope"},
		{"dry-run", "request_approval", "--event", event, "nope"},
		{"run", "--db", dir + "/cardflow.db", "--listen", "127.0.0.1:0", "nope"},
	} {
		r := run(t, fullEnv, args...)
		if r.code != cli.ExitUsage || !strings.Contains(r.stderr, "cannot read nope") {
			t.Errorf("%s: want exit 2 and \"cannot read nope\":\n%s", args[0], r)
		}
	}
	if _, err := os.Stat(dir + "/cardflow.db"); err == nil {
		t.Error("run created its store before refusing a missing path")
	}
}

// TestTestRunMatchesNothing: a --run filter that selects no run fails and
// says so, instead of passing with nothing tested.
func TestTestRunMatchesNothing(t *testing.T) {
	r := run(t, fullEnv, "test", "--run", "NOMATCH", onboardingDir)
	if r.code != cli.ExitFailed || !strings.Contains(r.stderr, `no run matches --run "NOMATCH"`) {
		t.Errorf("want exit 1 and a message:\n%s", r)
	}
	if r := run(t, fullEnv, "test", "--run", "new user opens", onboardingDir); r.code != cli.ExitOK {
		t.Errorf("a matching filter: %s", r)
	}
}

// TestDocsOfOneAction: cardflow docs CONNECTOR.ACTION prints that action's
// reference only; a misspelt one is a usage error with a did-you-mean.
func TestDocsOfOneAction(t *testing.T) {
	r := run(t, nil, "docs", "okta.read_user")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "**okta.read_user** (read)") || !strings.Contains(r.stdout, "| `user` | string | required |") {
		t.Fatalf("docs okta.read_user:\n%s", r)
	}
	if strings.Count(r.stdout, "**") != 2 || strings.Contains(r.stdout, "### okta") {
		t.Errorf("docs okta.read_user prints more than the action:\n%s", r.stdout)
	}
	r = run(t, nil, "docs", "okta.event_hook")
	if r.code != 0 || !strings.HasPrefix(r.stdout, `**trigger "okta.event_hook"**`) {
		t.Errorf("docs okta.event_hook:\n%s", r)
	}
	r = run(t, nil, "docs", "okta.assign_app_to_user")
	if r.code != cli.ExitUsage || !strings.Contains(r.stderr, `Did you mean "okta.assign_user_to_app"?`) {
		t.Errorf("docs of a misspelt action:\n%s", r)
	}
}

// TestEveryCommandHasExamples walks the command tree: every command's
// --help shows an Examples section.
func TestEveryCommandHasExamples(t *testing.T) {
	reg := connector.NewRegistry(append(core.Connectors(), okta.New(), servicenow.New())...)
	root := cli.NewCmdRoot(&cli.Factory{IO: &cli.IOStreams{}, Registry: reg})
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		n++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%q has no Example", c.CommandPath())
		}
		var out bytes.Buffer
		c.SetOut(&out)
		if err := c.Help(); err != nil || !strings.Contains(out.String(), "\nExamples:\n") {
			t.Errorf("%q --help has no Examples section (err %v):\n%s", c.CommandPath(), err, out.String())
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	if n < 12 {
		t.Errorf("walked %d commands; the tree is missing some", n)
	}
}
