package cli_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/connectors/core"
	"github.com/cardflow/cardflow/connectors/okta"
	"github.com/cardflow/cardflow/connectors/servicenow"
	"github.com/cardflow/cardflow/engine/cli"
	"github.com/cardflow/cardflow/engine/connector"
	"github.com/cardflow/cardflow/engine/store/sqlite"
	"github.com/spf13/cobra"
)

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

// TestExitStatusTable runs a case of each exit status that docs/cli.md's
// table lists by name, and checks both the status the command exits with
// and that the table's row for that status names the case, so that the
// table and the commands cannot drift apart.
func TestExitStatusTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/cli.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[int]string{}
	for _, l := range strings.Split(string(doc), "\n") {
		var code int
		if _, err := fmt.Sscanf(l, "| %d |", &code); err == nil {
			rows[code] = l
		}
	}
	if len(rows) != 4 {
		t.Fatalf("docs/cli.md's exit-status table has rows for %v, want 0 to 3", rows)
	}

	dir := t.TempDir()
	db := filepath.Join(dir, "cardflow.db")
	st, err := sqlite.Open(db, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	tokens := filepath.Join(dir, "tokens")
	if res := run(t, nil, "admin", "token", "create", "ci", "--role", "read", "--file", tokens); res.code != 0 {
		t.Fatalf("first token:\n%s", res)
	}
	unformatted := filepath.Join(dir, "flows", "ugly.hcl")
	writeFile(t, unformatted, "variable \"a\" {\ndefault=\"x\"\n}\n")
	junk := filepath.Join(dir, "export.flopack")
	writeFile(t, junk, "not an export")

	for _, tt := range []struct {
		args []string
		code int
		doc  string // what the table's row for code says of the case
	}{
		{[]string{"show", "ex_nope", "--db", db}, cli.ExitFailed, "`show` or `replay` named no execution in the store"},
		{[]string{"replay", "ex_nope", "--db", db}, cli.ExitFailed, "`show` or `replay` named no execution in the store"},
		{[]string{"cancel", "ex_nope", "--db", db}, cli.ExitFailed, "`cancel` or `wake` named no execution in the store"},
		{[]string{"wake", "ex_nope", "--db", db}, cli.ExitFailed, "`cancel` or `wake` named no execution in the store"},
		{[]string{"cancel", "ex_nope", "--reason", "a\nb", "--db", db}, cli.ExitUsage, "a `--reason` over 1000 characters or not on one line"},
		{[]string{"wake", "ex_nope", "--db", filepath.Join(dir, "none.db")}, cli.ExitUsage, "`cancel`, `wake`"},
		{[]string{"admin", "token", "create", "ci", "--role", "read", "--file", tokens}, cli.ExitFailed, "`admin token create` named a token the file holds already"},
		{[]string{"fmt", "--check", filepath.Dir(unformatted)}, cli.ExitFailed, "`fmt --check` found files to format"},
		{[]string{"import", "okta-workflows", junk, "-o", filepath.Join(dir, "out")}, cli.ExitFailed, "`import` could not convert the export"},
		{[]string{"test", "--run", "NOMATCH", "../../testdata/validate/valid"}, cli.ExitFailed, "`test --run` matched no run"},
		{[]string{"history", "--since", "yesterday", "--db", db}, cli.ExitUsage, "`--since yesterday`"},
		{[]string{"history", "--status", "done", "--db", db}, cli.ExitUsage, "an unknown `--status`"},
		{[]string{"docs", "okta.nope"}, cli.ExitUsage, "a name that names nothing (`docs`"},
		{[]string{"show", "ex_nope", "--db", filepath.Join(dir, "none.db")}, cli.ExitUsage, "a `--db` where there is no store (`history`, `show`"},
		{[]string{"import", "okta-workflows", filepath.Join(dir, "none.flopack")}, cli.ExitUsage, "the export `import` reads"},
		{[]string{"history", "--store", "postgres://127.0.0.1:1/nope?connect_timeout=1"}, cli.ExitProblem, "a store that cannot be opened"},
	} {
		t.Run(strings.Join(tt.args[:2], " "), func(t *testing.T) {
			if res := run(t, nil, tt.args...); res.code != tt.code {
				t.Errorf("%v: want exit %d\n%s", tt.args, tt.code, res)
			}
			if !strings.Contains(rows[tt.code], tt.doc) {
				t.Errorf("docs/cli.md's row for exit status %d does not say %q:\n%s", tt.code, tt.doc, rows[tt.code])
			}
		})
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
