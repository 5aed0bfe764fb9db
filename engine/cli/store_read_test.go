package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/engine/cli"
)

// TestRunValidatesBeforeTheStore: invalid flows leave no store and no lock.
func TestRunValidatesBeforeTheStore(t *testing.T) {
	flows := t.TempDir()
	if err := os.WriteFile(filepath.Join(flows, "bad.hcl"), []byte(`flow "x" {
  trigger "schedule.cron" { cron = "@every 1m" }
  card "a" { action = text.compsoe }
}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "X.db")
	res := run(t, nil, "run", flows, "--db", db, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--watch=false")
	if res.code != cli.ExitFailed || !strings.Contains(res.stderr, "bad.hcl") {
		t.Fatalf("run of invalid flows: want exit 1 with the diagnostics\n%s", res)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("run of invalid flows left %v", entries)
	}
}
