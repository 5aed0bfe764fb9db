package main

import (
	"strings"
	"testing"
	"time"
)

// TestE2ESecondRunOnTheSameStoreFails: two cardflow run on one SQLite file
// would both run its executions and pollers; the second refuses to start,
// says why, and the first goes on serving.
func TestE2ESecondRunOnTheSameStoreFails(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e := newE2E(t)
	e.start()
	second := startProcess(t, []string{"run", e.flowDir, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--db", e.db}, e.environ())
	select {
	case <-second.done:
	case <-time.After(waitFor):
		second.kill()
		t.Fatal("a second cardflow run on the same --db is running")
	}
	if second.err == nil {
		t.Fatal("the second cardflow run exited 0")
	}
	if out := second.out.String(); !strings.Contains(out, "in use by another cardflow run") {
		t.Errorf("the second run said:\n%s\nwant it to name the store as in use", out)
	}
	if h := e.health(); h.Status != "ok" {
		t.Errorf("the first run's health = %q after the second one failed", h.Status)
	}
}
